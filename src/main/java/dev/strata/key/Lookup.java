package dev.strata.key;

/**
 * What a point lookup found in one layer: the newest version of the key visible at the lookup's
 * sequence. A DELETE stops the search as surely as a PUT; only "not found" (null) goes on.
 */
public record Lookup(long sequence, ValueKind kind, byte[] value) {
  public boolean isDelete() {
    return kind == ValueKind.DELETE;
  }
}
