package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.closeIgnoringErrors;
import static dev.strata.durability.DurabilityHarness.messages;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.s;
import static dev.strata.durability.DurabilityHarness.smallOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.durability.DurabilityHarness.WriteModel;
import dev.strata.fs.FaultInjectingFileSystem;
import dev.strata.fs.FaultInjectingFileSystem.Kind;
import dev.strata.fs.FaultInjectingFileSystem.Op;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.testing.ActorSystemPerClass;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every I/O call Strata makes, failing in every shape the JDK reports a failure in (an
 * IOException, the UncheckedIOException of a failed msync, the InternalError of a fault on a
 * mapped buffer, and a full device), driven through the public API: the call that meets it gets a
 * StrataException and nothing else, the store goes read-only ({@code errorState()} says why),
 * later writes fail, a sync after a failed sync never reports success, reads keep working, and a
 * reopen on a healthy file system finds every acknowledged write. A full device met by a flush or
 * a compaction lost nothing: the store recovers from it by itself once space is back.
 */
class FaultInjectionTest {
  /** A hang guard only: a call that fails must fail, not wait; nothing here is timed. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);
  private static final int ACKNOWLEDGED_BEFORE = 40;

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  /** What drives a store into the failing call. */
  enum Trigger {
    /** A put that commits on the caller's thread (its WAL record is a store into the mapping). */
    PUT,
    /** A put with syncWrites: acknowledged only after the writer's msync of the WAL. */
    SYNCED_PUT,
    /** sync(): an msync of the WAL. */
    SYNC,
    /** flush(): rotation (new WAL, manifest records), the SST, its install, the old WAL's deletion. */
    FLUSH,
    /** compact() over two flushed SSTs: the merged SST and its manifest record. */
    COMPACT,
    /**
     * Strata.open of a store holding an SST and a WAL: recovery flushes the WAL and writes a
     * manifest (avoidFlushDuringRecovery off).
     */
    OPEN,
    /**
     * Strata.open of the same store with avoidFlushDuringRecovery on: recovery keeps the WAL live,
     * writes a manifest listing it, and maps the WAL to append to it.
     */
    REOPEN_KEEPING_WAL
  }

  /** One I/O call: an operation of the file-system seam on some files, and what reaches it. */
  record Site(String name, Op op, Predicate<Path> where, Trigger trigger) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Predicate<Path> named(String suffix) {
    return p -> p.getFileName().toString().endsWith(suffix);
  }

  private static Predicate<Path> startingWith(String prefix) {
    return p -> p.getFileName().toString().startsWith(prefix);
  }

  private static final Predicate<Path> ANY = p -> true;

  static List<Site> sites() {
    return List.of(
        new Site("WAL write (a store into the mapping)", Op.APPEND, named(".wal"), Trigger.PUT),
        new Site("WAL msync of a synced put", Op.SYNC, named(".wal"), Trigger.SYNCED_PUT),
        new Site("WAL msync of sync()", Op.SYNC, named(".wal"), Trigger.SYNC),
        new Site("WAL create at rotation", Op.CREATE, named(".wal"), Trigger.FLUSH),
        new Site("WAL mmap at rotation", Op.MAP, named(".wal"), Trigger.FLUSH),
        new Site("manifest write", Op.APPEND, startingWith("MANIFEST-"), Trigger.FLUSH),
        new Site("manifest fsync", Op.SYNC, startingWith("MANIFEST-"), Trigger.FLUSH),
        new Site("SST create", Op.CREATE, named(".sst.tmp"), Trigger.FLUSH),
        new Site("SST write", Op.APPEND, named(".sst.tmp"), Trigger.FLUSH),
        new Site("SST fsync", Op.SYNC, named(".sst.tmp"), Trigger.FLUSH),
        new Site("SST rename", Op.RENAME, named(".sst.tmp"), Trigger.FLUSH),
        new Site("SST open", Op.OPEN, named(".sst"), Trigger.FLUSH),
        new Site("SST mmap", Op.MAP, named(".sst"), Trigger.FLUSH),
        new Site("directory fsync", Op.SYNC_DIR, ANY, Trigger.FLUSH),
        new Site("WAL delete after a flush", Op.DELETE, named(".wal"), Trigger.FLUSH),
        new Site("compaction output write", Op.APPEND, named(".sst.tmp"), Trigger.COMPACT),
        new Site("compaction output fsync", Op.SYNC, named(".sst.tmp"), Trigger.COMPACT),
        new Site("compaction manifest fsync", Op.SYNC, startingWith("MANIFEST-"), Trigger.COMPACT),
        new Site("recovery: lock", Op.LOCK, ANY, Trigger.OPEN),
        new Site("recovery: list", Op.LIST, ANY, Trigger.OPEN),
        new Site("recovery: read", Op.READ, ANY, Trigger.OPEN),
        new Site("recovery: SST write", Op.APPEND, named(".sst.tmp"), Trigger.OPEN),
        new Site("recovery: manifest create", Op.CREATE, startingWith("MANIFEST-"), Trigger.OPEN),
        new Site("recovery: CURRENT rename", Op.RENAME, ANY, Trigger.OPEN),
        new Site("recovery: obsolete file delete", Op.DELETE, ANY, Trigger.OPEN),
        new Site("recovery: WAL mmap to continue it", Op.MAP, named(".wal"), Trigger.REOPEN_KEEPING_WAL),
        new Site("recovery keeping its WAL: manifest create", Op.CREATE, startingWith("MANIFEST-"),
            Trigger.REOPEN_KEEPING_WAL));
  }

  static Stream<Arguments> everySiteAndKind() {
    List<Arguments> out = new ArrayList<>();
    for (Site site : sites()) {
      for (Kind kind : Kind.values()) {
        out.add(Arguments.of(site, kind));
      }
    }
    return out.stream();
  }

  private static StrataOptions options(boolean syncWrites) {
    return smallOptions().syncWrites(syncWrites).build();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("everySiteAndKind")
  void aFailedIoCallIsAStrataExceptionTheStoreGoesReadOnlyAndAReopenLosesNothing(Site site, Kind kind) {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    WriteModel model = new WriteModel();
    StrataOptions options = site.trigger() == Trigger.OPEN
        ? options(false).toBuilder().avoidFlushDuringRecovery(false).build()
        : options(site.trigger() == Trigger.SYNCED_PUT);
    String injected = "injected failure: " + site.op();

    if (site.trigger() == Trigger.OPEN || site.trigger() == Trigger.REOPEN_KEEPING_WAL) {
      preload(fs, model, options);
      fs.failAlways(site.op(), kind, site.where());
      StrataException e = assertThrows(StrataException.class,
          () -> guarded("Strata.open", () -> open(SYSTEM.get(), fs, options).close()));
      assertTrue(messages(e).contains(injected), messages(e));
    } else {
      Strata db = open(SYSTEM.get(), fs, options);
      try {
        for (int i = 0; i < ACKNOWLEDGED_BEFORE; i++) {
          put(db, model, "before-" + i, "acknowledged-" + i);
        }
        if (site.trigger() == Trigger.COMPACT) {
          db.flush();
          put(db, model, "before-0", "overwritten");
          db.flush();
        }
        fs.failAlways(site.op(), kind, site.where());
        StrataException e = assertThrows(StrataException.class,
            () -> guarded(site.trigger().toString(), () -> trigger(db, model, site.trigger())),
            "the failing call must report a StrataException");
        assertTrue(messages(e).contains(injected), "the error names its cause: " + messages(e));
        assertTrue(fs.injected() > 0, "the injected failure was met");

        Optional<Throwable> error = db.errorState();
        assertTrue(error.isPresent(), "errorState() after a failed " + site);
        assertTrue(messages(error.get()).contains(injected), messages(error.get()));

        StrataException refused = assertThrows(StrataException.class,
            () -> guarded("a put after the error", () -> db.put(b("refused"), b("must never appear"))));
        assertTrue(refused.getMessage().contains("read-only"), refused.getMessage());
        if (site.trigger() == Trigger.SYNC || site.trigger() == Trigger.SYNCED_PUT) {
          fs.clearFailures(); // the next msync would succeed: it must not be believed
          assertThrows(StrataException.class, () -> guarded("sync() after a failed sync", db::sync),
              "a sync after a failed sync reported success");
        }
        readsStillWork(db, model);
      } finally {
        closeIgnoringErrors(db);
      }
    }
    fs.clearFailures();
    try (Strata reopened = open(SYSTEM.get(), fs, options)) {
      model.verifyAndSettle(reopened, "after reopening on a healthy file system");
      assertEquals(Optional.empty(), reopened.errorState(), "a reopened store starts healthy");
    }
  }

  /** The issue: on JDK 17 a failed msync is an UncheckedIOException, which the WAL sync did not catch. */
  @Test
  void aSyncedPutWhoseMsyncFailsUncheckedIsRefusedAndTheStoreStaysReadOnlyUntilReopened() {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    WriteModel model = new WriteModel();
    StrataOptions options = options(true);
    Strata db = open(SYSTEM.get(), fs, options);
    try {
      put(db, model, "first", "synced");
      fs.failAt(Op.SYNC, 1, Kind.UNCHECKED_IO, named(".wal"));
      StrataException e = assertThrows(StrataException.class,
          () -> guarded("a synced put", () -> db.put(b("second"), b("its msync fails"))));
      model.inDoubt(Map.of("second", "its msync fails"));
      assertTrue(messages(e).contains("injected failure: SYNC #1"), messages(e));
      assertTrue(db.errorState().isPresent(), "errorState() after a failed msync");

      // The file system would sync again now, but the pages whose writeback failed may be gone.
      assertThrows(StrataException.class, () -> guarded("the next synced put", () -> db.put(b("third"), b("x"))));
      assertThrows(StrataException.class, () -> guarded("sync()", db::sync));
      assertTrue(db.errorState().isPresent(), "a failed WAL sync never clears without a reopen");
      assertEquals("synced", s(db.get(b("first"))));
    } finally {
      closeIgnoringErrors(db);
    }
    mem.crash();
    try (Strata reopened = open(SYSTEM.get(), mem, options)) {
      model.verifyAndSettle(reopened, "after a power loss and a reopen");
      assertEquals(Optional.empty(), reopened.errorState());
    }
  }

  @Test
  void aFlushThatFindsTheDeviceFullRecoversByItselfOnceSpaceIsBack() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    WriteModel model = new WriteModel();
    StrataOptions options = options(false);
    Strata db = open(SYSTEM.get(), fs, options);
    try {
      for (int i = 0; i < ACKNOWLEDGED_BEFORE; i++) {
        put(db, model, "k-" + i, "v-" + i);
      }
      fs.failAlways(Op.APPEND, Kind.NO_SPACE, named(".sst.tmp"));
      StrataException e = assertThrows(StrataException.class, () -> guarded("flush()", db::flush));
      assertTrue(messages(e).contains("No space left on device"), messages(e));
      assertTrue(db.errorState().isPresent());
      StrataException refused = assertThrows(StrataException.class, () -> db.put(b("refused"), b("x")));
      assertTrue(refused.getMessage().contains("recoverable"), refused.getMessage());
      readsStillWork(db, model);

      // The writer keeps retrying while the device stays full, and the store stays read-only.
      int failedSoFar = fs.injected();
      awaitTrue("two more failed retries", () -> fs.injected() >= failedSoFar + 2);
      assertTrue(db.errorState().isPresent(), "still read-only while the device is full");

      fs.clearFailures();
      awaitTrue("the store to recover by itself", () -> db.errorState().isEmpty());
      assertEquals(0, db.stats().immutableMemtables(), "the memtable whose flush failed is flushed");
      assertEquals(1, db.stats().levelFileCounts()[0], "its SST is in L0");
      put(db, model, "after", "recovered");
      db.flush();
      readsStillWork(db, model);
    } finally {
      db.close();
    }
    assertEquals(List.of(), fs.list(DurabilityHarness.DIR).stream()
        .filter(n -> n.endsWith(".tmp")).toList(), "no file left behind by the failed attempts");
    try (Strata reopened = open(SYSTEM.get(), fs, options)) {
      model.verifyAndSettle(reopened, "after reopening");
    }
  }

  @Test
  void aCompactionThatFindsTheDeviceFullRecoversByItselfOnceSpaceIsBack() {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    WriteModel model = new WriteModel();
    StrataOptions options = options(false);
    Strata db = open(SYSTEM.get(), fs, options);
    try {
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < ACKNOWLEDGED_BEFORE; i++) {
          put(db, model, "k-" + i, "v-" + i + "-round-" + round);
        }
        db.flush();
      }
      fs.failAlways(Op.SYNC, Kind.NO_SPACE, named(".sst.tmp"));
      StrataException e = assertThrows(StrataException.class, () -> guarded("compact()", db::compact));
      assertTrue(messages(e).contains("No space left on device"), messages(e));
      assertTrue(db.errorState().isPresent());
      assertThrows(StrataException.class, () -> db.put(b("refused"), b("x")));
      readsStillWork(db, model);

      fs.clearFailures();
      awaitTrue("the store to recover by itself", () -> db.errorState().isEmpty());
      put(db, model, "after", "recovered");
      db.compact();
      readsStillWork(db, model);
    } finally {
      db.close();
    }
    try (Strata reopened = open(SYSTEM.get(), fs, options)) {
      model.verifyAndSettle(reopened, "after reopening");
    }
  }

  @Test
  void aStoreClosedWhileTheDeviceIsFullClosesCleanlyAndLosesNothing() {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    WriteModel model = new WriteModel();
    StrataOptions options = options(false);
    Strata db = open(SYSTEM.get(), fs, options);
    for (int i = 0; i < ACKNOWLEDGED_BEFORE; i++) {
      put(db, model, "k-" + i, "v-" + i);
    }
    fs.failAlways(Op.CREATE, Kind.NO_SPACE, named(".sst.tmp"));
    assertThrows(StrataException.class, () -> guarded("flush()", db::flush));
    assertTrue(db.errorState().isPresent());
    // Nothing was lost, and the WAL holds every acknowledged write: close syncs it as usual.
    guardedUnchecked("close() in a recoverable error state", db::close);
    assertThrows(IllegalStateException.class, db::errorState, "errorState() on a closed store");
    mem.crash();
    fs.clearFailures();
    try (Strata reopened = open(SYSTEM.get(), fs, options)) {
      model.verifyAndSettle(reopened, "after a power loss following the close");
    }
  }

  @Test
  void aWalSyncThatFindsTheDeviceFullDoesNotClearWhenSpaceIsBack() {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    WriteModel model = new WriteModel();
    StrataOptions options = options(false);
    Strata db = open(SYSTEM.get(), fs, options);
    try {
      for (int i = 0; i < ACKNOWLEDGED_BEFORE; i++) {
        put(db, model, "k-" + i, "v-" + i);
      }
      // First a flush that finds the device full (recoverable, retried), then a WAL sync that does
      // too: the sync may have lost data, so that error is hard, and it replaces the other.
      fs.failAlways(Op.APPEND, Kind.NO_SPACE, named(".sst.tmp"));
      assertThrows(StrataException.class, () -> guarded("flush()", db::flush));
      fs.failAlways(Op.SYNC, Kind.NO_SPACE, named(".wal"));
      StrataException e = assertThrows(StrataException.class, () -> guarded("sync()", db::sync));
      assertTrue(messages(e).contains("injected failure: SYNC #1"), messages(e));

      fs.clearFailures();
      // A retry of the flush would succeed now; but the error is hard, which nothing retries.
      StrataException refused = assertThrows(StrataException.class, () -> db.put(b("refused"), b("x")));
      assertTrue(refused.getMessage().contains("until it is reopened"), refused.getMessage());
      assertTrue(messages(refused).contains("injected failure: SYNC #1"), messages(refused));
      assertThrows(StrataException.class, () -> guarded("flush()", db::flush));
      assertTrue(db.errorState().isPresent(), "a failed WAL sync never clears without a reopen");
      assertThrows(StrataException.class, () -> guarded("sync()", db::sync));
      readsStillWork(db, model);
    } finally {
      closeIgnoringErrors(db);
    }
    try (Strata reopened = open(SYSTEM.get(), fs, options)) {
      model.verifyAndSettle(reopened, "after reopening");
      assertEquals(Optional.empty(), reopened.errorState());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void aFailedSstReadIsAStrataExceptionAndLeavesTheStoreWritable(Kind kind) {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    Strata db = open(SYSTEM.get(), fs, smallOptions().blockCacheBytes(0).build());
    try {
      db.put(b("k"), b("v"));
      db.flush();
      fs.failAlways(Op.READ, kind, named(".sst"));
      StrataException e = assertThrows(StrataException.class, () -> guarded("get", () -> db.get(b("k"))));
      assertTrue(messages(e).contains("injected failure: READ"), messages(e));
      assertThrows(StrataException.class, () -> guarded("scan", () -> DurabilityHarness.scanAll(db)));
      assertEquals(Optional.empty(), db.errorState(), "a failed read leaves the files as they were");
      fs.clearFailures();
      assertEquals("v", s(db.get(b("k"))));
      db.put(b("k2"), b("v2"));
    } finally {
      db.close();
    }
  }

  static Stream<Kind> kinds() {
    return Stream.of(Kind.values());
  }

  // ---------------------------------------------------------------- helpers

  private static void trigger(Strata db, WriteModel model, Trigger trigger) {
    switch (trigger) {
      case PUT, SYNCED_PUT -> {
        model.inDoubt(Map.of("failing", "in doubt"));
        db.put(b("failing"), b("in doubt"));
      }
      case SYNC -> db.sync();
      case FLUSH -> db.flush();
      case COMPACT -> db.compact();
      case OPEN, REOPEN_KEEPING_WAL -> throw new AssertionError(trigger + " is triggered by opening");
    }
  }

  private static void put(Strata db, WriteModel model, String key, String value) {
    db.put(b(key), b(value));
    model.acknowledged(Map.of(key, value));
  }

  /** A closed store holding an SST (flushed) and a WAL (not flushed), every write acknowledged. */
  private static void preload(FaultInjectingFileSystem fs, WriteModel model, StrataOptions options) {
    try (Strata db = open(SYSTEM.get(), fs, options)) {
      for (int i = 0; i < ACKNOWLEDGED_BEFORE; i++) {
        put(db, model, "preloaded-" + i, "value-" + i);
        if (i == ACKNOWLEDGED_BEFORE / 2) {
          db.flush();
        }
      }
    }
  }

  /** Every acknowledged write reads back as acknowledged (or as the write left in doubt). */
  private static void readsStillWork(Strata db, WriteModel model) {
    for (String key : model.committedKeys()) {
      String got = s(db.get(b(key)));
      assertTrue(model.readable(key).contains(got), "get(" + key + ") = " + got + ", expected one of "
          + model.readable(key));
    }
    assertNotNull(DurabilityHarness.scanAll(db));
  }

  /** Runs {@code call}, failing the test if it hangs; what it throws is rethrown as it is. */
  private static void guarded(String what, Executable call) throws Throwable {
    Throwable[] thrown = new Throwable[1];
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      try {
        call.execute();
      } catch (Throwable t) {
        thrown[0] = t;
      }
    }, () -> what + " hangs");
    if (thrown[0] != null) {
      throw thrown[0];
    }
  }

  private static void guardedUnchecked(String what, Executable call) {
    try {
      guarded(what, call);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(what + " failed", t);
    }
  }

  /** Waits for {@code condition}, which the store reaches by itself; the bound only guards a hang. */
  private static void awaitTrue(String what, BooleanSupplier condition) {
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      while (!condition.getAsBoolean()) {
        Thread.sleep(10);
      }
    }, () -> "waiting for " + what + " hangs");
  }
}
