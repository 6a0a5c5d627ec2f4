package dev.strata;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FaultInjectingFileSystem;
import dev.strata.fs.FaultInjectingFileSystem.Kind;
import dev.strata.fs.FaultInjectingFileSystem.Op;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.testing.ActorSystemPerClass;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operational figures of {@link StrataStats}: each one follows what the store does, through
 * the public API (the fault-injecting and blocking file systems stand in for a bad or slow disk).
 */
class OperationalStatsTest {
  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("operational-stats");
  @TempDir Path dir;

  private Strata open(StrataOptions options) {
    return Strata.open(SYSTEM.get(), dir, options);
  }

  private static StrataOptions options() {
    return TestHarness.smallOptions();
  }

  private static void fill(Strata db, int from, int count) {
    for (int i = from; i < from + count; i++) {
      db.put(TestHarness.key(i), b("value" + i));
    }
  }

  @Test
  void openSnapshotsAndTransactionsAreCountedWithTheOldestSequenceTheyPin() {
    try (Strata db = open(options())) {
      assertEquals(0, db.stats().openSnapshots());
      assertEquals(-1, db.stats().oldestSnapshotSequence(), "none open");
      fill(db, 0, 10);
      Snapshot first = db.snapshot();
      assertEquals(1, db.stats().openSnapshots());
      assertEquals(first.sequence(), db.stats().oldestSnapshotSequence());
      fill(db, 10, 10);
      try (Transaction txn = db.begin()) {
        StrataStats s = db.stats();
        assertEquals(2, s.openSnapshots(), "a transaction pins its snapshot too");
        assertEquals(first.sequence(), s.oldestSnapshotSequence(), "the older one");
        first.close();
        assertEquals(1, db.stats().openSnapshots());
        assertEquals(20, db.stats().oldestSnapshotSequence(), "the transaction's start: 20 writes before it");
      }
      assertEquals(0, db.stats().openSnapshots());
      assertEquals(-1, db.stats().oldestSnapshotSequence());
    }
  }

  @Test
  void liveWalBytesGrowWithUnflushedWritesAndFallWhenTheirMemtablesAreFlushed() {
    try (Strata db = open(options().toBuilder().memtableSizeBytes(1 << 20).build())) {
      long empty = db.stats().liveWalBytes();
      fill(db, 0, 100);
      StrataStats one = db.stats();
      assertTrue(one.liveWalBytes() > empty, one.toString());
      assertEquals(one.walBytesWritten(), one.liveWalBytes() - empty,
          "nothing flushed yet: every byte appended is live (beyond the empty log's header)");
      fill(db, 100, 100);
      long two = db.stats().liveWalBytes();
      assertTrue(two > one.liveWalBytes(), two + " after more writes, " + one.liveWalBytes() + " before");
      db.flush();
      assertEquals(empty, db.stats().liveWalBytes(), "the flushed memtables' WALs are gone; the new one is empty");
    }
  }

  @Test
  void withTheWalOffNoWalBytesAreLive() {
    try (Strata db = open(options().toBuilder().walEnabled(false).build())) {
      fill(db, 0, 100);
      assertEquals(0, db.stats().liveWalBytes());
    }
  }

  @Test
  void estimatedKeysCountTheKeysWithinTheVersionsNotYetCompacted() {
    try (Strata db = open(options())) {
      fill(db, 0, 1000);
      assertEquals(1000, db.stats().estimatedKeys(), "distinct keys, in memtables and SSTs");
      db.flush();
      assertEquals(1000, db.stats().estimatedKeys(), "all in SSTs");
      fill(db, 0, 1000); // overwrite each key once
      long estimate = db.stats().estimatedKeys();
      // The stated tolerance: between the live keys and the versions not yet compacted away.
      assertTrue(estimate >= 1000 && estimate <= 2000, "1000 keys, 2000 versions: " + estimate);
      db.compact();
      assertEquals(1000, db.stats().estimatedKeys(), "a full compaction keeps one version per key");
      for (int i = 0; i < 1000; i += 2) {
        db.delete(TestHarness.key(i));
      }
      db.flush();
      assertEquals(500, db.stats().estimatedKeys(), "each tombstone takes off itself and the value below it");
      db.compact();
      assertEquals(500, db.stats().estimatedKeys());
    }
  }

  @Test
  void pendingCompactionBytesOweL0AtItsTriggerUntilACompaction() {
    // none(): no background compaction, so L0 only grows; its leveled trigger stays the default 4 files.
    try (Strata db = open(options())) {
      for (int i = 0; i < 3; i++) {
        fill(db, i * 100, 100);
        db.flush();
      }
      assertEquals(3, db.stats().levelFileCounts()[0]);
      assertEquals(0, db.stats().pendingCompactionBytes(), "under the L0 trigger: nothing is owed");
      for (int i = 3; i < 8; i++) {
        fill(db, i * 100, 100);
        db.flush();
      }
      StrataStats many = db.stats();
      assertEquals(8, many.levelFileCounts()[0]);
      assertTrue(many.pendingCompactionBytes() > 0, many.toString());
      assertEquals(many.levelBytes()[0], many.pendingCompactionBytes(), "all of L0, into an empty base level");
      db.compact();
      assertEquals(0, db.stats().pendingCompactionBytes(), "everything in the last level: " + db.stats());
    }
  }

  @Test
  void aRunningCompactionIsCounted() throws Exception {
    try (Strata db = open(options())) {
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      db.addCompactionFilter(new CompactionFilter() {
        @Override
        public boolean drop(byte[] key, byte[] value) {
          entered.countDown();
          await(release);
          return false;
        }
      });
      fill(db, 0, 100);
      db.flush();
      assertEquals(0, db.stats().runningCompactions());
      CompletableFuture<Void> compaction = CompletableFuture.runAsync(db::compact);
      assertTrue(entered.await(30, TimeUnit.SECONDS), "the compaction reached the filter");
      assertEquals(1, db.stats().runningCompactions(), "held inside the filter");
      assertEquals(0, db.stats().runningFlushes());
      release.countDown();
      compaction.get(30, TimeUnit.SECONDS);
      assertEquals(0, db.stats().runningCompactions());
    }
  }

  @Test
  void aRunningFlushIsCountedAndTheWalOfItsFrozenMemtableStaysLive() throws Exception {
    BlockingFileSystem fs = new BlockingFileSystem(DiskFileSystem.INSTANCE);
    try (Strata db = Strata.open(SYSTEM.get(), dir, options().toBuilder().memtableSizeBytes(1 << 20).build(), fs)) {
      long empty = db.stats().liveWalBytes();
      fill(db, 0, 100);
      long beforeFlush = db.stats().liveWalBytes();
      assertEquals(0, db.stats().runningFlushes());
      fs.blockSstCreation();
      CompletableFuture<Void> flush = CompletableFuture.runAsync(db::flush);
      assertTrue(fs.blocked.await(30, TimeUnit.SECONDS), "the flush began its SST");
      StrataStats during = db.stats();
      assertEquals(1, during.runningFlushes());
      assertEquals(1, during.immutableMemtables());
      assertEquals(beforeFlush + empty, during.liveWalBytes(),
          "the frozen memtable's WAL is live until its SST is installed, beside the new, empty one");
      fs.release();
      flush.get(30, TimeUnit.SECONDS);
      assertEquals(0, db.stats().runningFlushes());
      assertEquals(empty, db.stats().liveWalBytes());
    }
  }

  @Test
  void theErrorStateShowsInTheStatsWithItsCause() {
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(DiskFileSystem.INSTANCE);
    Strata db = Strata.open(SYSTEM.get(), dir, options(), fs);
    try {
      db.put(b("k"), b("v"));
      StrataStats healthy = db.stats();
      assertEquals("", healthy.backgroundError());
      assertFalse(healthy.inErrorState());
      assertTrue(healthy.toString().contains("error state: none"), healthy.toString());
      fs.failAlways(Op.CREATE, Kind.IO_EXCEPTION, path -> path.getFileName().toString().endsWith(".sst.tmp"));
      assertThrows(StrataException.class, db::flush);
      StrataStats failed = db.stats();
      assertTrue(failed.inErrorState());
      assertEquals(db.errorState().orElseThrow().toString(), failed.backgroundError());
      assertFalse(failed.backgroundErrorRecoverable(), "an I/O error sticks until reopen");
      assertTrue(failed.toString().contains("(until reopened)"), failed.toString());
    } finally {
      fs.clearFailures();
      try {
        db.close();
      } catch (RuntimeException ignored) {
        // closing a store in its error state may report that error again
      }
    }
  }

  @Test
  void aFullDeviceIsARecoverableErrorState() throws Exception {
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(DiskFileSystem.INSTANCE);
    try (Strata db = Strata.open(SYSTEM.get(), dir, options(), fs)) {
      db.put(b("k"), b("v"));
      fs.failAlways(Op.CREATE, Kind.NO_SPACE, path -> path.getFileName().toString().endsWith(".sst.tmp"));
      assertThrows(StrataException.class, db::flush);
      StrataStats full = db.stats();
      assertTrue(full.backgroundError().contains("No space left on device"), full.backgroundError());
      assertTrue(full.backgroundErrorRecoverable());
      fs.clearFailures();
    }
  }

  @Test
  void writesAreSlowedWhileL0IsPastTheSlowdownTrigger() {
    // Leveled, but with an L0 trigger it never reaches: L0 grows, and the slowdown trigger is 2 files.
    CompactionOptions lazy = CompactionOptions.leveled().level0FileTrigger(100).level0SlowdownWritesTrigger(2)
        .level0StopWritesTrigger(50);
    try (Strata db = open(options().toBuilder().compaction(lazy).build())) {
      fill(db, 0, 10);
      db.flush();
      assertFalse(db.stats().writesSlowed());
      fill(db, 10, 10);
      db.flush();
      StrataStats slowed = db.stats();
      assertTrue(slowed.writesSlowed(), slowed.toString());
      assertFalse(slowed.writesStopped(), "the memtables have room");
      assertTrue(slowed.toString().contains("writes: slowed"), slowed.toString());
      db.compact();
      assertFalse(db.stats().writesSlowed(), "L0 is empty again");
    }
  }

  @Test
  void writesAreStoppedWhileTheMemtablesAreFullAndTheStallIsCounted() throws Exception {
    BlockingFileSystem fs = new BlockingFileSystem(DiskFileSystem.INSTANCE);
    try (Strata db = Strata.open(SYSTEM.get(), dir, options(), fs)) {
      fs.blockSstCreation(); // no flush can finish: the frozen memtables reach their limit, then the mutable one fills
      List<CompletableFuture<?>> writes = new java.util.ArrayList<>();
      int i = 0;
      // Bounded: three 16 KiB memtables (two frozen, one at twice its size at most) hold a few thousand writes.
      // Stopped with the frozen memtables at their limit of 2 (writesStopped is also true for the instant a
      // memtable at twice its size waits for the writer to freeze it, which is no stall of the writer's).
      // Both from one snapshot: from two, a memtable at twice its size waiting to be frozen (stopped
      // for an instant) and the next snapshot's two frozen memtables looked like the stall.
      StrataStats stopped;
      while (!((stopped = db.stats()).writesStopped() && stopped.immutableMemtables() == 2) && i < 100_000) {
        writes.add(db.putAsync(TestHarness.key(i), b("value" + i++)).toCompletableFuture());
      }
      assertTrue(stopped.writesStopped(), "after " + i + " writes: " + stopped);
      assertTrue(stopped.toString().contains("writes: stopped"), stopped.toString());
      writes.add(db.putAsync(TestHarness.key(i), b("queued")).toCompletableFuture()); // waits at the writer
      assertEquals(0, stopped.writeStalls(), "the stall is counted when it ends");
      fs.release();
      for (CompletableFuture<?> w : writes) {
        w.get(60, TimeUnit.SECONDS);
      }
      db.flush();
      StrataStats after = db.stats();
      assertFalse(after.writesStopped(), after.toString());
      assertTrue(after.writeStalls() >= 1, after.toString());
    }
  }

  @Test
  void aStoreAtRestOwesNothingAndRunsNothing() {
    try (Strata db = open(options())) {
      StrataStats s = db.stats();
      assertEquals(0, s.pendingCompactionBytes());
      assertEquals(0, s.runningCompactions());
      assertEquals(0, s.runningFlushes());
      assertEquals(0, s.estimatedKeys());
      assertEquals(0, s.writeStalls());
      assertFalse(s.writesStopped());
      assertFalse(s.writesSlowed());
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the test never released the latch");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Delegates every call; once told, the creation of an SST waits until released, as on a slow disk. */
  static final class BlockingFileSystem extends ForwardingFileSystem {
    private volatile CountDownLatch gate = new CountDownLatch(0);
    final CountDownLatch blocked = new CountDownLatch(1);

    BlockingFileSystem(FileSystem delegate) {
      super(delegate);
    }

    void blockSstCreation() {
      gate = new CountDownLatch(1);
    }

    void release() {
      gate.countDown();
    }

    @Override
    public WritableFile create(Path path) throws IOException {
      if (path.getFileName().toString().endsWith(".sst.tmp")) {
        blocked.countDown();
        await(gate);
      }
      return delegate.create(path);
    }
  }
}
