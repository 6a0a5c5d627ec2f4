package dev.strata.cli;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The benchmark's values: slices of a pool of seeded random bytes, chosen by key index and a
 * salt (so an overwrite writes different bytes than the fill did). Deterministic for a seed;
 * immutable and thread-safe. Each call returns a new array, since a store may keep it.
 */
final class ValueGenerator {
  private static final int POOL_EXTRA_BYTES = 1 << 20;
  private static final byte[] EMPTY = new byte[0];

  private final int valueSize;
  private final byte[] pool;

  ValueGenerator(int valueSize, long seed) {
    if (valueSize < 0) {
      throw new IllegalArgumentException("value size must not be negative, got " + valueSize);
    }
    this.valueSize = valueSize;
    this.pool = new byte[valueSize + POOL_EXTRA_BYTES];
    new SplittableRandom(seed).nextBytes(pool);
  }

  int valueSize() {
    return valueSize;
  }

  /** The value written under key {@code index} by a write with this {@code salt}. */
  byte[] value(long index, long salt) {
    if (valueSize == 0) {
      return EMPTY;
    }
    int offset = (int) Long.remainderUnsigned(Mixing.mix64(index * 31 + salt), POOL_EXTRA_BYTES + 1);
    return Arrays.copyOfRange(pool, offset, offset + valueSize);
  }
}
