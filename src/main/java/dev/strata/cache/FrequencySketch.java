package dev.strata.cache;

/**
 * How often each key was asked for lately, approximately: TinyLFU's count-min sketch (Einziger,
 * Friedman and Manes, "TinyLFU: A Highly Efficient Cache Admission Policy"; Caffeine's
 * {@code FrequencySketch}). Four 4-bit counters per key, each in a slot picked by another hash of
 * it, packed sixteen to a {@code long}; a key's frequency is the least of its four, so a collision
 * can only overstate it. Counters stop at 15, and once the sketch has counted ten times as many
 * accesses as it has slots every counter is halved: old popularity fades, and a key that was hot
 * an hour ago does not keep its place against one that is hot now.
 *
 * <p>Thread-safe in the only sense a frequency estimate needs: {@link #increment} reads and writes
 * the counters without synchronization, so concurrent increments may lose one another (an
 * estimate a little low) and a halving may race with them, but no call fails, blocks, or leaves a
 * counter outside 0..15. Readers of a block count on every access, and a lock there would be the
 * very contention the cache is sharded to avoid; a saturated counter is not written again, so the
 * hottest keys cost their readers no writes to shared memory at all.
 */
final class FrequencySketch {
  private static final long RESET_MASK = 0x7777_7777_7777_7777L;
  private static final long[] SEEDS = {0xc3a5c85c97cb3127L, 0xb492b66fbe98f273L, 0x9ae16a3b2f90404fL,
      0xcbf29ce484222325L};

  private final long[] table;
  private final int mask;
  private final int sampleSize;
  private int additions;

  /** @param expectedKeys about how many keys the cache holds at once; the sketch has a slot per key */
  FrequencySketch(long expectedKeys) {
    int slots = Integer.highestOneBit((int) Math.max(16, Math.min(1 << 24, expectedKeys)) * 2 - 1);
    this.table = new long[slots];
    this.mask = slots - 1;
    this.sampleSize = 10 * slots;
  }

  /** The estimated accesses to {@code hash} since about the last halving, 0 to 15. */
  int frequency(long hash) {
    int least = 15;
    for (int i = 0; i < 4; i++) {
      long h = rehash(hash, i);
      int shift = (int) (h & 15) << 2;
      least = Math.min(least, (int) (table[(int) (h >>> 40) & mask] >>> shift) & 15);
    }
    return least;
  }

  /** Counts one access to {@code hash}. */
  void increment(long hash) {
    boolean added = false;
    for (int i = 0; i < 4; i++) {
      long h = rehash(hash, i);
      int slot = (int) (h >>> 40) & mask;
      int shift = (int) (h & 15) << 2;
      long word = table[slot];
      if (((word >>> shift) & 15) != 15) {
        table[slot] = word + (1L << shift);
        added = true;
      }
    }
    if (added && ++additions >= sampleSize) {
      halve();
    }
  }

  private void halve() {
    additions = 0;
    for (int i = 0; i < table.length; i++) {
      table[i] = (table[i] >>> 1) & RESET_MASK;
    }
  }

  private static long rehash(long hash, int row) {
    long h = (hash + SEEDS[row]) * 0x9E3779B97F4A7C15L;
    return h ^ (h >>> 31);
  }
}
