package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.closeIgnoringErrors;
import static dev.strata.durability.DurabilityHarness.messages;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.s;
import static dev.strata.durability.DurabilityHarness.smallOptions;
import static dev.strata.durability.DurabilityHarness.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.durability.DurabilityHarness.WriteModel;
import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.ForwardingWritableFile;
import dev.strata.fs.FaultInjectingFileSystem;
import dev.strata.fs.FaultInjectingFileSystem.Op;
import dev.strata.fs.FileSystem;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.testing.ActorSystemPerClass;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An I/O error anywhere (a WAL append or sync, an SST write, a manifest append, the CURRENT
 * rename at open, a directory sync, a deletion) is reported by the call that meets it or by the
 * next one; the store then refuses writes with a StrataException naming the cause while reads
 * keep working; and a reopen on a healthy file system finds every acknowledged write and nothing
 * never written.
 *
 * <p>Each probe fails the nth call of one operation, from the open of a store that already holds
 * flushed and unflushed data through a workload of puts, batches, deletes, syncs and flushes that
 * rotates memtables on its own, to the close. The n of the probes are spread over all the calls of
 * that operation a healthy run makes, so failures land in recovery, the write path, flushes and
 * the close.
 */
class IoErrorTest {
  private static final int PROBES = 20;
  private static final int PRELOADED = 100;
  private static final int WORKLOAD = 300;

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  private static StrataOptions options(boolean syncWrites) {
    return smallOptions().memtableSizeBytes(8 * 1024).blockSizeBytes(512).syncWrites(syncWrites).build();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Op.class, names = {"APPEND", "SYNC", "RENAME", "CREATE", "SYNC_DIR", "DELETE"})
  void anIoErrorIsReportedThenWritesAreRefusedReadsWorkAndAReopenLosesNothing(Op op) throws Exception {
    runProbes(op, options(false), false);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Op.class, names = {"SYNC", "SYNC_DIR", "RENAME"})
  void syncedWritesAcknowledgedAroundAnIoErrorSurviveAPowerLoss(Op op) throws Exception {
    runProbes(op, options(true), true);
  }

  @Test
  void flushReportsAFailedRotationInsteadOfHanging() {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    WriteModel model = new WriteModel();
    Strata db = open(SYSTEM.get(), fs, options(false));
    try {
      for (int i = 0; i < 20; i++) {
        apply(db, model, Map.of("k-" + i, "v-" + i));
      }
      fs.failAt(Op.CREATE, 1); // the WAL of the memtable that replaces the frozen one
      StrataException e = assertThrows(StrataException.class, () -> within("flush()", db::flush));
      assertTrue(messages(e).contains("injected failure: CREATE #1"), messages(e));
    } finally {
      closeIgnoringErrors(db);
    }
    fs.clearFailures();
    try (Strata reopened = open(SYSTEM.get(), fs, options(false))) {
      model.verifyAndSettle(reopened, "after reopening");
    }
  }

  @Test
  void flushOnAStoreInReadOnlyErrorStateFailsInsteadOfHanging() {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    Strata db = open(SYSTEM.get(), fs, options(false));
    try {
      db.put(b("k"), b("v"));
      fs.failAt(Op.APPEND, 1);
      assertThrows(StrataException.class, () -> db.put(b("k2"), b("v2")));
      StrataException e = assertThrows(StrataException.class, () -> within("flush()", db::flush));
      assertTrue(messages(e).contains("injected failure: APPEND #1"), messages(e));
    } finally {
      closeIgnoringErrors(db);
    }
  }

  @Test
  void afterAWalFsyncFailsNoWalIsSyncedAgainNotEvenAtClose() {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    Strata db = open(SYSTEM.get(), fs, options(false));
    try {
      db.put(b("k"), b("v"));
      fs.failAt(Op.SYNC, 1);
      StrataException first = assertThrows(StrataException.class, () -> within("sync()", db::sync));
      assertTrue(messages(first).contains("injected failure: SYNC #1"), messages(first));
      int syncsSoFar = fs.count(Op.SYNC);
      // On Linux a second fsync may succeed after the kernel dropped the pages the first one failed
      // to write: trusting it would make writes after a hole durable.
      assertThrows(StrataException.class, () -> within("sync()", db::sync));
      closeIgnoringErrors(db);
      assertEquals(syncsSoFar, fs.count(Op.SYNC), "syncs after the failed one");
    } finally {
      closeIgnoringErrors(db);
    }
  }

  @Test
  void aSyncedPutIsNotAcknowledgedWhenItsWalFailsToSyncAtRotation() {
    StrataOptions options = options(true);
    InMemoryFileSystem mem = new InMemoryFileSystem();
    RotationSyncFailingFileSystem fs = new RotationSyncFailingFileSystem(mem);
    List<Integer> acknowledged = new ArrayList<>();
    Strata db = open(SYSTEM.get(), fs, options);
    try {
      for (int i = 1; i < 10_000 && !fs.failed; i++) {
        int n = i;
        try {
          within("put " + i, () -> db.put(b(rotationKey(n)), b(rotationValue(n))));
          acknowledged.add(i);
        } catch (StrataException e) {
          break;
        }
      }
      assertTrue(fs.failed, "a rotation synced the WAL it closed, and that sync failed");
    } finally {
      closeIgnoringErrors(db);
    }
    mem.crash();
    try (Strata reopened = open(SYSTEM.get(), mem, options)) {
      for (int i : acknowledged) {
        assertEquals(rotationValue(i), s(reopened.get(b(rotationKey(i)))), "synced put " + i + " of "
            + acknowledged.size() + " was acknowledged, so it must survive a power loss");
      }
    }
  }

  private static String rotationKey(int i) {
    return String.format("rot-%05d", i);
  }

  private static String rotationValue(int i) {
    return "value-" + i + "-" + "r".repeat(100);
  }

  /**
   * Fails, once, the sync of a WAL that is no longer the newest: the sync a rotation makes when it
   * closes the WAL of the memtable it freezes (group-commit syncs go to the newest WAL).
   */
  private static final class RotationSyncFailingFileSystem extends ForwardingFileSystem {
    private volatile Path newestWal;
    volatile boolean failed;

    RotationSyncFailingFileSystem(FileSystem delegate) {
      super(delegate);
    }

    @Override
    public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
      WritableFile file = delegate.createMapped(path, segmentBytes, preparer);
      boolean isWal = path.getFileName().toString().endsWith(".wal");
      if (isWal) {
        newestWal = path;
      }
      return new ForwardingWritableFile(file) {
        @Override
        public void sync() throws IOException {
          synchronized (RotationSyncFailingFileSystem.this) {
            if (!failed && isWal && !path.equals(newestWal)) {
              failed = true;
              throw new IOException("injected failure: sync of " + path.getFileName() + " as a rotation closes it");
            }
          }
          delegate.sync();
        }
      };
    }
  }

  @Test
  void aFlushWhoseManifestRecordFailsToSyncLeavesAStoreThatReopens() {
    StrataOptions options = options(false);
    int syncsOfAFlush;
    FaultInjectingFileSystem dry = new FaultInjectingFileSystem(new InMemoryFileSystem());
    try (Strata db = open(SYSTEM.get(), dry, options)) {
      for (int i = 0; i < 30; i++) {
        db.put(b("k-" + i), b("v-" + i));
      }
      int before = dry.count(Op.SYNC);
      db.flush();
      syncsOfAFlush = dry.count(Op.SYNC) - before;
    }
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    WriteModel model = new WriteModel();
    Strata db = open(SYSTEM.get(), fs, options);
    try {
      for (int i = 0; i < 30; i++) {
        apply(db, model, Map.of("k-" + i, "v-" + i));
      }
      // A flush syncs the manifest (new WAL), the old WAL, the SST, and last the manifest again
      // (the flush's record): that last one fails.
      fs.failAt(Op.SYNC, syncsOfAFlush);
      StrataException e = assertThrows(StrataException.class, () -> within("flush()", db::flush));
      assertTrue(messages(e).contains("injected failure: SYNC #" + syncsOfAFlush), messages(e));
    } finally {
      closeIgnoringErrors(db);
    }
    fs.clearFailures();
    try (Strata reopened = open(SYSTEM.get(), fs, options)) {
      model.verifyAndSettle(reopened, "after reopening");
    } catch (StrataException e) {
      throw new AssertionError("the store does not reopen: " + messages(e), e);
    }
  }

  private void runProbes(Op op, StrataOptions options, boolean crashBeforeReopen) throws Exception {
    int calls = healthyCalls(op, options);
    List<String> failures = new ArrayList<>();
    int reported = 0;
    for (int n : spread(calls)) {
      try {
        if (probe(op, n, options, crashBeforeReopen)) {
          reported++;
        }
      } catch (AssertionError e) {
        failures.add("failing " + op + " #" + n + " of " + calls + ": " + e.getMessage());
      }
    }
    System.out.printf("%s (syncWrites %s%s): %d calls in a healthy run, %d probes, %d reported an error, %d failed%n",
        op, options.syncWrites(), crashBeforeReopen ? ", power loss before reopening" : "", calls,
        spread(calls).size(), reported, failures.size());
    assertTrue(reported > 0, "no probe of " + op + " met its injected failure");
    assertTrue(failures.isEmpty(), failures.size() + " probes failed:\n  " + String.join("\n  ", failures));
  }

  /** Up to PROBES values of n from 1 to {@code calls}, evenly spread, the first and last included. */
  private static TreeSet<Integer> spread(int calls) {
    TreeSet<Integer> ns = new TreeSet<>();
    for (int i = 0; i < PROBES; i++) {
      ns.add(1 + (int) ((long) i * Math.max(0, calls - 1) / (PROBES - 1)));
    }
    return ns;
  }

  /** How many calls of {@code op} the open, the workload and the close make when nothing fails. */
  private int healthyCalls(Op op, StrataOptions options) {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    WriteModel model = new WriteModel();
    preload(fs, model, options);
    int before = fs.count(op);
    Strata db = open(SYSTEM.get(), fs, options);
    RuntimeException failure = workload(db, model);
    if (failure != null) {
      throw new AssertionError("the healthy run failed: " + messages(failure), failure);
    }
    db.close();
    return fs.count(op) - before;
  }

  /**
   * Fails call {@code n} of {@code op} from the open on; checks the report, the read-only state
   * and the reopened store. Returns whether the failure was met.
   */
  private boolean probe(Op op, int n, StrataOptions options, boolean crashBeforeReopen) {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    WriteModel model = new WriteModel();
    preload(fs, model, options);
    String injected = "injected failure: " + op + " #" + n;
    int before = fs.count(op);
    fs.failAt(op, n);

    RuntimeException reported = null;
    Strata db = null;
    try {
      db = open(SYSTEM.get(), fs, options);
    } catch (RuntimeException e) {
      reported = e;
    }
    if (db != null) {
      reported = workload(db, model);
      if (reported == null) {
        try {
          within("close()", db::close);
        } catch (RuntimeException e) {
          reported = e;
        }
      } else {
        checkReadOnly(db, model, injected);
        closeIgnoringErrors(db);
      }
    }
    boolean met = fs.count(op) >= before + n;
    if (met && reported == null) {
      throw new AssertionError("the injected failure was met, but no call reported it");
    }
    if (reported != null) {
      if (!(reported instanceof StrataException) || !messages(reported).contains(injected)) {
        throw new AssertionError("the error reported is not a StrataException naming '" + injected + "': "
            + messages(reported), reported);
      }
    }

    fs.clearFailures();
    if (crashBeforeReopen) {
      mem.crash();
    }
    try (Strata reopened = open(SYSTEM.get(), fs, options)) {
      model.verifyAndSettle(reopened, "after reopening" + (crashBeforeReopen ? " from a power loss" : ""));
    } catch (RuntimeException e) {
      throw new AssertionError("the store does not reopen on a healthy file system: " + messages(e), e);
    }
    return met;
  }

  /** After a reported failure: writes are refused naming the cause, reads still work. */
  private static void checkReadOnly(Strata db, WriteModel model, String injected) {
    try {
      within("a put after the error", () -> db.put(b("refused"), b("must never appear")));
      throw new AssertionError("a put after the error was accepted");
    } catch (StrataException e) {
      if (!e.getMessage().contains("read-only") || !messages(e).contains(injected)) {
        throw new AssertionError("a put after the error failed without naming the read-only state and its "
            + "cause '" + injected + "': " + messages(e), e);
      }
    }
    for (String key : model.committedKeys()) {
      String got;
      try {
        got = s(db.get(b(key)));
      } catch (RuntimeException e) {
        throw new AssertionError("get(" + key + ") failed after the error: " + messages(e), e);
      }
      if (!model.readable(key).contains(got)) {
        throw new AssertionError("get(" + key + ") after the error = " + got + ", expected one of "
            + model.readable(key));
      }
    }
  }

  /** A closed store holding flushed data (an SST) and unflushed data (a WAL); close makes it all durable. */
  private static void preload(FaultInjectingFileSystem fs, WriteModel model, StrataOptions options) {
    try (Strata db = open(SYSTEM.get(), fs, options.toBuilder().syncWrites(false).build())) {
      for (int i = 0; i < PRELOADED; i++) {
        apply(db, model, Map.of(String.format("pre-%05d", i), "preloaded-" + i + "-" + "p".repeat(i % 50)));
        if (i == PRELOADED * 2 / 3) {
          db.flush();
        }
      }
    }
  }

  /**
   * Puts, batches and deletes, with a sync and a flush now and then; returns the first failure,
   * whose write is left in doubt, or null.
   */
  private static RuntimeException workload(Strata db, WriteModel model) {
    for (int i = 0; i < WORKLOAD; i++) {
      Map<String, String> ops = new LinkedHashMap<>();
      try {
        if (i == WORKLOAD / 3 || i == WORKLOAD * 2 / 3) {
          within("flush()", db::flush);
          continue;
        }
        if (i % 50 == 49) {
          within("sync()", db::sync);
          continue;
        }
        if (i % 13 == 12) {
          ops.put(String.format("pre-%05d", (i * 7) % PRELOADED), null);
        }
        int puts = i % 9 == 8 ? 3 : 1;
        for (int j = 0; j < puts; j++) {
          ops.put(String.format("w-%05d-%d", i, j), "written-" + i + "-" + j + "-" + "x".repeat(40 + i % 40));
        }
        within("the write of " + ops.keySet(), () -> apply(db, model, ops));
      } catch (RuntimeException e) {
        model.inDoubt(ops);
        return e;
      }
    }
    return null;
  }

  /** Writes {@code ops} (a put, or a batch when more than one) and records the acknowledgement. */
  private static void apply(Strata db, WriteModel model, Map<String, String> ops) {
    DurabilityHarness.writeOps(db, ops, true);
    model.acknowledged(ops);
  }
}
