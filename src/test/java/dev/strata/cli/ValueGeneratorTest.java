package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ValueGeneratorTest {
  @Test
  void valuesHaveTheConfiguredSize() {
    assertEquals(100, new ValueGenerator(100, 301).value(5, 0).length);
    assertEquals(0, new ValueGenerator(0, 301).value(5, 0).length);
  }

  @Test
  void valuesAreDeterministicForASeed() {
    assertArrayEquals(new ValueGenerator(100, 301).value(5, 0), new ValueGenerator(100, 301).value(5, 0));
  }

  @Test
  void valuesAreNotAllZeros() {
    byte[] v = new ValueGenerator(100, 301).value(5, 0);
    assertFalse(Arrays.equals(new byte[100], v));
  }

  @Test
  void theSaltChangesTheValue() {
    ValueGenerator g = new ValueGenerator(100, 301);
    assertFalse(Arrays.equals(g.value(5, 0), g.value(5, 1)));
  }

  @Test
  void theSeedChangesTheValue() {
    assertFalse(Arrays.equals(new ValueGenerator(100, 1).value(5, 0), new ValueGenerator(100, 2).value(5, 0)));
  }

  /** LZ4-compressed size over raw size of many values laid end to end, as a data block holds them. */
  private static double lz4Ratio(ValueGenerator g) {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < 2000; i++) {
      all.writeBytes(g.value(i, 0));
    }
    byte[] raw = all.toByteArray();
    net.jpountz.lz4.LZ4Compressor c = net.jpountz.lz4.LZ4Factory.safeInstance().fastCompressor();
    return (double) c.compress(raw).length / raw.length;
  }

  @Test
  void valuesCompressToAboutTheRequestedRatio() {
    double half = lz4Ratio(new ValueGenerator(100, 301, 0.5));
    assertTrue(half > 0.45 && half < 0.65, "ratio 0.5 compressed to " + half);
    double quarter = lz4Ratio(new ValueGenerator(100, 301, 0.25));
    assertTrue(quarter > 0.2 && quarter < 0.4, "ratio 0.25 compressed to " + quarter);
    double random = lz4Ratio(new ValueGenerator(100, 301, 1.0));
    assertTrue(random > 0.95, "ratio 1 compressed to " + random);
  }

  @Test
  void aRatioOutsideZeroToOneIsRefused() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ValueGenerator(100, 1, 0));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ValueGenerator(100, 1, 1.1));
  }
}
