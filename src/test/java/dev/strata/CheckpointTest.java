package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.key;
import static dev.strata.TestHarness.s;
import static dev.strata.TestHarness.scanAll;
import static dev.strata.TestHarness.smallOptions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Strata#checkpoint}: an openable copy of the store as of the call, holding every write
 * acknowledged before it and none started after it returned, with SSTs hard-linked, independent
 * of the store it was taken from.
 */
class CheckpointTest {
  private static final int WRITERS = 4;
  private static final int CHECKPOINTS = 5;

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
  void checkpointsTakenWhileWritersRunHoldExactlyWhatWasAcknowledgedBeforeTheCall() throws Exception {
    Path dir = tmp.resolve("db");
    // started[w] is set to i before writer w starts write i; acked[w] to i once put(i) returned.
    AtomicLongArray started = new AtomicLongArray(WRITERS);
    AtomicLongArray acked = new AtomicLongArray(WRITERS);
    for (int w = 0; w < WRITERS; w++) {
      started.set(w, -1);
      acked.set(w, -1);
    }
    long[][] ackedBefore = new long[CHECKPOINTS][WRITERS];
    long[][] startedBy = new long[CHECKPOINTS][WRITERS];
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    try (Strata db = Strata.open(dir, busyOptions())) {
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
      for (int c = 0; c < CHECKPOINTS; c++) {
        awaitProgress(acked, failures, 1000L * (c + 1));
        for (int w = 0; w < WRITERS; w++) {
          ackedBefore[c][w] = acked.get(w);
        }
        db.checkpoint(tmp.resolve("checkpoint-" + c));
        for (int w = 0; w < WRITERS; w++) {
          startedBy[c][w] = started.get(w);
        }
      }
      writing.set(false);
      for (Thread t : threads) {
        t.join();
      }
      assertTrue(failures.isEmpty(), () -> "writers failed: " + failures);
      assertTrue(db.stats().compactionBytesWritten() > 0, "compactions ran while the checkpoints were taken");
      db.compact(); // the store's files change under the checkpoints, which must not notice
    }
    for (int c = 0; c < CHECKPOINTS; c++) {
      try (Strata copy = Strata.open(tmp.resolve("checkpoint-" + c), busyOptions())) {
        for (int w = 0; w < WRITERS; w++) {
          long present = countPrefix(copy, w);
          // Writer w's writes are sequential: the checkpoint holds a prefix of them, which covers
          // every acknowledged write before the call and stops before any started after it.
          assertTrue(present - 1 >= ackedBefore[c][w], "checkpoint " + c + " lost writer " + w
              + "'s write " + ackedBefore[c][w] + ", acknowledged before the call; it holds " + present);
          assertTrue(present - 1 <= startedBy[c][w], "checkpoint " + c + " holds writer " + w + "'s write "
              + (present - 1) + ", started after the call returned (by then it had started " + startedBy[c][w] + ")");
          assertNull(copy.get(writerKey(w, present)), "writer " + w + "'s writes in checkpoint " + c + " have a gap");
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

  @Test
  void sstsAreHardLinksOfTheStoresFilesOnTheSameFileSystem() throws Exception {
    Path dir = tmp.resolve("db");
    Path target = tmp.resolve("checkpoint");
    try (Strata db = Strata.open(dir, smallOptions())) {
      for (int i = 0; i < 2000; i++) {
        db.put(key(i), b("v" + i));
      }
      db.flush();
      db.checkpoint(target);
      List<Path> ssts = files(target, ".sst");
      assertFalse(ssts.isEmpty(), "the checkpoint holds the store's SSTs");
      for (Path copy : ssts) {
        Path original = dir.resolve(copy.getFileName());
        assertEquals(Files.getAttribute(original, "unix:ino"), Files.getAttribute(copy, "unix:ino"),
            copy + " is a hard link of " + original);
      }
    }
  }

  @Test
  void writesNotYetFlushedComeFromTheCopiedWal() throws Exception {
    Path target = tmp.resolve("checkpoint");
    try (Strata db = Strata.open(tmp.resolve("db"))) {
      db.put(b("a"), b("1"));
      db.delete(b("a"));
      db.put(b("b"), b("2"));
      db.checkpoint(target);
      db.put(b("c"), b("after"));
    }
    assertTrue(files(target, ".sst").isEmpty(), "nothing was flushed");
    assertFalse(files(target, ".wal").isEmpty(), "the memtable's WAL is copied");
    try (Strata copy = Strata.open(target)) {
      assertEquals(List.of("b=2"), scanAll(copy));
    }
  }

  @Test
  void theStoreKeepsWorkingAndCompactingWithoutChangingTheCheckpoint() throws Exception {
    Path dir = tmp.resolve("db");
    Path target = tmp.resolve("checkpoint");
    try (Strata db = Strata.open(dir, smallOptions())) {
      for (int i = 0; i < 1000; i++) {
        db.put(key(i), b("old" + i));
      }
      db.flush();
      db.checkpoint(target);
      for (int i = 0; i < 1000; i += 2) {
        db.put(key(i), b("new" + i));
      }
      db.delete(key(1));
      db.compact(); // deletes the SSTs the checkpoint links to, in the store's directory
    }
    try (Strata copy = Strata.open(target, smallOptions())) {
      for (int i = 0; i < 1000; i++) {
        assertEquals("old" + i, s(copy.get(key(i))), "checkpoint key " + i);
      }
      copy.put(key(0), b("checkpoint's own"));
      copy.compact(); // the checkpoint's compaction deletes its links, not the store's files
    }
    try (Strata db = Strata.open(dir, smallOptions())) {
      assertEquals("new0", s(db.get(key(0))));
      assertNull(db.get(key(1)));
      assertEquals("old3", s(db.get(key(3))));
    }
    try (Strata copy = Strata.open(target, smallOptions())) {
      assertEquals("checkpoint's own", s(copy.get(key(0))));
      assertEquals("old1", s(copy.get(key(1))));
    }
  }

  @Test
  void withTheWalOffTheAcknowledgedWritesAreFlushedIntoTheCheckpoint() throws Exception {
    Path target = tmp.resolve("checkpoint");
    StrataOptions noWal = StrataOptions.builder().walEnabled(false).build();
    try (Strata db = Strata.open(tmp.resolve("db"), noWal)) {
      db.put(b("k"), b("v"));
      db.checkpoint(target);
    }
    try (Strata copy = Strata.open(target, noWal)) {
      assertEquals("v", s(copy.get(b("k"))));
    }
  }

  @Test
  void anExistingTargetIsRefusedWithAClearErrorAndTheStoreCarriesOn() throws Exception {
    Path target = Files.createDirectory(tmp.resolve("taken"));
    try (Strata db = Strata.open(tmp.resolve("db"), smallOptions())) {
      db.put(b("k"), b("v"));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> db.checkpoint(target));
      assertTrue(e.getMessage().contains(target.toString()) && e.getMessage().contains("already exists"),
          e.getMessage());
      try (Stream<Path> left = Files.list(target)) {
        assertEquals(0, left.count(), "nothing was written into the existing directory");
      }
      db.put(b("k2"), b("v2"));
      db.flush(); // the WAL the failed checkpoint held is let go and deleted as usual
      assertEquals(1, files(tmp.resolve("db"), ".wal").size(), "only the new memtable's WAL is left");
      db.checkpoint(tmp.resolve("fresh"));
    }
    try (Strata copy = Strata.open(tmp.resolve("fresh"))) {
      assertEquals(List.of("k=v", "k2=v2"), scanAll(copy));
    }
  }

  @Test
  void aClosedStoreRefusesACheckpoint() {
    Strata db = Strata.open(tmp.resolve("db"));
    db.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> db.checkpoint(tmp.resolve("c")));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("c")));
  }

  @Test
  void aNullTargetIsRefused() {
    try (Strata db = Strata.open(tmp.resolve("db"))) {
      assertThrows(NullPointerException.class, () -> db.checkpoint(null));
    }
  }

  private static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }
}
