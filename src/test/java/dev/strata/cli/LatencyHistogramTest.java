package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void emptyHistogramReportsZeros() {
    LatencyHistogram h = new LatencyHistogram();
    assertEquals(0, h.count());
    assertEquals(0, h.percentile(50));
    assertEquals(0, h.min());
    assertEquals(0, h.max());
  }

  @Test
  void valuesBelow128AreExact() {
    LatencyHistogram h = new LatencyHistogram();
    for (int v = 1; v <= 100; v++) {
      h.record(v);
    }
    assertEquals(50, h.percentile(50));
    assertEquals(99, h.percentile(99));
    assertEquals(100, h.percentile(100));
    assertEquals(1, h.percentile(0));
  }

  @Test
  void percentilesAreWithinOneSixtyFourthAboveTheExactValue() {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    int n = 200_000;
    long[] samples = new long[n];
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < n; i++) {
      // Log-uniform from 1 ns to about 1 s: every bucket group gets samples.
      samples[i] = (long) Math.exp(random.nextDouble() * Math.log(1e9));
      h.record(samples[i]);
    }
    Arrays.sort(samples);
    for (double p : new double[] {1, 10, 50, 90, 99, 99.9, 100}) {
      long exact = samples[(int) Math.max(0, Math.ceil(p / 100 * n) - 1)];
      long estimate = h.percentile(p);
      assertTrue(estimate >= exact && estimate <= exact + exact / 64,
          "seed " + seed + ": p" + p + " exact " + exact + " estimate " + estimate);
    }
    assertEquals(samples[0], h.min(), "seed " + seed);
    assertEquals(samples[n - 1], h.max(), "seed " + seed);
  }

  @Test
  void percentileNeverExceedsTheLargestSample() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(1_000_001);
    assertEquals(1_000_001, h.percentile(50));
  }

  @Test
  void bucketsTileTheValueRangeWithoutGaps() {
    long previousHighest = -1;
    for (int b = 0; b < 3000; b++) {
      long highest = LatencyHistogram.highestIn(b);
      assertEquals(b, LatencyHistogram.bucketOf(highest), "bucket " + b);
      assertEquals(b, LatencyHistogram.bucketOf(previousHighest + 1), "first value of bucket " + b);
      previousHighest = highest;
    }
    LatencyHistogram.bucketOf(Long.MAX_VALUE);
  }

  @Test
  void addMergesCountsAndExtremes() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    a.record(10);
    a.record(20);
    b.record(5);
    b.record(5000);
    a.add(b);
    assertEquals(4, a.count());
    assertEquals(5, a.min());
    assertEquals(5000, a.max());
    assertEquals(10, a.percentile(50));
  }

  @Test
  void negativeLatenciesCountAsZero() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(-5);
    assertEquals(0, h.max());
    assertEquals(1, h.count());
  }

  @Test
  void percentileOutsideZeroToHundredIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new LatencyHistogram().percentile(101));
  }
}
