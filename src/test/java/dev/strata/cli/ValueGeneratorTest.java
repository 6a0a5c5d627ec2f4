package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
