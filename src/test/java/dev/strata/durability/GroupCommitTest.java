package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.testing.ActorSystemPerClass;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With {@code syncWrites(true)}, concurrent writers share fsyncs: far fewer syncs than writes. */
class GroupCommitTest {
  private static final int THREADS = 32;
  private static final int PUTS_PER_THREAD = 50;

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  @Test
  void concurrentSyncedPutsAreAllAcknowledgedAndShareFsyncs() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    StrataOptions options = DurabilityHarness.smallOptions().syncWrites(true).build();
    int writes = THREADS * PUTS_PER_THREAD;
    long syncs;
    try (Strata db = open(SYSTEM.get(), fs, options)) {
      long syncsBefore = fs.syncCount();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          done.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < PUTS_PER_THREAD; i++) {
              db.put(b(key(thread, i)), b(value(thread, i)));
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : done) {
          f.get(DurabilityHarness.STUCK.toSeconds(), TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      syncs = fs.syncCount() - syncsBefore;
      for (int t = 0; t < THREADS; t++) {
        for (int i = 0; i < PUTS_PER_THREAD; i++) {
          assertEquals(value(t, i), s(db.get(b(key(t, i)))), "acknowledged " + key(t, i));
        }
      }
    }
    System.out.printf("group commit: %d synced puts from %d threads took %d fsyncs%n", writes, THREADS, syncs);
    assertTrue(syncs < writes / 2, writes + " synced puts took " + syncs + " fsyncs: writes do not share them");
    fs.crash();
    try (Strata db = open(SYSTEM.get(), fs, options)) {
      assertEquals(writes, DurabilityHarness.scanAll(db).size(), "acknowledged puts after a power loss");
    }
  }

  private static String key(int thread, int i) {
    return String.format("t%02d-%04d", thread, i);
  }

  private static String value(int thread, int i) {
    return "value-" + thread + "-" + i;
  }
}
