package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyGeneratorTest {
  private final KeyGenerator keys = new KeyGenerator(16);

  @Test
  void keysHaveTheConfiguredWidth() {
    assertEquals(16, keys.key(0).length);
    assertEquals(16, keys.key(999_999).length);
    assertEquals(16, keys.missingKey(999_999).length);
  }

  @Test
  void keysAreZeroPaddedDecimalNumbers() {
    assertEquals("0000000000000000", new String(keys.key(0), StandardCharsets.US_ASCII));
    assertEquals("0000000000000246", new String(keys.key(123), StandardCharsets.US_ASCII));
    assertEquals("0000000000000247", new String(keys.missingKey(123), StandardCharsets.US_ASCII));
  }

  @Test
  void ascendingIndexesGiveAscendingKeys() {
    for (long i = 0; i < 20_000; i++) {
      assertTrue(Arrays.compareUnsigned(keys.key(i), keys.key(i + 1)) < 0, "index " + i);
    }
  }

  @Test
  void missingKeysNeverCollideWithPresentKeys() {
    int n = 50_000;
    Set<String> present = new HashSet<>();
    for (long i = 0; i < n; i++) {
      present.add(new String(keys.key(i), StandardCharsets.US_ASCII));
    }
    for (long i = 0; i < n; i++) {
      assertFalse(present.contains(new String(keys.missingKey(i), StandardCharsets.US_ASCII)), "index " + i);
    }
  }

  @Test
  void missingKeySortsBetweenItsPresentNeighbours() {
    for (long i = 0; i < 1000; i++) {
      assertTrue(Arrays.compareUnsigned(keys.key(i), keys.missingKey(i)) < 0);
      assertTrue(Arrays.compareUnsigned(keys.missingKey(i), keys.key(i + 1)) < 0);
    }
  }

  @Test
  void everyCallReturnsAFreshArray() {
    byte[] a = keys.key(7);
    a[0] = 'x';
    assertArrayEquals("0000000000000014".getBytes(StandardCharsets.US_ASCII), keys.key(7));
  }

  @Test
  void digitsNeededCoverTheLargestMissingKey() {
    assertEquals(1, KeyGenerator.digitsNeeded(1));
    assertEquals(1, KeyGenerator.digitsNeeded(5));
    assertEquals(2, KeyGenerator.digitsNeeded(6));
    assertEquals(7, KeyGenerator.digitsNeeded(1_000_000));
  }

  @Test
  void anIndexTooLargeForTheWidthIsRejected() {
    KeyGenerator narrow = new KeyGenerator(2);
    assertEquals("98", new String(narrow.key(49), StandardCharsets.US_ASCII));
    assertThrows(IllegalArgumentException.class, () -> narrow.key(50));
  }
}
