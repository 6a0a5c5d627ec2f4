package dev.strata.cli;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The benchmark's values: slices of a pool of seeded bytes, chosen by key index and a salt (so an
 * overwrite writes different bytes than the fill did). The pool is made as db_bench's
 * RandomGenerator makes it, so that values compress alike in every engine: 100-byte pieces, each
 * {@code compressionRatio * 100} random printable bytes repeated to fill the piece; a value then
 * compresses to about {@code compressionRatio} of its size (0.5, db_bench's default: about half),
 * and at 1.0 it is random. Deterministic for a seed; immutable and thread-safe. Each call returns
 * a new array, since a store may keep it.
 */
final class ValueGenerator {
  private static final int POOL_EXTRA_BYTES = 1 << 20;
  private static final int PIECE_BYTES = 100;
  private static final int PIECES = POOL_EXTRA_BYTES / PIECE_BYTES;
  private static final byte[] EMPTY = new byte[0];

  private final int valueSize;
  private final byte[] pool;

  /** Random values (compression ratio 1). */
  ValueGenerator(int valueSize, long seed) {
    this(valueSize, seed, 1.0);
  }

  /** @param compressionRatio the fraction of each 100-byte piece that is random, in (0, 1] */
  ValueGenerator(int valueSize, long seed, double compressionRatio) {
    if (valueSize < 0) {
      throw new IllegalArgumentException("value size must not be negative, got " + valueSize);
    }
    if (!(compressionRatio > 0 && compressionRatio <= 1)) {
      throw new IllegalArgumentException("compression ratio must be in (0, 1], got " + compressionRatio);
    }
    this.valueSize = valueSize;
    this.pool = new byte[valueSize + POOL_EXTRA_BYTES];
    SplittableRandom rnd = new SplittableRandom(seed);
    int random = Math.max(1, (int) (PIECE_BYTES * compressionRatio));
    for (int piece = 0; piece < pool.length; piece += PIECE_BYTES) {
      int end = Math.min(pool.length, piece + PIECE_BYTES);
      for (int i = piece; i < end; i++) {
        // db_bench's RandomString: printable characters, ' ' to '~'.
        pool[i] = i - piece < random ? (byte) (' ' + rnd.nextInt(95)) : pool[i - random];
      }
    }
  }

  int valueSize() {
    return valueSize;
  }

  /** The value written under key {@code index} by a write with this {@code salt}. */
  byte[] value(long index, long salt) {
    if (valueSize == 0) {
      return EMPTY;
    }
    // Starts at a piece, as db_bench's values of its default 100 bytes do: a value cut across two
    // pieces would hold the repeats of random bytes it does not hold, and compress less.
    int offset = PIECE_BYTES * (int) Long.remainderUnsigned(Mixing.mix64(index * 31 + salt), PIECES + 1);
    return Arrays.copyOfRange(pool, offset, offset + valueSize);
  }
}
