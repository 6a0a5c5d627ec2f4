package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.closeIgnoringErrors;
import static dev.strata.durability.DurabilityHarness.messages;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.s;
import static dev.strata.durability.DurabilityHarness.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.WalRecoveryMode;
import dev.strata.WriteBatch;
import dev.strata.fs.FaultInjectingFileSystem;
import dev.strata.fs.FaultInjectingFileSystem.Op;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.ForwardingWritableFile;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.testing.ActorSystemPerClass;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code syncWrites(true)}, a synchronous write that commits on its caller's thread is synced
 * there too, in groups the callers lead themselves: acknowledged means durable, through rotations,
 * failed fsyncs and a close, and no caller is left waiting.
 */
class CallerSyncTest {
  private static final int THREADS = 16;

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  private static StrataOptions synced() {
    return DurabilityHarness.smallOptions().syncWrites(true).build();
  }

  @Test
  void aSyncedPutIsSyncedOnItsCallersThreadAndSurvivesAPowerLoss() {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    WalSyncThreads fs = new WalSyncThreads(mem);
    try (Strata db = open(SYSTEM.get(), fs, synced())) {
      for (int i = 0; i < 20; i++) {
        db.put(b("k" + i), b("v" + i));
      }
      db.delete(b("k3"));
      db.write(new WriteBatch().put(b("batched"), b("yes")).delete(b("k4")));
      assertTrue(fs.threads.contains(Thread.currentThread().getName()),
          "the WAL was synced on the caller's thread: " + fs.threads);
      mem.crash(); // a power loss before close: only what was synced is left
    } catch (StrataException closingAfterThePowerLoss) {
      // The WAL's handle died with the power; the close says so.
    }
    try (Strata reopened = open(SYSTEM.get(), mem, synced())) {
      for (int i = 0; i < 20; i++) {
        String expected = i == 3 || i == 4 ? null : "v" + i;
        assertEquals(expected, s(reopened.get(b("k" + i))), "key k" + i);
      }
      assertEquals("yes", s(reopened.get(b("batched"))));
    }
  }

  @Test
  void syncedWritesFromManyThreadsAcrossManyRotationsAllSurviveAPowerLoss() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    List<List<String>> acknowledged = new ArrayList<>();
    Strata db = open(SYSTEM.get(), mem, synced());
    long rotations;
    try {
      acknowledged = writeFromThreads(db, 150, null);
      rotations = db.stats().levelFileCounts()[0]; // no compaction: every flushed memtable is an L0 file
    } finally {
      mem.crash();
      closeIgnoringErrors(db);
    }
    assertTrue(rotations >= 5, "the 32 KiB memtables rotated many times under the writes: " + rotations);
    try (Strata reopened = open(SYSTEM.get(), mem, synced())) {
      assertAllPresent(reopened, acknowledged);
    }
  }

  @Test
  void aWriteIntoANewWalIsNotAcknowledgedBeforeTheWritesInTheRetiredWalAreDurable() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    RetiredSyncGate fs = new RetiredSyncGate(mem);
    Strata db = open(SYSTEM.get(), fs, synced());
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      // Writes from many threads until a rotation retires the first WAL and the writer's sync of
      // its tail blocks; writes that committed into it but were not yet synced are that tail.
      fillUntilTheRetiredSyncIsHeld(db, fs, pool, acknowledged);
      assertTrue(fs.entered.await(30, TimeUnit.SECONDS), "a rotation synced the retired WAL");
      // A write into the new WAL: a caller's sync of that WAL alone would leave what the retired
      // one holds past its last sync unsynced, so it is acknowledged only if that is durable.
      Future<?> next = pool.submit(() -> {
        db.put(b("after-rotation"), b("value of after-rotation"));
        acknowledged.add("after-rotation");
      });
      try {
        next.get(300, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException waiting) {
        // Waiting for the writer's sync: as it should, unless a caller synced the retired WAL whole.
      }
      mem.crash(); // a power loss while the retired WAL's sync is held
    } finally {
      fs.release.countDown();
      pool.shutdownNow();
      closeIgnoringErrors(db);
    }
    try (Strata reopened = open(SYSTEM.get(), mem, synced())) {
      assertAllPresent(reopened, List.of(new ArrayList<>(acknowledged)));
    }
  }

  @Test
  void aProcessCrashWhileARotationsSyncIsHeldLeavesTheRetiredWalHoldingWhatTheManifestRecorded() throws Exception {
    // The manifest records a retired WAL's last sequence before the writer syncs that WAL. Its
    // newest records must be in the file by then: appends that wait in the process for a sync
    // would die with it, and the next open would read the short WAL as a power loss (which
    // ABSOLUTE_CONSISTENCY refuses to open).
    InMemoryFileSystem mem = new InMemoryFileSystem();
    RetiredSyncGate fs = new RetiredSyncGate(mem);
    StrataOptions options = DurabilityHarness.smallOptions().syncWrites(true)
        .walRecoveryMode(WalRecoveryMode.ABSOLUTE_CONSISTENCY).build();
    Strata db = open(SYSTEM.get(), fs, options);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      fillUntilTheRetiredSyncIsHeld(db, fs, pool, acknowledged);
      assertTrue(fs.entered.await(30, TimeUnit.SECONDS), "a rotation synced the retired WAL");
      mem.killProcess(); // the process dies while the retired WAL's sync is held
    } finally {
      fs.release.countDown();
      pool.shutdownNow();
      closeIgnoringErrors(db);
    }
    try (Strata reopened = open(SYSTEM.get(), mem, options)) {
      assertAllPresent(reopened, List.of(new ArrayList<>(acknowledged)));
    }
  }

  @Test
  void aFailedFsyncFailsTheWritesWaitingForItAndNoWalIsSyncedAgain() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    WalSyncThreads walSyncs = new WalSyncThreads(mem);
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(walSyncs);
    Strata db = open(SYSTEM.get(), fs, synced());
    List<List<String>> acknowledged;
    AtomicBoolean sawFailure = new AtomicBoolean();
    try {
      fs.failAt(Op.SYNC, 40, FaultInjectingFileSystem.Kind.IO_EXCEPTION,
          p -> p.getFileName().toString().endsWith(".wal"));
      acknowledged = writeFromThreads(db, 100, e -> {
        assertTrue(messages(e).contains("injected failure: SYNC") || messages(e).contains("read-only"),
            "a write after the failed fsync names it: " + messages(e));
        sawFailure.set(true);
      });
      assertTrue(sawFailure.get(), "some write met the failed fsync");
      int walSyncsBefore = walSyncs.count.get();
      assertThrows(StrataException.class, () -> db.put(b("after"), b("the failure")));
      closeIgnoringErrors(db);
      // On Linux a second fsync may report success after the kernel dropped the pages the first
      // one failed to write: none is tried, by a caller, the writer or the close.
      assertEquals(walSyncsBefore, walSyncs.count.get(), "WAL fsyncs after the failed one");
    } finally {
      closeIgnoringErrors(db);
    }
    mem.crash();
    try (Strata reopened = open(SYSTEM.get(), mem, synced())) {
      assertAllPresent(reopened, acknowledged);
    }
  }

  @Test
  void aCloseWhileSyncedWritersWaitLeavesNoneOfThemWaiting() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    Strata db = open(SYSTEM.get(), mem, synced());
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<List<String>>> writers = new ArrayList<>();
    CountDownLatch started = new CountDownLatch(THREADS);
    try {
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        writers.add(pool.submit(() -> {
          List<String> acked = new ArrayList<>();
          started.countDown();
          for (int i = 0; ; i++) {
            String key = "t" + thread + "-" + i;
            try {
              db.put(b(key), b("value of " + key));
            } catch (IllegalStateException | StrataException closed) {
              return acked; // refused or failed by the close: not acknowledged
            }
            acked.add(key);
          }
        }));
      }
      started.await();
      Thread.sleep(50);
      within("close() while synced writes wait", db::close);
      List<List<String>> acknowledged = new ArrayList<>();
      for (Future<List<String>> w : writers) {
        acknowledged.add(w.get(DurabilityHarness.STUCK.toSeconds(), TimeUnit.SECONDS));
      }
      mem.crash();
      try (Strata reopened = open(SYSTEM.get(), mem, synced())) {
        assertAllPresent(reopened, acknowledged);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSyncedPutFromAnInterruptedThreadIsMadeDurableAndTheThreadStaysInterrupted(@TempDir Path dir)
      throws Exception {
    // On disk: an fsync through a FileChannel on an interrupted thread would close the channel
    // (ClosedByInterruptException), failing the store.
    StrataOptions options = StrataOptions.builder().syncWrites(true).memtableSizeBytes(64 * 1024).build();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Strata db = Strata.open(SYSTEM.get(), dir, options)) {
      Future<Boolean> run = pool.submit(() -> {
        for (int i = 0; i < 2_000; i++) { // rotations (64 KiB memtables) and new WAL segments on the way
          Thread.currentThread().interrupt(); // each put starts interrupted
          db.put(b("i" + i), b("value " + i + "-".repeat(100)));
          if (!Thread.interrupted()) {
            return false;
          }
        }
        return true;
      });
      assertTrue(run.get(60, TimeUnit.SECONDS), "every put returned with its thread still interrupted");
      db.put(b("after"), b("the interrupted ones"));
      assertEquals("value 1999" + "-".repeat(100), s(db.get(b("i1999"))));
      assertEquals("", db.stats().backgroundError(), "the store is healthy");
    } finally {
      pool.shutdownNow();
    }
    try (Strata reopened = Strata.open(SYSTEM.get(), dir, options)) {
      assertEquals("value 0" + "-".repeat(100), s(reopened.get(b("i0"))));
      assertEquals("the interrupted ones", s(reopened.get(b("after"))));
    }
  }

  @Test
  void writeAsyncWithSyncedWritesNeverSyncsOnItsCaller() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    WalSyncThreads fs = new WalSyncThreads(mem);
    try (Strata db = open(SYSTEM.get(), fs, synced())) {
      fs.threads.clear();
      db.writeAsync(new WriteBatch().put(b("a"), b("1"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertFalse(fs.threads.contains(Thread.currentThread().getName()),
          "a caller that must not block never syncs: " + fs.threads);
      assertFalse(fs.threads.isEmpty(), "the writer synced it before the stage completed");
    }
  }

  /**
   * Puts {@code perThread} keys from each of {@link #THREADS} threads at once, half as plain puts
   * and half as two-key batches, and returns, per thread, the keys whose write returned. A write
   * that throws ends its thread's run: {@code onFailure} sees the exception (null: rethrown).
   */
  private static List<List<String>> writeFromThreads(Strata db, int perThread,
      java.util.function.Consumer<StrataException> onFailure) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<String>>> runs = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        runs.add(pool.submit(() -> {
          List<String> acked = new ArrayList<>();
          start.await();
          for (int i = 0; i < perThread; i++) {
            String key = String.format("t%02d-%05d", thread, i);
            try {
              if (i % 2 == 0) {
                db.put(b(key), b("value of " + key + "-".repeat(60)));
                acked.add(key);
              } else {
                db.write(new WriteBatch().put(b(key), b("value of " + key + "-".repeat(60)))
                    .put(b(key + "-pair"), b("value of " + key + "-pair")));
                acked.add(key);
                acked.add(key + "-pair");
              }
            } catch (StrataException e) {
              if (onFailure == null) {
                throw e;
              }
              onFailure.accept(e);
              break;
            }
          }
          return acked;
        }));
      }
      start.countDown();
      List<List<String>> out = new ArrayList<>();
      for (Future<List<String>> run : runs) {
        out.add(run.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertAllPresent(Strata db, List<List<String>> acknowledged) {
    int checked = 0;
    for (List<String> keys : acknowledged) {
      for (String key : keys) {
        String value = s(db.get(b(key)));
        assertTrue(value != null && value.startsWith("value of " + key),
            "the acknowledged synced write of " + key + " survives a power loss, found " + value);
        checked++;
      }
    }
    assertTrue(checked > 0, "some writes were acknowledged");
  }

  /**
   * Holds the writer's first sync of a WAL that is no longer the newest (a rotation's sync of the
   * retired one) until released. A caller may sync such a WAL too, one it took as current just
   * before the rotation: that is not the sync held here.
   */
  /** Puts from THREADS threads of {@code pool}, recording each acknowledged key, until {@code fs} holds a sync. */
  private static void fillUntilTheRetiredSyncIsHeld(Strata db, RetiredSyncGate fs, ExecutorService pool,
      List<String> acknowledged) {
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      pool.submit(() -> {
        for (int i = 0; fs.entered.getCount() > 0; i++) {
          String key = String.format("fill-%02d-%05d", thread, i);
          db.put(b(key), b("value of " + key));
          acknowledged.add(key);
        }
        return null;
      });
    }
  }

  private static final class RetiredSyncGate extends ForwardingFileSystem {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private volatile Path newestWal;

    RetiredSyncGate(FileSystem delegate) {
      super(delegate);
    }

    @Override
    public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
      return gated(delegate.createMapped(path, segmentBytes, preparer), path);
    }

    /** The WALs of stores with synced writes: appends wait in the process until a sync or a flush. */
    @Override
    public WritableFile createPreallocated(Path path, int segmentBytes, Executor preparer) throws IOException {
      return gated(delegate.createPreallocated(path, segmentBytes, preparer), path);
    }

    private WritableFile gated(WritableFile file, Path path) {
      newestWal = path;
      return new ForwardingWritableFile(file) {
        @Override
        public void sync() throws IOException {
          if (!path.equals(newestWal) && entered.getCount() > 0
              && Thread.currentThread().getName().contains("writer-dispatcher")) {
            entered.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException("interrupted", e);
            }
          }
          delegate.sync();
        }
      };
    }
  }

  /** Counts the WAL syncs that reach the file system, and records the names of the threads making them. */
  private static final class WalSyncThreads extends ForwardingFileSystem {
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final AtomicInteger count = new AtomicInteger();

    WalSyncThreads(FileSystem delegate) {
      super(delegate);
    }

    @Override
    public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
      return recording(delegate.createMapped(path, segmentBytes, preparer));
    }

    @Override
    public WritableFile openMapped(Path path, long offset, int segmentBytes, Executor preparer) throws IOException {
      return recording(delegate.openMapped(path, offset, segmentBytes, preparer));
    }

    private WritableFile recording(WritableFile file) {
      return new ForwardingWritableFile(file) {
        @Override
        public void sync() throws IOException {
          threads.add(Thread.currentThread().getName());
          count.incrementAndGet();
          delegate.sync();
        }
      };
    }
  }
}
