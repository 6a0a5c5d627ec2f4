package dev.strata.actor;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.key;
import static dev.strata.TestHarness.s;
import static dev.strata.actor.ShutdownHarness.HANG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.DurabilityAccess;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import dev.strata.Transaction;
import dev.strata.WriteBatch;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.GatedFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever races {@code close()}, it returns: normally when it got in first, else with the
 * {@code IllegalStateException} of a closed store (or a {@code StrataException} for a write the
 * close refused). A close bounded by a timeout returns although a compaction or a flush is held,
 * releases the directory, and leaves every acknowledged write to the next open.
 */
class CloseRaceTest {
  private static final int ROUNDS = 12;
  private static final int CALLERS = 4;

  @TempDir Path dir;

  /** Small memtables and an L0 trigger of 2, so flushes and compactions run while the calls race. */
  private static StrataOptions busy(boolean syncWrites) {
    return StrataOptions.builder()
        .memtableSizeBytes(8 * 1024)
        .maxImmutableMemtables(1)
        .blockSizeBytes(1024)
        .syncWrites(syncWrites)
        .compaction(CompactionOptions.leveled().level0FileTrigger(2).baseLevelBytes(64 * 1024))
        .build();
  }

  @Test
  void everyPublicCallRacingCloseReturnsOrFailsAsClosedAndTheStoreReopensWithEveryAcknowledgedWrite() {
    long seed = TestHarness.seed("CloseRaceTest.everyPublicCallRacingClose");
    Random random = new Random(seed);
    for (int round = 0; round < ROUNDS; round++) {
      Path store = dir.resolve("round" + round);
      long roundSeed = random.nextLong();
      boolean syncWrites = round % 3 == 2;
      Set<Thread> before = Thread.getAllStackTraces().keySet();
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      List<Throwable> unexpected = new ArrayList<>();
      assertTimeoutPreemptively(HANG, () -> race(store, roundSeed, syncWrites, acknowledged, unexpected),
          "a call racing close() hung (seed " + seed + ", round " + round + ")");
      if (!unexpected.isEmpty()) {
        AssertionError e = new AssertionError("unexpected outcome of a call racing close() (seed " + seed
            + ", round " + round + "): " + unexpected.get(0), unexpected.get(0));
        unexpected.stream().skip(1).forEach(e::addSuppressed);
        throw e;
      }
      // The directory lock is free again, and every write that was acknowledged is there.
      try (Strata reopened = Strata.open(store, busy(false))) {
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
          assertEquals(e.getValue(), s(reopened.get(b(e.getKey()))), "acknowledged write of " + e.getKey()
              + " (seed " + seed + ", round " + round + ")");
        }
      }
      assertNoStrataThreadLeftBut(before);
    }
  }

  private static void race(Path store, long seed, boolean syncWrites, Map<String, String> acknowledged,
      List<Throwable> unexpected) throws Exception {
    Strata db = Strata.open(store, busy(syncWrites));
    Random random = new Random(seed);
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> callers = new ArrayList<>();
    for (int c = 0; c < CALLERS; c++) {
      long callerSeed = random.nextLong();
      int caller = c;
      Thread t = new Thread(() -> {
        Random r = new Random(callerSeed);
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        // Keep calling until a few calls after the close: those must fail as closed, not hang.
        for (int i = 0, afterClose = 0; afterClose < 5; i++) {
          if (db.isClosed()) {
            afterClose++;
          }
          try {
            call(db, r.nextInt(14), caller + "-" + i, acknowledged);
          } catch (IllegalStateException e) {
            if (!e.getMessage().contains("closed")) {
              synchronized (unexpected) {
                unexpected.add(e);
              }
            }
          } catch (StrataException e) {
            // A write the closing store refused; nothing was acknowledged.
          } catch (Throwable e) {
            synchronized (unexpected) {
              unexpected.add(e);
            }
          }
        }
      }, "close-race-caller-" + c);
      t.start();
      callers.add(t);
    }
    start.countDown();
    Thread.sleep(random.nextInt(30));
    db.close();
    for (Thread t : callers) {
      t.join();
    }
  }

  /** One public call; a write that returns normally is recorded as acknowledged. */
  private static void call(Strata db, int which, String id, Map<String, String> acknowledged) {
    String k = "k" + id;
    switch (which) {
      case 0 -> {
        db.put(b(k), b("v" + id));
        acknowledged.put(k, "v" + id);
      }
      case 1 -> {
        db.write(new WriteBatch().put(b(k), b("w" + id)).put(b(k + "b"), b("w" + id)));
        acknowledged.put(k, "w" + id);
        acknowledged.put(k + "b", "w" + id);
      }
      case 2 -> {
        db.putAsync(b(k), b("a" + id)).toCompletableFuture().join();
        acknowledged.put(k, "a" + id);
      }
      case 3 -> db.flush();
      case 4 -> db.compact();
      case 5 -> db.sync();
      case 6 -> db.waitForCompactions();
      case 7 -> db.stats();
      case 8 -> {
        try (Snapshot snap = db.snapshot()) {
          snap.get(b(k));
        }
      }
      case 9 -> {
        try (Transaction txn = db.begin()) {
          txn.put(b(k), b("t" + id));
          txn.commit();
        }
        acknowledged.put(k, "t" + id);
      }
      case 10 -> TestHarness.drain(db.scan(Bound.unbounded(), Bound.excluded(b("k1"))));
      case 11 -> db.get(b(k));
      case 12 -> db.delete(b("gone" + id));
      default -> {
        for (int i = 0; i < 20; i++) {
          db.put(key(i), new byte[300]); // fills memtables, so flushes and stalls happen
        }
      }
    }
  }

  /** Threads the round's embedded ActorSystem ("strata") started are all gone, eventually. */
  private static void assertNoStrataThreadLeftBut(Set<Thread> before) {
    assertTimeoutPreemptively(HANG, () -> {
      while (true) {
        List<String> left = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> !before.contains(t) && t.isAlive() && t.getName().startsWith("strata-"))
            .map(Thread::getName).collect(Collectors.toList());
        if (left.isEmpty()) {
          return;
        }
        Thread.sleep(50);
      }
    }, "the embedded ActorSystem's threads are gone after close()");
  }

  @Test
  void compactRacingCloseReturnsOrFailsAsClosed() {
    for (int round = 0; round < ROUNDS; round++) {
      Strata db = Strata.open(dir.resolve("round" + round), busy(false));
      int delayMillis = round;
      assertTimeoutPreemptively(HANG, () -> {
        for (int i = 0; i < 500; i++) {
          db.put(key(i), new byte[100]);
        }
        CompletableFuture<Void> compacting = CompletableFuture.runAsync(() -> {
          while (true) {
            try {
              db.compact();
            } catch (IllegalStateException e) {
              assertTrue(e.getMessage().contains("store is closed"), e.getMessage());
              return;
            }
          }
        });
        Thread.sleep(delayMillis);
        db.close();
        compacting.join();
      });
    }
  }

  @Test
  void closeWithATimeoutReturnsWhileACompactionIsHeldAndTheStoreReopensWithEveryAcknowledgedWrite()
      throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "close-timeout", ConfigFactory.load());
    GatedFileSystem fs = GatedFileSystem.holdingCompactionOutputs(DiskFileSystem.INSTANCE);
    StrataOptions options = StrataOptions.builder().memtableSizeBytes(8 * 1024).compaction(CompactionOptions.none())
        .build();
    try {
      Strata db = DurabilityAccess.open(system, dir, options, fs);
      for (int i = 0; i < 300; i++) {
        db.put(key(i), b("flushed" + i));
      }
      db.flush();
      for (int i = 0; i < 300; i++) {
        db.put(key(i), b("v" + i)); // acknowledged, in the memtable and the WAL only
      }
      CompletableFuture<Throwable> compact = CompletableFuture.supplyAsync(() ->
          assertThrows(IllegalStateException.class, db::compact));
      fs.awaitReached(HANG);
      assertTimeoutPreemptively(HANG, () -> db.close(Duration.ofMillis(300)));
      assertTimeoutPreemptively(HANG, () -> compact.join());
      try (Strata reopened = Strata.open(system, dir, options)) {
        for (int i = 0; i < 300; i++) {
          assertEquals("v" + i, s(reopened.get(key(i))));
        }
      }
    } finally {
      fs.open();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void closeWithATimeoutReturnsWhileAFlushIsHeldAndCallsWaitingOnTheWriterFailAsClosed() throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "close-timeout", ConfigFactory.load());
    GatedFileSystem fs = GatedFileSystem.holdingSsts(DiskFileSystem.INSTANCE);
    StrataOptions options = StrataOptions.builder().memtableSizeBytes(4096).maxImmutableMemtables(1)
        .compaction(CompactionOptions.none()).build();
    try {
      Strata db = DurabilityAccess.open(system, dir, options, fs);
      // Asynchronous writes until one is held behind the held flush (earlier ones may have waited
      // at the writer for a moment and been acknowledged since).
      List<CompletableFuture<?>> writes = new ArrayList<>();
      while (true) {
        CompletableFuture<?> write = db.putAsync(key(writes.size()), b("v" + writes.size())).toCompletableFuture();
        writes.add(write);
        if (!write.isDone() && fs.isReached()) {
          break;
        }
      }
      CompletableFuture<Void> flush = CompletableFuture.runAsync(db::flush);
      CompletableFuture<Void> put = CompletableFuture.runAsync(() -> db.put(b("held"), b("put")));
      assertTimeoutPreemptively(HANG, () -> db.close(Duration.ofMillis(300)));
      for (CompletableFuture<?> call : List.of(flush, put)) {
        Throwable failure = assertTimeoutPreemptively(HANG, () -> assertThrows(Exception.class, call::join));
        assertTrue(failure.getCause() instanceof IllegalStateException, "failed as closed: " + failure);
      }
      for (CompletableFuture<?> write : writes) {
        assertTimeoutPreemptively(HANG, () -> write.handle((v, e) -> null).join());
      }
      try (Strata reopened = Strata.open(system, dir, options)) {
        for (int i = 0; i < writes.size(); i++) {
          if (!writes.get(i).isCompletedExceptionally()) {
            assertEquals("v" + i, s(reopened.get(key(i))), "acknowledged write " + i);
          }
        }
        assertEquals(null, reopened.get(b("held")));
      }
    } finally {      fs.open();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
