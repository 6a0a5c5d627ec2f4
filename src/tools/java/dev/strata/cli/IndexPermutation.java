package dev.strata.cli;

/**
 * A seeded pseudo-random permutation of {@code [0, n)} in constant memory, so that fillrandom can
 * write every key exactly once in random order (and readrandom then finds them all) without
 * holding a shuffled array of {@code n} indexes. A few rounds of invertible mixing steps
 * (odd multiply, add, xor-shift, all modulo the next power of two) permute {@code [0, 2^bits)};
 * cycle-walking restricts that permutation to {@code [0, n)}, taking under two steps on average.
 * Immutable and thread-safe.
 */
final class IndexPermutation {
  private static final int ROUNDS = 3;

  private final long n;
  private final long mask;
  private final int shift;
  private final long[] multipliers = new long[ROUNDS];
  private final long[] increments = new long[ROUNDS];

  IndexPermutation(long n, long seed) {
    if (n < 1) {
      throw new IllegalArgumentException("permutation size must be positive, got " + n);
    }
    this.n = n;
    int bits = Math.max(1, 64 - Long.numberOfLeadingZeros(n - 1));
    this.mask = bits == 64 ? -1L : (1L << bits) - 1;
    this.shift = bits / 2 + 1;
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    for (int r = 0; r < ROUNDS; r++) {
      multipliers[r] = random.nextLong() | 1;
      increments[r] = random.nextLong();
    }
  }

  long size() {
    return n;
  }

  /** The image of {@code index}, which must lie in {@code [0, n)}. */
  long apply(long index) {
    if (index < 0 || index >= n) {
      throw new IllegalArgumentException("index " + index + " outside [0, " + n + ")");
    }
    long x = index;
    do {
      x = mix(x);
    } while (x >= n);
    return x;
  }

  private long mix(long value) {
    long x = value;
    for (int r = 0; r < ROUNDS; r++) {
      x = (x * multipliers[r] + increments[r]) & mask;
      x ^= x >>> shift;
    }
    return x;
  }
}
