package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.closeIgnoringErrors;
import static dev.strata.durability.DurabilityHarness.files;
import static dev.strata.durability.DurabilityHarness.logRecords;
import static dev.strata.durability.DurabilityHarness.onlyFile;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.read;
import static dev.strata.durability.DurabilityHarness.rewrite;
import static dev.strata.durability.DurabilityHarness.scanAll;
import static dev.strata.durability.DurabilityHarness.smallOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.fs.GatedFileSystem;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.testing.ActorSystemPerClass;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An open whose newest WAL replays whole keeps that WAL live and appends to it
 * ({@code avoidFlushDuringRecovery}, on by default), instead of flushing it into an L0 SST: no SST
 * is written at open, the same WAL stays live across reopens and crashes with every acknowledged
 * write in it, in order; a WAL that lost anything, older WALs, and the option off flush as before.
 */
class WalReuseTest {
  /** Large enough that nothing here fills a memtable unless a test means it to. */
  private static final StrataOptions OPTIONS = smallOptions().memtableSizeBytes(1 << 20).build();

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  private final TreeMap<String, String> expected = new TreeMap<>();

  @Test
  void reopensAfterACleanCloseWriteNoSstAndKeepAppendingToTheSameWal() throws Exception {
    InMemoryFileSystem fs = closedAfterARound(OPTIONS);
    Path wal = onlyFile(fs, ".wal");
    for (int cycle = 1; cycle <= 5; cycle++) {
      try (Strata reopened = open(SYSTEM.get(), fs, OPTIONS)) {
        assertEquals(List.of(), files(fs, ".sst"), "cycle " + cycle + ": the open wrote no SST");
        assertEquals(wal, onlyFile(fs, ".wal"), "cycle " + cycle + ": the same WAL is still the only one");
        assertEquals(expected, scanAll(reopened), "cycle " + cycle + ": everything written before");
        putRound(reopened, cycle);
        assertEquals(expected, scanAll(reopened));
      }
      assertEquals(wal, onlyFile(fs, ".wal"));
      assertEquals(100 * (cycle + 1), logRecords(read(fs, wal)).size(),
          "cycle " + cycle + ": every write of every cycle is a record of that one WAL");
    }
    try (Strata last = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(expected, scanAll(last));
    }
  }

  @Test
  void writesAfterAReopenSurviveAProcessCrashInOrderAgainAndAgain() throws Exception {
    InMemoryFileSystem fs = closedAfterARound(OPTIONS);
    Path wal = onlyFile(fs, ".wal");
    for (int crash = 1; crash <= 3; crash++) {
      Strata reopened = open(SYSTEM.get(), fs, OPTIONS);
      assertEquals(expected, scanAll(reopened), "after crash " + (crash - 1));
      assertEquals(List.of(), files(fs, ".sst"), "no SST, even after a crash: the WAL replayed whole");
      putRound(reopened, crash); // overwrites keys of earlier rounds: only the newest version may show
      fs.killProcess(); // the process dies: no close, no sync; the mapped WAL keeps its zero tail
      closeIgnoringErrors(reopened);
      assertEquals(wal, onlyFile(fs, ".wal"));
    }
    try (Strata last = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(expected, scanAll(last), "every acknowledged write, the newest version of each key");
    }
  }

  @Test
  void writesSyncedAfterAReopenSurviveAPowerLoss() throws Exception {
    InMemoryFileSystem fs = closedAfterARound(OPTIONS);
    Strata reopened = open(SYSTEM.get(), fs, OPTIONS);
    putRound(reopened, 1);
    reopened.sync();
    TreeMap<String, String> synced = new TreeMap<>(expected);
    for (int i = 0; i < 10; i++) {
      reopened.put(b("unsynced-" + i), b("maybe"));
    }
    fs.crash();
    closeIgnoringErrors(reopened);
    try (Strata afterPowerLoss = open(SYSTEM.get(), fs, OPTIONS)) {
      TreeMap<String, String> found = scanAll(afterPowerLoss);
      found.keySet().removeIf(k -> k.startsWith("unsynced-"));
      assertEquals(synced, found, "what was synced before the reopen and after it");
    }
  }

  @Test
  void theReopenedWalKeepsItsSyncPointSoThatLosingSyncedWritesIsCorruption() throws Exception {
    InMemoryFileSystem fs = closedAfterARound(OPTIONS); // the close records the WAL as synced to its end
    Strata reopened = open(SYSTEM.get(), fs, OPTIONS);
    putRound(reopened, 1);
    fs.killProcess(); // no close: the sync point stays the one of the first close
    closeIgnoringErrors(reopened);
    Path wal = onlyFile(fs, ".wal");
    byte[] whole = read(fs, wal);
    // Cut at a record boundary before what the first close synced: not a torn tail but lost writes.
    rewrite(fs, wal, Arrays.copyOf(whole, (int) logRecords(whole).get(49).end()));
    StrataException e = assertThrows(StrataException.class, () -> open(SYSTEM.get(), fs, OPTIONS).close());
    assertTrue(DurabilityHarness.messages(e).contains("recorded as synced"), DurabilityHarness.messages(e));
  }

  @Test
  void aTornTailInTheNewestWalFallsBackToAFlushAndLosesNothingAcknowledged() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    Strata db = open(SYSTEM.get(), fs, OPTIONS);
    putRound(db, 0);
    db.put(b("torn"), b("the write the crash interrupted"));
    fs.killProcess(); // a clean close would record the WAL as synced, and the cut below be damage
    closeIgnoringErrors(db);
    Path wal = onlyFile(fs, ".wal");
    byte[] whole = read(fs, wal);
    List<DurabilityHarness.LogRecord> records = logRecords(whole);
    rewrite(fs, wal, Arrays.copyOf(whole, (int) records.get(records.size() - 1).end() - 3));
    try (Strata reopened = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(expected, scanAll(reopened), "everything before the torn record");
      assertEquals(1, files(fs, ".sst").size(), "the torn WAL was flushed into L0, as without the option");
      assertFalse(fs.exists(wal), "and is no longer live: it would still be torn at the next open");
      putRound(reopened, 1);
    }
    try (Strata again = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(expected, scanAll(again));
    }
  }

  @Test
  void aReusedWalWhoseMemtableFillsIsFrozenFlushedAndDeleted() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    StrataOptions small = smallOptions().build(); // 32 KiB memtables
    Strata db = open(SYSTEM.get(), fs, small);
    for (int i = 0; i < 100; i++) {
      put(db, key("first", i), "v" + i); // a few KiB
    }
    db.close();
    Path kept = onlyFile(fs, ".wal");
    try (Strata reopened = open(SYSTEM.get(), fs, small)) {
      assertEquals(kept, onlyFile(fs, ".wal"));
      int i = 0;
      // Until the memtable filled and froze (published as immutable, or already flushed): one
      // rotation, since no single put fills a memtable.
      while (reopened.stats().immutableMemtables() == 0 && fs.exists(kept)) {
        put(reopened, key("second", i), "x".repeat(100) + i);
        i++;
        assertTrue(i < 10_000, "the reused memtable never froze");
      }
      reopened.waitForCompactions(); // its flush is done
      assertFalse(fs.exists(kept), "the reused WAL is deleted once its memtable is flushed");
      assertEquals(1, files(fs, ".sst").size());
      assertEquals(expected, scanAll(reopened));
    }
    try (Strata again = open(SYSTEM.get(), fs, small)) {
      assertEquals(expected, scanAll(again));
    }
  }

  @Test
  void olderLiveWalsAreFlushedAndOnlyTheNewestIsKept() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    StrataOptions small = smallOptions().build(); // 32 KiB memtables
    GatedFileSystem gated = GatedFileSystem.holdingSsts(fs);
    Strata db = open(SYSTEM.get(), gated, small);
    int i = 0;
    // Until the first memtable froze and writes went to the next one and its WAL (a new WAL file
    // shows before writes reach it); its flush waits at the gate.
    while (db.stats().immutableMemtables() == 0) {
      put(db, key("older", i), "y".repeat(100) + i);
      i++;
      assertTrue(i < 10_000, "no rotation");
    }
    for (int j = 0; j < 20; j++) {
      put(db, key("newer", j), "z" + j);
    }
    List<Path> wals = files(fs, ".wal");
    assertEquals(2, wals.size(), "the frozen memtable's WAL and the current one: " + wals);
    fs.killProcess(); // dies with both WALs live
    gated.open(); // the held flush goes on, and fails on the dead process's manifest
    closeIgnoringErrors(db);
    try (Strata reopened = open(SYSTEM.get(), fs, small)) {
      assertEquals(expected, scanAll(reopened));
      assertEquals(1, files(fs, ".sst").size(), "the older WAL's memtable was flushed into L0");
      assertEquals(wals.get(1), onlyFile(fs, ".wal"), "the newest WAL is kept live");
      put(reopened, "after", "reopen");
    }
    try (Strata again = open(SYSTEM.get(), fs, small)) {
      assertEquals(expected, scanAll(again));
    }
  }

  @Test
  void aCheckpointRightAfterAReopenHoldsTheWritesOfTheKeptWal() throws Exception {
    InMemoryFileSystem fs = closedAfterARound(OPTIONS);
    Path target = DurabilityHarness.DIR.resolveSibling("checkpoint");
    try (Strata reopened = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(List.of(), files(fs, ".sst"), "every write is in the kept WAL alone");
      reopened.checkpoint(target);
      put(reopened, "after", "the checkpoint"); // not in it
    }
    TreeMap<String, String> atCheckpoint = new TreeMap<>(expected);
    atCheckpoint.remove("after");
    try (Strata copy = dev.strata.DurabilityAccess.open(SYSTEM.get(), target, OPTIONS, fs)) {
      assertEquals(atCheckpoint, scanAll(copy));
    }
  }

  @Test
  void withTheOptionOffAnOpenFlushesTheWalIntoL0AsBefore() throws Exception {
    StrataOptions off = OPTIONS.toBuilder().avoidFlushDuringRecovery(false).build();
    InMemoryFileSystem fs = closedAfterARound(off);
    Path wal = onlyFile(fs, ".wal");
    try (Strata reopened = open(SYSTEM.get(), fs, off)) {
      assertEquals(1, files(fs, ".sst").size(), "a new L0 file at open");
      assertNotEquals(wal, onlyFile(fs, ".wal"), "and a new, empty WAL");
      assertEquals(expected, scanAll(reopened));
    }
  }

  @Test
  void withTheWalOffNoWalIsKeptAndTheReplayedOneIsFlushed() throws Exception {
    InMemoryFileSystem fs = closedAfterARound(OPTIONS);
    try (Strata reopened = open(SYSTEM.get(), fs, OPTIONS.toBuilder().walEnabled(false).build())) {
      assertEquals(1, files(fs, ".sst").size());
      assertEquals(List.of(), files(fs, ".wal"), "no WAL is appended to with the WAL off");
      assertEquals(expected, scanAll(reopened));
    }
  }

  /** 100 puts: keys shared by every round (each round overwrites them), and keys of its own. */
  /** A new store that took one round of writes and was closed cleanly, as every reopen here starts. */
  private InMemoryFileSystem closedAfterARound(StrataOptions options) throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    Strata db = open(SYSTEM.get(), fs, options);
    putRound(db, 0);
    db.close();
    return fs;
  }

  private void putRound(Strata db, int round) {
    for (int i = 0; i < 50; i++) {
      put(db, key("shared", i), "round-" + round + "-" + i);
      put(db, key("round" + round, i), "v" + i);
    }
  }

  private void put(Strata db, String key, String value) {
    db.put(b(key), b(value));
    expected.put(key, value);
  }

  private static String key(String prefix, int i) {
    return String.format("%s-%05d", prefix, i);
  }
}
