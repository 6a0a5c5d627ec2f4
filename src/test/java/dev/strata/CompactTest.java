package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compact(): everything in one sorted run at the bottom level, newest versions only, no tombstones. */
class CompactTest {
  @TempDir Path dir;

  /** The SST files on disk once they are {@code expected} in number, or after 30 s of waiting for that. */
  private long awaitSstFilesOnDisk(long expected) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    long files = sstFilesOnDisk();
    while (files != expected && System.nanoTime() < deadline) {
      Thread.sleep(5);
      files = sstFilesOnDisk();
    }
    return files;
  }

  private long sstFilesOnDisk() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".sst")).count();
    }
  }

  private static void overwriteAndDelete(Strata db) {
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 400; i++) {
        db.put(TestHarness.key(i), b("round" + round + "-" + i));
      }
    }
    for (int i = 0; i < 400; i += 2) {
      db.delete(TestHarness.key(i));
    }
  }

  @Test
  void compactLeavesOneSortedRunAtTheBottomWithTheNewestValues() {
    // One L0 file per memtable, so that the writes below leave several files to compact.
    try (Strata db = Strata.open(dir, TestHarness.smallOptions().toBuilder().memtablesPerFlush(1).build())) {
      overwriteAndDelete(db);
      db.flush();
      StrataStats before = db.stats();
      assertTrue(before.levelFileCounts()[0] > 3, "several L0 files before: " + before);
      db.compact();
      StrataStats after = db.stats();
      int[] counts = after.levelFileCounts();
      assertEquals(0, counts[0], "L0 is empty: " + after);
      int bottom = counts.length - 1;
      assertTrue(counts[bottom] >= 1, "the bottom level holds the run: " + after);
      for (int i = 1; i < bottom; i++) {
        assertEquals(0, counts[i], "only the bottom level has files: " + after);
      }
      assertTrue(after.totalSstBytes() < before.totalSstBytes() / 3,
          "shadowed versions and tombstones are gone: " + before.totalSstBytes() + " -> " + after.totalSstBytes());
      assertTrue(after.compactionBytesWritten() > 0);
      for (int i = 0; i < 400; i++) {
        byte[] v = db.get(TestHarness.key(i));
        if (i % 2 == 0) {
          assertNull(v, "deleted key " + i);
        } else {
          assertEquals("round4-" + i, s(v));
        }
      }
      assertEquals(200, TestHarness.scanAll(db).size());
    }
  }

  @Test
  void anIteratorOpenedBeforeACompactionKeepsItsViewAndItsFilesUntilClosed() throws Exception {
    try (Strata db = Strata.open(dir, TestHarness.smallOptions())) {
      overwriteAndDelete(db);
      db.flush();
      long filesBefore = sstFilesOnDisk();
      StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded());
      db.compact();
      assertTrue(sstFilesOnDisk() > filesBefore, "the replaced files stay while the iterator reads them");
      int count = 0;
      for (; it.isValid(); it.next()) {
        count++;
      }
      assertEquals(200, count);
      it.close();
      // The writer deletes the files the iterator let go of, not the thread that closed it.
      long live = db.stats().levelFileCounts()[db.stats().levelFileCounts().length - 1];
      assertEquals(live, awaitSstFilesOnDisk(live), "after the iterator closes only the compacted run is on disk");
    }
  }

  @Test
  void aCompactedStoreReopensWithItsLevels() {
    try (Strata db = Strata.open(dir, TestHarness.smallOptions())) {
      overwriteAndDelete(db);
      db.compact();
    }
    try (Strata db = Strata.open(dir, TestHarness.smallOptions())) {
      int[] counts = db.stats().levelFileCounts();
      assertEquals(0, counts[0]);
      assertTrue(counts[counts.length - 1] >= 1);
      assertEquals("round4-1", s(db.get(TestHarness.key(1))));
      assertNull(db.get(TestHarness.key(2)));
      assertEquals(200, TestHarness.scanAll(db).size());
    }
  }

  @Test
  void compactOfAnEmptyStoreIsANoOp() {
    try (Strata db = Strata.open(dir, TestHarness.smallOptions())) {
      db.compact();
      assertEquals(0, db.stats().totalSstBytes());
    }
  }
}
