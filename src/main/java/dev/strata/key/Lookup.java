package dev.strata.key;

/**
 * What a point lookup found in one layer: the newest version of the key visible at the lookup's
 * sequence. A DELETE stops the search as surely as a PUT; only "not found" (null) goes on.
 * {@code value} is an array of its own that the caller may keep and hand on (or a shared empty
 * one, which nothing can change): gets return it to the user without another copy.
 */
public record Lookup(long sequence, ValueKind kind, byte[] value) {
  public boolean isDelete() {
    return kind == ValueKind.DELETE;
  }
}
