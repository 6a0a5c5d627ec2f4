package dev.strata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A get hands the caller an array of its own, from whichever layer answers: changing it changes
 * neither the store nor what the next get returns (gets no longer copy the value a second time).
 */
class GetReturnsOwnArraysTest {
  @TempDir Path dir;

  private static void assertOwnArray(Strata db, byte[] key, byte[] expected, String layer) {
    byte[] first = db.get(key);
    assertArrayEquals(expected, first, layer);
    Arrays.fill(first, (byte) 0);
    byte[] second = db.get(key);
    assertArrayEquals(expected, second, layer + ": the caller's change reached the store");
    assertNotSame(first, second, layer);
  }

  @Test
  void changingAValueAGetReturnedChangesNothingInAnyLayer() {
    StrataOptions options = StrataOptions.builder()
        .compression(Compression.LZ4) // SST blocks decompressed and shared through the block cache
        .compressionPerLevel(List.of())
        .statsLogInterval(java.time.Duration.ZERO)
        .build();
    byte[] value = new byte[200];
    Arrays.fill(value, (byte) 'v');
    try (Strata db = Strata.open(dir, options)) {
      db.put(TestHarness.b("in-sst"), value);
      db.flush();
      db.put(TestHarness.b("in-memtable"), value);
      assertOwnArray(db, TestHarness.b("in-memtable"), value, "memtable");
      assertOwnArray(db, TestHarness.b("in-sst"), value, "SST through the cache");
      try (Snapshot snapshot = db.snapshot()) {
        byte[] got = snapshot.get(TestHarness.b("in-sst"));
        Arrays.fill(got, (byte) 0);
        assertArrayEquals(value, snapshot.get(TestHarness.b("in-sst")), "snapshot read");
      }
    }
  }
}
