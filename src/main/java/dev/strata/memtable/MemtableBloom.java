package dev.strata.memtable;

import dev.strata.util.Hashing;

/**
 * A bloom filter over the user keys of one memtable, so that a point lookup for a key the
 * memtable does not hold (the common case once data has been flushed) costs one cache line
 * instead of a walk down the skip list. Blocked: every probe of one key falls in the same
 * 64-byte block of the bit array.
 *
 * <p>Sized once, from the memtable's size limit (one bit per four bytes of memtable, so about 12
 * bits per key even for 50-byte entries), because a memtable's entry count is not known ahead.
 *
 * <p>Thread-safety: one writer (the memtable's), any number of readers. Bits are set with plain
 * stores before the entry's sequence number is published through a volatile write; a reader that
 * reads the last sequence first sees every bit of every entry it may see.
 */
final class MemtableBloom {
  private static final int PROBES = 6;
  private static final long MIN_BITS = 4096;
  private static final long MAX_BITS = 64L << 20;

  private final long[] words;
  private final int blocks;

  MemtableBloom(long memtableSizeBytes) {
    long bits = Math.min(MAX_BITS, Math.max(MIN_BITS, memtableSizeBytes / 4));
    this.blocks = (int) ((bits + 511) / 512);
    this.words = new long[blocks * 8];
  }

  /** Adds a key by its {@link Hashing#xxh64} hash (the memtable hashes a key once for this and its index). */
  void add(long h) {
    int base = blockOf(h) * 8;
    int x = (int) h;
    for (int i = 0; i < PROBES; i++) {
      int bit = x & 511;
      words[base + (bit >>> 6)] |= 1L << bit;
      x = Integer.rotateRight(x, 9) * 0x9E3779B9;
    }
  }

  /** Whether a key of this {@link Hashing#xxh64} hash may be present. */
  boolean mayContain(long h) {
    int base = blockOf(h) * 8;
    int x = (int) h;
    for (int i = 0; i < PROBES; i++) {
      int bit = x & 511;
      if ((words[base + (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
      x = Integer.rotateRight(x, 9) * 0x9E3779B9;
    }
    return true;
  }

  private int blockOf(long hash) {
    return (int) (((hash >>> 32) * blocks) >>> 32);
  }
}
