package dev.strata.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.WriteBatch;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.ForwardingWritableFile;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.ReadStateCell;
import dev.strata.wal.WalWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A caller waiting for its synced write is woken by an unpark, and the thread may spend that
 * unpark in another park on its way to its own: the commit lock's, when it reads the sync point.
 * The wake must not be lost with it, or the caller waits for good. Seen as writer threads stuck
 * after a simulated power loss (PowerLossTest, about once in 800 rounds); here step by step.
 */
class CallerSyncWakeTest {
  private static final Path DIR = Path.of("/caller-sync-wake");
  /** A thread of its own for each caller: they block, and a shared pool may have too few. */
  private static final Executor THREADS = task -> {
    Thread t = new Thread(task, "caller-sync-wake-test");
    t.setDaemon(true);
    t.start();
  };

  @Test
  void aCallerWokenWhileItWaitsForTheCommitLockHearsOfTheFailedSyncInsteadOfWaitingForGood() throws Exception {
    Scene scene = new Scene(true);
    scene.commit(); // sequence 1, in the WAL, not synced
    // A leader syncs the WAL; the sync is held.
    CompletableFuture<Void> leader = CompletableFuture.runAsync(() -> scene.callerSync.awaitDurable(1, scene.writes), THREADS);
    assertTrue(scene.fs.syncEntered.await(10, TimeUnit.SECONDS), "the leader's sync started");
    // The store fails meanwhile (an append, say), and the writer holds the commit lock.
    scene.errors.fail(new IOException("simulated append failure"));
    CountDownLatch commitLockRelease = scene.holdCommitLock();
    // A second caller waits for the same write: the leader lock is taken and the store failed, so
    // it reads the sync point, and waits for the commit lock.
    CompletableFuture<Void> waiter = scene.awaitDurableWaitingForTheCommitLock(1);

    // The leader's sync fails: every caller is woken, the second one while it waits for the lock.
    scene.fs.syncRelease.countDown();
    assertInstanceOf(StrataException.class, assertFailsWithin(leader).getCause());
    commitLockRelease.countDown();

    ExecutionException failure = assertFailsWithin(waiter);
    assertInstanceOf(StrataException.class, failure.getCause());
    assertTrue(failure.getCause().getMessage().contains("fsync of the WAL failed"), failure.getCause().getMessage());
  }

  @Test
  void aCallerWokenToLeadWhileItWaitsForTheCommitLockLeadsTheNextSync() throws Exception {
    Scene scene = new Scene(false);
    scene.commit(); // sequence 1
    CompletableFuture<Void> leader = CompletableFuture.runAsync(() -> scene.callerSync.awaitDurable(1, scene.writes), THREADS);
    assertTrue(scene.fs.syncEntered.await(10, TimeUnit.SECONDS), "the leader's sync of sequence 1 started");
    scene.commit(); // sequence 2: after the leader read its sync point, so its sync does not cover it
    // Another write's append fails: the store is failed, but no sync has failed.
    scene.errors.fail(new IOException("simulated append failure"));
    CountDownLatch commitLockRelease = scene.holdCommitLock();
    CompletableFuture<Void> waiter = scene.awaitDurableWaitingForTheCommitLock(2);

    // The leader's sync succeeds; it wakes the caller of sequence 2 to lead the next one, while
    // that caller waits for the commit lock.
    scene.fs.syncRelease.countDown();
    leader.get(10, TimeUnit.SECONDS);
    commitLockRelease.countDown();

    // It leads: its write was committed before the failure, and the sync makes it durable.
    try {
      waiter.get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the caller woken to lead still waits 10 s later, and no one else will sync", e);
    }
  }

  @Test
  void aCallerWokenWhileAnotherCommitsItsWriteForItIsWokenAgainOnceTheWriteIsCommitted() throws Exception {
    Scene scene = new Scene(false, true);
    // Caller C commits under the commit lock and holds it in its commit check.
    CountDownLatch inCheck = new CountDownLatch(1);
    CountDownLatch releaseCheck = new CountDownLatch(1);
    CompletableFuture<Boolean> c = CompletableFuture.supplyAsync(() -> scene.writes.tryWrite(
        new WriteBatch().put(new byte[] {1}, new byte[] {1}),
        () -> {
          inCheck.countDown();
          try {
            await(releaseCheck);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }, true), THREADS);
    assertTrue(inCheck.await(10, TimeUnit.SECONDS), "C holds the commit lock");
    // Caller O's write queues behind it; O parks until C commits it.
    Thread o = new Thread(() -> {
      try {
        scene.writes.tryPut(new byte[] {2}, new byte[] {2}, true);
      } catch (StrataException expected) {
        // the sync failed: O heard of it
      }
    }, "caller-o");
    o.setDaemon(true);
    o.start();
    awaitParked(o, blocker -> blocker == scene.writes, "O parks until its write is committed");
    // Between registering O's waiter and marking O's write committed, a fsync fails elsewhere:
    // every waiter is woken, O while its write still reads as pending, and O parks again.
    // The hook runs on C's thread, where a failed assertion would only fail O's write: it records
    // what it saw, and the test asserts that here.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    AtomicBoolean parkedAgain = new AtomicBoolean();
    scene.writes.onWaiterRegisteredForTests(() -> {
      long parksBefore = threads.getThreadInfo(o.getId()).getWaitedCount();
      scene.callerSync.failed(new IOException("simulated fsync failure of another caller's sync"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline && !parkedAgain.get()) {
        parkedAgain.set(threads.getThreadInfo(o.getId()).getWaitedCount() > parksBefore
            && o.getState() == Thread.State.WAITING);
        Thread.onSpinWait();
      }
    });
    releaseCheck.countDown();
    try {
      c.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException expected) {
      // C's own wait for its sync fails with the store
    }
    assertTrue(parkedAgain.get(), "O, woken while its write read as pending, parked again before the commit");
    o.join(10_000);
    assertFalse(o.isAlive(), "O still waits 10 s later: " + o.getState() + " on " + LockSupport.getBlocker(o));
  }

  /** Waits until {@code t} is parked on a blocker that {@code blocker} accepts. */
  private static void awaitParked(Thread t, Predicate<Object> blocker, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!blocker.test(LockSupport.getBlocker(t))) {
      assertTrue(System.nanoTime() < deadline, what);
      Thread.sleep(1);
    }
  }

  /** A write path and its callers' group commit over one WAL whose first sync is held. */
  private static final class Scene {
    final SyncGate fs;
    final ErrorState errors = new ErrorState(DIR);
    final CallerSync callerSync = new CallerSync(errors, new EngineStats());
    final WritePath writes;
    private final StrataOptions options;
    private int keys;

    Scene(boolean firstSyncFails) throws IOException {
      this(firstSyncFails, false);
    }

    Scene(boolean firstSyncFails, boolean syncWrites) throws IOException {
      options = StrataOptions.builder().memtableSizeBytes(64L << 20).syncWrites(syncWrites).build();
      fs = new SyncGate(new InMemoryFileSystem(), firstSyncFails);
      fs.createDirectories(DIR);
      WalWriter wal = WalWriter.create(fs, DIR.resolve("000001.log"), 1, Runnable::run);
      ReadStateCell cell = new ReadStateCell(ReadState.initial(new Memtable(1, options.memtableSizeBytes()),
          List.of(), List.of()));
      writes = new WritePath(options, cell, errors, 0, wal, callerSync);
    }

    /** An unsynced write, committed on this thread. */
    void commit() {
      byte[] key = {(byte) ++keys};
      assertTrue(writes.tryPut(key, key, true));
    }

    /**
     * The writer holds the commit lock, in a rotation that fails (the WAL stays current), until
     * the returned latch is counted down.
     */
    CountDownLatch holdCommitLock() throws InterruptedException {
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture.runAsync(() -> {
        try {
          writes.swap(new Memtable(2, options.memtableSizeBytes()), null, (old, last) -> {
            entered.countDown();
            await(release);
            throw new IOException("simulated manifest failure: nothing is swapped");
          });
        } catch (IOException expected) {
          // as it should
        }
      }, THREADS);
      assertTrue(entered.await(10, TimeUnit.SECONDS), "the writer holds the commit lock");
      return release;
    }

    /** A caller waiting for {@code sequence}, once it is parked on the commit lock. */
    CompletableFuture<Void> awaitDurableWaitingForTheCommitLock(long sequence) throws Exception {
      CompletableFuture<Thread> thread = new CompletableFuture<>();
      CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
        thread.complete(Thread.currentThread());
        callerSync.awaitDurable(sequence, writes);
      }, THREADS);
      awaitParked(thread.get(10, TimeUnit.SECONDS), blocker -> blocker instanceof AbstractQueuedSynchronizer,
          "the caller of sequence " + sequence + " waits for the commit lock");
      return waiting;
    }
  }

  private static ExecutionException assertFailsWithin(CompletableFuture<Void> f) throws Exception {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e;
    } catch (TimeoutException e) {
      throw new AssertionError("still waiting 10 s after the failed sync woke every caller", e);
    }
    throw new AssertionError("the wait returned as if the write were durable");
  }

  /** The gates' wait: a test that never opens one fails there rather than hang. */
  private static void await(CountDownLatch gate) throws IOException {
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new IOException("the test never opened this gate");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted at a test's gate", e);
    }
  }

  /** The first WAL sync waits for {@link #syncRelease}, then fails or not; later syncs pass. */
  private static final class SyncGate extends ForwardingFileSystem {
    final CountDownLatch syncEntered = new CountDownLatch(1);
    final CountDownLatch syncRelease = new CountDownLatch(1);
    private final boolean firstSyncFails;

    SyncGate(FileSystem delegate, boolean firstSyncFails) {
      super(delegate);
      this.firstSyncFails = firstSyncFails;
    }

    @Override
    public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
      return new ForwardingWritableFile(delegate.createMapped(path, segmentBytes, preparer)) {
        @Override
        public void sync() throws IOException {
          if (syncEntered.getCount() > 0) {
            syncEntered.countDown();
            await(syncRelease);
            if (firstSyncFails) {
              throw new IOException("simulated fsync failure");
            }
          }
          super.sync();
        }
      };
    }
  }
}
