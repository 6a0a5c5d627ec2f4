package dev.strata.cli;

import java.util.SplittableRandom;

/**
 * YCSB's scrambled-zipfian key choice over {@code [0, items)}: a zipfian draw with constant
 * {@value #THETA} (rank {@code r} is drawn with probability proportional to {@code 1 / r^0.99}),
 * then the rank's FNV-1a hash modulo the item count, so that the popular items lie scattered over
 * the key space instead of crowding its start. The zipfian draw is Gray et al.'s "Quickly
 * generating billion-record synthetic databases" (SIGMOD 1994) method, as YCSB's
 * ZipfianGenerator uses it: one uniform double per draw, with {@code zeta(items)} computed once
 * here (a sum of {@code items} terms: about 30 ms per million items). The hash is not a
 * permutation: two ranks may hash to one item, and about 1/e of the items (ranks hashed into as
 * many slots) are never drawn. YCSB's own generator draws its zipfian over ten billion ranks
 * before the modulo, which reaches every item but flattens the skew to a top item's 3.8% whatever
 * the item count; this one keeps the skew of a zipfian over the item count itself.
 *
 * <p>Immutable and thread-safe; each thread draws with its own random source, so a seeded source
 * gives a deterministic sequence.
 */
final class ScrambledZipfian {
  /** YCSB's default zipfian constant. */
  static final double THETA = 0.99;
  private static final long FNV_OFFSET_BASIS_64 = 0xCBF29CE484222325L;
  private static final long FNV_PRIME_64 = 1099511628211L;

  private final long items;
  private final double zetaN;
  private final double alpha;
  private final double eta;
  private final double halfPowTheta;

  ScrambledZipfian(long items) {
    if (items < 1) {
      throw new IllegalArgumentException("a zipfian key choice needs at least one item, got " + items);
    }
    this.items = items;
    this.zetaN = zeta(items, THETA);
    double zeta2 = zeta(2, THETA);
    this.alpha = 1.0 / (1.0 - THETA);
    // For one item eta is 0/0; every draw is then rank 0 before eta is used (u * zetaN < 1).
    this.eta = items == 1 ? 0 : (1 - Math.pow(2.0 / items, 1 - THETA)) / (1 - zeta2 / zetaN);
    this.halfPowTheta = 1 + Math.pow(0.5, THETA);
  }

  long items() {
    return items;
  }

  /** {@code sum over i in [1, n] of 1 / i^theta}: the zipfian's normalising constant. */
  static double zeta(long n, double theta) {
    double sum = 0;
    for (long i = 1; i <= n; i++) {
      sum += 1 / Math.pow(i, theta);
    }
    return sum;
  }

  /** A zipfian rank in {@code [0, items)}: 0 the most popular. */
  long nextRank(SplittableRandom random) {
    double u = random.nextDouble();
    double uz = u * zetaN;
    if (uz < 1) {
      return 0;
    }
    if (uz < halfPowTheta) {
      return Math.min(1, items - 1);
    }
    long rank = (long) (items * Math.pow(eta * u - eta + 1, alpha));
    // Rounding can land on items itself when u is within an ulp of 1.
    return Math.min(rank, items - 1);
  }

  /** An item in {@code [0, items)}: a zipfian rank, scrambled. */
  long next(SplittableRandom random) {
    return scramble(nextRank(random));
  }

  /** Where rank {@code rank} lies in the key space: its FNV-1a hash modulo the item count. */
  long scramble(long rank) {
    return Math.floorMod(fnv1a64(rank), items);
  }

  /** FNV-1a over the eight bytes of {@code value}, least significant first (YCSB's fnvhash64). */
  static long fnv1a64(long value) {
    long hash = FNV_OFFSET_BASIS_64;
    long v = value;
    for (int i = 0; i < 8; i++) {
      hash ^= v & 0xff;
      hash *= FNV_PRIME_64;
      v >>>= 8;
    }
    return hash;
  }
}
