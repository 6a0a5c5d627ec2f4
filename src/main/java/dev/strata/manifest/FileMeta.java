package dev.strata.manifest;

import java.util.Arrays;

/**
 * What the manifest records of one SST: where it sits, how big it is, which keys and sequences
 * it holds. Enough to place it in the tree and to pick compactions without opening it.
 * Immutable (the key arrays are never modified).
 */
public record FileMeta(int level, long number, long size, byte[] smallestKey, byte[] largestKey,
    long minSequence, long maxSequence) {

  public FileMeta {
    if (level < 0) {
      throw new IllegalArgumentException("level must not be negative: " + level);
    }
  }

  public FileMeta atLevel(int newLevel) {
    return new FileMeta(newLevel, number, size, smallestKey, largestKey, minSequence, maxSequence);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileMeta f && f.level == level && f.number == number && f.size == size
        && Arrays.equals(f.smallestKey, smallestKey) && Arrays.equals(f.largestKey, largestKey)
        && f.minSequence == minSequence && f.maxSequence == maxSequence;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(number) * 31 + level;
  }

  @Override
  public String toString() {
    return "L" + level + "#" + number + "(" + size + " B, seq " + minSequence + ".." + maxSequence + ")";
  }
}
