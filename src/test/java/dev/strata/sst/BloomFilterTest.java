package dev.strata.sst;

import static dev.strata.sst.SstTestHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CorruptionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BloomFilterTest {
  private static byte[] present(int i) {
    return bytes("present-" + i);
  }

  private static byte[] absent(int i) {
    return bytes("absent-" + i);
  }

  private static BloomFilter build(int bitsPerKey, int keys) {
    BloomFilter.Builder builder = new BloomFilter.Builder(bitsPerKey);
    for (int i = 0; i < keys; i++) {
      builder.addKey(present(i));
    }
    byte[] block = builder.finish();
    assertEquals(builder.estimatedBytes(), block.length);
    return BloomFilter.decode(block, 0, block.length);
  }

  private static double falsePositiveRate(BloomFilter filter, int probes) {
    int positives = 0;
    for (int i = 0; i < probes; i++) {
      if (filter.mayContain(absent(i))) {
        positives++;
      }
    }
    return positives / (double) probes;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 10, 20, 64})
  void everyAddedKeyMayBeContained(int bitsPerKey) {
    for (int keys : new int[] {0, 1, 7, 1000, 50_000}) {
      BloomFilter filter = build(bitsPerKey, keys);
      for (int i = 0; i < keys; i++) {
        assertTrue(filter.mayContain(present(i)), "false negative for key " + i + " of " + keys);
      }
    }
  }

  @Test
  void tenBitsPerKeyGiveAboutOnePercentFalsePositivesOver100kAbsentKeys() {
    BloomFilter filter = build(10, 100_000);
    double rate = falsePositiveRate(filter, 100_000);
    // Theory says 0.82% for 7 probes; a weak hash or a probe bug shows up as several times that.
    assertTrue(rate < 0.02, "false-positive rate " + rate);
    assertTrue(rate > 0.002, "rate " + rate + " is implausibly low for 10 bits per key: is the filter used?");
  }

  @Test
  void moreBitsPerKeyGiveFewerFalsePositives() {
    double at5 = falsePositiveRate(build(5, 20_000), 50_000);
    double at15 = falsePositiveRate(build(15, 20_000), 50_000);
    assertTrue(at15 < at5 / 4, "5 bits: " + at5 + ", 15 bits: " + at15);
  }

  @Test
  void anEmptyFilterRejectsEveryKey() {
    BloomFilter filter = build(10, 0);
    assertEquals(0.0, falsePositiveRate(filter, 1000));
  }

  @Test
  void probesAreBitsPerKeyTimesLnTwoClampedToOneAndThirty() {
    assertEquals(1, BloomFilter.probesFor(1));
    assertEquals(3, BloomFilter.probesFor(4));
    assertEquals(7, BloomFilter.probesFor(10));
    assertEquals(14, BloomFilter.probesFor(20));
    assertEquals(30, BloomFilter.probesFor(64));
    assertEquals(7, build(10, 100).probes());
  }

  @Test
  void tinyFiltersStillGetSixtyFourBits() {
    assertEquals(64, build(10, 1).bitCount());
    assertEquals(10_000, build(10, 1000).bitCount());
  }

  @Test
  void zeroBitsPerKeyIsNotAFilter() {
    assertThrows(IllegalArgumentException.class, () -> new BloomFilter.Builder(0));
  }

  @Test
  void aProbeCountOutsideOneToThirtyIsCorruption() {
    BloomFilter.Builder builder = new BloomFilter.Builder(10);
    builder.addKey(present(1));
    byte[] block = builder.finish();
    block[block.length - 1] = 31;
    assertThrows(CorruptionException.class, () -> BloomFilter.decode(block, 0, block.length));
    block[block.length - 1] = 0;
    assertThrows(CorruptionException.class, () -> BloomFilter.decode(block, 0, block.length));
  }
}
