package dev.strata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many writers and readers across many memtable rotations and flushes: no acknowledged write is
 * lost, none is seen out of order, and none is missed by a flush.
 */
class ConcurrentWritersTest {
  private static final int WRITERS = 6;
  private static final int WRITES_PER_WRITER = 4000;

  @TempDir Path dir;

  private static byte[] key(int writer, int i) {
    return String.format("w%02d-%06d", writer, i).getBytes();
  }

  private static byte[] latestKey(int writer) {
    return String.format("latest-%02d", writer).getBytes();
  }

  private static byte[] counter(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  private static int counterOf(byte[] v) {
    return ByteBuffer.wrap(v).getInt();
  }

  @Test
  void acknowledgedWritesSurviveRotationsInOrderAndAreVisibleAtOnce() throws Exception {
    StrataOptions options = StrataOptions.builder()
        .memtableSizeBytes(8 * 1024)
        .maxImmutableMemtables(2)
        .blockSizeBytes(512)
        .compaction(CompactionOptions.none())
        .build();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    try (Strata db = Strata.open(dir, options)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        threads.add(new Thread(() -> {
          try {
            start.await();
            for (int i = 0; i < WRITES_PER_WRITER; i++) {
              if (i % 3 == 0) {
                db.write(new WriteBatch().put(key(writer, i), counter(i)).put(latestKey(writer), counter(i)));
              } else {
                db.put(key(writer, i), counter(i));
                db.put(latestKey(writer), counter(i));
              }
              // Acknowledged means visible to every later read.
              byte[] mine = db.get(key(writer, i));
              if (mine == null || counterOf(mine) != i) {
                throw new AssertionError("writer " + writer + " cannot read its acknowledged write " + i);
              }
            }
          } catch (Throwable t) {
            failures.add(t);
          }
        }, "writer-" + w));
      }
      Thread reader = new Thread(() -> {
        int[] seen = new int[WRITERS];
        java.util.Arrays.fill(seen, -1);
        try {
          start.await();
          while (writing.get()) {
            for (int w = 0; w < WRITERS; w++) {
              byte[] v = db.get(latestKey(w));
              int c = v == null ? -1 : counterOf(v);
              if (c < seen[w]) {
                throw new AssertionError("latest-" + w + " went back from " + seen[w] + " to " + c);
              }
              seen[w] = c;
            }
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }, "reader");
      threads.forEach(Thread::start);
      reader.start();
      start.countDown();
      for (Thread t : threads) {
        t.join();
      }
      writing.set(false);
      reader.join();
      assertTrue(failures.isEmpty(), () -> "failures: " + failures);
      assertTrue(db.stats().levelFileCounts()[0] >= 10, "many rotations and flushes happened: " + db.stats());
      checkEverything(db);
      db.flush();
      checkEverything(db);
    }
    try (Strata db = Strata.open(dir, options)) {
      checkEverything(db);
    }
  }

  private static void checkEverything(Strata db) {
    for (int w = 0; w < WRITERS; w++) {
      for (int i = 0; i < WRITES_PER_WRITER; i++) {
        byte[] v = db.get(key(w, i));
        assertEquals(i, v == null ? -1 : counterOf(v), "writer " + w + " write " + i);
      }
      assertEquals(WRITES_PER_WRITER - 1, counterOf(db.get(latestKey(w))));
    }
    int count = 0;
    try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
      for (; it.isValid(); it.next()) {
        count++;
      }
    }
    assertEquals(WRITERS * WRITES_PER_WRITER + WRITERS, count);
    assertNull(db.get("w99-000000".getBytes()));
  }
}
