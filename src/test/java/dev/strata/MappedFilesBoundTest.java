package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * maxMappedFiles bounds the SSTs a store keeps memory-mapped (counted in the process's own
 * /proc/self/maps): with many more SSTs than that, gets, scans and iterators opened before the
 * files they read were unmapped all return the right data, and a reopen, which opens every SST,
 * stays within the bound too.
 */
@Timeout(120)
class MappedFilesBoundTest {
  private static final int SSTS = 24;
  private static final int KEYS_PER_SST = 50;
  private static final int BOUND = 3;

  @TempDir Path dir;

  private Strata open() {
    return Strata.open(dir, TestHarness.smallOptions().toBuilder()
        .memtableSizeBytes(1 << 20)
        .maxMappedFiles(BOUND)
        .build());
  }

  private static String value(int sst, int i) {
    return "v" + sst + "-" + i;
  }

  /** SST files of this store the process has mapped now. */
  private Set<String> mappedSsts() throws IOException {
    Set<String> files = new HashSet<>();
    String prefix = dir.toAbsolutePath() + "/";
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      int at = line.indexOf(prefix);
      if (at >= 0 && line.contains(".sst")) {
        files.add(line.substring(at));
      }
    }
    return files;
  }

  private void assertWithinBound(String when) throws IOException {
    Set<String> mapped = mappedSsts();
    assertTrue(mapped.size() <= BOUND, when + ": " + mapped.size() + " SSTs mapped, bound " + BOUND + ": " + mapped);
  }

  @Test
  void manyMoreSstsThanTheBoundReadCorrectlyWhileAtMostTheBoundAreMapped() throws IOException {
    assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "counts mappings in /proc/self/maps (Linux)");
    List<String> expected = new ArrayList<>();
    try (Strata db = open()) {
      for (int sst = 0; sst < SSTS; sst++) {
        for (int i = 0; i < KEYS_PER_SST; i++) {
          // Interleaved keys: every SST overlaps every other, so a scan merges all of them.
          db.put(TestHarness.key(i * SSTS + sst), b(value(sst, i)));
        }
        db.flush();
        assertWithinBound("after flush " + sst);
      }
      assertEquals(SSTS, db.stats().levelFileCounts()[0]);
      for (int i = 0; i < KEYS_PER_SST * SSTS; i++) {
        expected.add(s(TestHarness.key(i)) + "=" + value(i % SSTS, i / SSTS));
      }

      // An iterator opened now reads every SST as it goes, across the unmapping of each.
      StrataIterator early = db.scan(Bound.unbounded(), Bound.unbounded());
      for (int round = 0; round < 2; round++) {
        for (int k = 0; k < KEYS_PER_SST * SSTS; k += 7) {
          assertEquals(value(k % SSTS, k / SSTS), s(db.get(TestHarness.key(k))), "key " + k);
        }
        assertWithinBound("after gets, round " + round);
      }
      assertEquals(expected, TestHarness.drain(early));
      assertEquals(expected, TestHarness.scanAll(db));
      assertWithinBound("after scans");
    }
    try (Strata db = open()) {
      assertWithinBound("after a reopen opened all " + SSTS + " SSTs");
      assertEquals(expected, TestHarness.scanAll(db));
      db.compact();
      assertEquals(expected, TestHarness.scanAll(db));
      assertWithinBound("after a full compaction");
    }
  }

  @Test
  void theBoundIsAnOptionWithAReferenceConfKeyAndABadValueIsRefusedClearly() {
    assertEquals(4096, StrataOptions.defaults().maxMappedFiles());
    assertEquals(7, StrataOptions.fromConfig(com.typesafe.config.ConfigFactory.parseString(
        "strata.max-mapped-files = 7")).maxMappedFiles());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> StrataOptions.builder().maxMappedFiles(0));
    assertEquals("maxMappedFiles must be at least 1, got 0", e.getMessage());
  }
}
