package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The YCSB key choice: skewed as a zipfian of constant 0.99, scattered, in range, reproducible. */
class ScrambledZipfianTest {
  private static final long SEED = new SplittableRandom().nextLong();
  private static final int ITEMS = 1000;
  private static final int DRAWS = 200_000;

  static {
    System.out.println("ScrambledZipfianTest seed " + SEED);
  }

  private static long[] counts(ScrambledZipfian z, long seed) {
    long[] counts = new long[(int) z.items()];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < DRAWS; i++) {
      counts[(int) z.next(random)]++;
    }
    return counts;
  }

  /** The share of the draws the {@code k} most drawn items took. */
  private static double topShare(long[] counts, int k) {
    long[] sorted = counts.clone();
    Arrays.sort(sorted);
    long sum = 0;
    for (int i = 0; i < k; i++) {
      sum += sorted[sorted.length - 1 - i];
    }
    return (double) sum / DRAWS;
  }

  /** A zipfian's share of its {@code k} most popular ranks: sum of r^-0.99 over r in [1, k], over zeta. */
  private static double zipfShare(int k) {
    return ScrambledZipfian.zeta(k, ScrambledZipfian.THETA) / ScrambledZipfian.zeta(ITEMS, ScrambledZipfian.THETA);
  }

  @Test
  void theMostPopularItemsTakeTheZipfianShare() {
    long[] counts = counts(new ScrambledZipfian(ITEMS), SEED);
    // Ranks 0 and 1 are drawn exactly (1 / zeta and 0.5^0.99 / zeta): 12.9% and 6.5% here. The
    // sampling error of a share near 0.2 over 200,000 draws is under 0.001.
    assertEquals(zipfShare(1), topShare(counts, 1), 0.006, "seed " + SEED);
    assertEquals(zipfShare(2), topShare(counts, 2), 0.008, "seed " + SEED);
    // Further ranks come from Gray et al.'s continuous approximation (a few percent high, as in
    // YCSB), and two ranks may hash to one item: within 10%.
    assertEquals(zipfShare(10), topShare(counts, 10), zipfShare(10) * 0.1, "seed " + SEED);
    assertEquals(zipfShare(100), topShare(counts, 100), zipfShare(100) * 0.1, "seed " + SEED);
    // Uniform draws would give the top 10 items about 1.2%.
    assertTrue(topShare(counts, 10) > 0.3, "seed " + SEED);
  }

  @Test
  void everyDrawIsAnItemOfTheRange() {
    for (long items : new long[] {1, 2, 3, 7, 1000, 123_457}) {
      ScrambledZipfian z = new ScrambledZipfian(items);
      SplittableRandom random = new SplittableRandom(SEED);
      for (int i = 0; i < 50_000; i++) {
        long item = z.next(random);
        assertTrue(item >= 0 && item < items, item + " outside [0, " + items + "), seed " + SEED);
        long rank = z.nextRank(random);
        assertTrue(rank >= 0 && rank < items, "rank " + rank + " outside [0, " + items + "), seed " + SEED);
      }
    }
    assertEquals(0, new ScrambledZipfian(1).next(new SplittableRandom(SEED)));
  }

  @Test
  void theSameSeedGivesTheSameItemsAndAnotherSeedOthers() {
    ScrambledZipfian z = new ScrambledZipfian(ITEMS);
    assertArrayEquals(counts(z, SEED), counts(new ScrambledZipfian(ITEMS), SEED));
    SplittableRandom a = new SplittableRandom(SEED);
    SplittableRandom b = new SplittableRandom(SEED + 1);
    long[] first = new long[100];
    long[] second = new long[100];
    for (int i = 0; i < 100; i++) {
      first[i] = z.next(a);
      second[i] = z.next(b);
    }
    assertFalse(Arrays.equals(first, second));
  }

  @Test
  void thePopularItemsAreScatteredOverTheKeySpace() {
    ScrambledZipfian z = new ScrambledZipfian(ITEMS);
    // Unscrambled, the ten most popular items would be 0..9; scrambled, they spread out.
    long[] top = new long[10];
    for (int r = 0; r < 10; r++) {
      top[r] = z.scramble(r);
    }
    assertTrue(Arrays.stream(top).max().getAsLong() > ITEMS / 2, Arrays.toString(top));
    assertTrue(Arrays.stream(top).distinct().count() >= 8, Arrays.toString(top));
    assertEquals(z.scramble(0), z.scramble(0));
  }

  @Test
  void fnvIsYcsbsFnv1aOverTheLongsBytes() {
    // FNV-1a 64 of eight zero bytes: the offset basis, xor 0, times the prime, eight times.
    long expected = 0xCBF29CE484222325L;
    for (int i = 0; i < 8; i++) {
      expected *= 1099511628211L;
    }
    assertEquals(expected, ScrambledZipfian.fnv1a64(0));
    assertFalse(ScrambledZipfian.fnv1a64(1) == ScrambledZipfian.fnv1a64(256));
  }

  @Test
  void anEmptyRangeIsRefused() {
    assertEquals("a zipfian key choice needs at least one item, got 0",
        assertThrows(IllegalArgumentException.class, () -> new ScrambledZipfian(0)).getMessage());
  }
}
