package dev.strata.backup;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups taken while writers run and flushes and compactions rewrite the store: each restores to
 * a state holding every write acknowledged before {@link StrataBackups#create} was called, and,
 * since each writer's writes are sequential, a gapless prefix of them.
 */
class BackupWhileWritingTest {
  private static final int WRITERS = 4;
  private static final int BACKUPS = 3;

  @TempDir Path tmp;

  private static byte[] writerKey(int writer, long i) {
    return b(String.format("w%d-%08d", writer, i));
  }

  /** Flushes and compactions run all the time: tiny memtables, a low L0 trigger, small levels. */
  private static StrataOptions busyOptions() {
    return StrataOptions.builder()
        .memtableSizeBytes(32 * 1024)
        .targetSstSizeBytes(16 * 1024)
        .blockSizeBytes(512)
        .maxImmutableMemtables(2)
        .compaction(CompactionOptions.leveled().level0FileTrigger(2).baseLevelBytes(64 * 1024))
        .build();
  }

  @Test
  void aBackupHoldsEveryWriteAcknowledgedBeforeItWasCalled() throws Exception {
    AtomicLongArray started = new AtomicLongArray(WRITERS);
    AtomicLongArray acked = new AtomicLongArray(WRITERS);
    for (int w = 0; w < WRITERS; w++) {
      started.set(w, -1);
      acked.set(w, -1);
    }
    long[][] ackedBefore = new long[BACKUPS][WRITERS];
    long[][] startedBy = new long[BACKUPS][WRITERS];
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    try (StrataBackups backups = StrataBackups.open(tmp.resolve("backups"));
        Strata db = Strata.open(tmp.resolve("db"), busyOptions())) {
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        Thread t = new Thread(() -> {
          try {
            for (long i = 0; writing.get(); i++) {
              started.set(writer, i);
              db.put(writerKey(writer, i), writerKey(writer, i));
              acked.set(writer, i);
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        });
        threads.add(t);
        t.start();
      }
      for (int c = 0; c < BACKUPS; c++) {
        awaitProgress(acked, failures, 1500L * (c + 1));
        for (int w = 0; w < WRITERS; w++) {
          ackedBefore[c][w] = acked.get(w);
        }
        backups.create(db);
        for (int w = 0; w < WRITERS; w++) {
          startedBy[c][w] = started.get(w);
        }
      }
      writing.set(false);
      for (Thread t : threads) {
        t.join();
      }
      assertTrue(failures.isEmpty(), () -> "writers failed: " + failures);
      assertTrue(db.stats().compactionBytesWritten() > 0, "compactions ran while the backups were made");

      for (int c = 0; c < BACKUPS; c++) {
        Path target = tmp.resolve("restored-" + c);
        backups.restore(c + 1, target);
        try (Strata copy = Strata.open(target, busyOptions())) {
          for (int w = 0; w < WRITERS; w++) {
            long present = countPrefix(copy, w);
            assertTrue(present - 1 >= ackedBefore[c][w], "backup " + (c + 1) + " lost writer " + w + "'s write "
                + ackedBefore[c][w] + ", acknowledged before create(); it holds " + present);
            assertTrue(present - 1 <= startedBy[c][w], "backup " + (c + 1) + " holds writer " + w + "'s write "
                + (present - 1) + ", started after create() returned");
            assertNull(copy.get(writerKey(w, present)), "writer " + w + "'s writes in backup " + (c + 1) + " have a gap");
          }
        }
      }
    }
  }

  /** Waits (without a time limit: progress is the condition) until every writer acknowledged {@code writes}. */
  private static void awaitProgress(AtomicLongArray acked, ConcurrentLinkedQueue<Throwable> failures, long writes)
      throws InterruptedException {
    for (int w = 0; w < WRITERS; w++) {
      while (acked.get(w) < writes && failures.isEmpty()) {
        Thread.sleep(1);
      }
    }
    assertTrue(failures.isEmpty(), () -> "writers failed: " + failures);
  }

  /** How many of writer w's writes, from its first, are in {@code db}, each with its value. */
  private static long countPrefix(Strata db, int writer) {
    long n = 0;
    byte[] v;
    while ((v = db.get(writerKey(writer, n))) != null) {
      assertArrayEquals(writerKey(writer, n), v);
      n++;
    }
    return n;
  }
}
