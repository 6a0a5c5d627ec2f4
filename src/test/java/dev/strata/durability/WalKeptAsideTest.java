package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.closeIgnoringErrors;
import static dev.strata.durability.DurabilityHarness.logRecords;
import static dev.strata.durability.DurabilityHarness.onlyFile;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.read;
import static dev.strata.durability.DurabilityHarness.rewrite;
import static dev.strata.durability.DurabilityHarness.scanAll;
import static dev.strata.durability.DurabilityHarness.smallOptions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.durability.DurabilityHarness.LogRecord;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.testing.ActorSystemPerClass;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A WAL that recovery did not replay to its end is kept, in {@code lost/}, through everything that
 * deletes obsolete files, and never replayed again on top of newer writes; and a store written
 * before WAL sync points were tracked (manifest record version 1) still opens.
 */
class WalKeptAsideTest {
  private static final StrataOptions OPTIONS = smallOptions().memtableSizeBytes(1 << 20).syncWrites(false).build();
  private static final Path LOST = DurabilityHarness.DIR.resolve("lost");

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  @Test
  void aWalWithAHoleIsKeptInLostAfterOpenAfterAFlushAndAfterASecondOpenAndNeverReplayedAgain() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    Strata db = open(SYSTEM.get(), fs, OPTIONS);
    TreeMap<String, String> expected = new TreeMap<>();
    for (int i = 0; i < 30; i++) {
      db.put(b(key("a", i)), b("first-" + i));
      expected.put(key("a", i), "first-" + i);
    }
    for (int i = 0; i < 100; i++) {
      db.put(b(key("b", i)), b("after-the-hole-" + i));
    }
    fs.killProcess();
    closeIgnoringErrors(db);
    Path wal = onlyFile(fs, ".wal");
    byte[] damaged = read(fs, wal);
    LogRecord hole = logRecords(damaged).get(30);
    Arrays.fill(damaged, (int) hole.offset(), (int) hole.end(), (byte) 0);
    rewrite(fs, wal, damaged);
    byte[] kept = Arrays.copyOf(damaged, lastNonZero(damaged) + 1);
    Path lostWal = LOST.resolve(wal.getFileName());

    try (Strata reopened = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(expected, scanAll(reopened), "the prefix before the hole");
      assertArrayEquals(kept, read(fs, lostWal), "after open: the WAL as it was, without its zero-filled tail");
      assertFalse(fs.exists(wal), "no longer in the store directory, where it would be replayed");
      for (int i = 0; i < 30; i++) {
        reopened.put(b(key("a", i)), b("newer-" + i));
        expected.put(key("a", i), "newer-" + i);
      }
      reopened.flush();
      assertArrayEquals(kept, read(fs, lostWal), "after a flush deleted the obsolete files");
    }
    try (Strata again = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(expected, scanAll(again), "the kept WAL is not replayed over the newer writes");
      assertArrayEquals(kept, read(fs, lostWal), "after a second open");
    }
  }

  @Test
  void aPlainCrashKeepsNothingAside() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    Strata db = open(SYSTEM.get(), fs, OPTIONS);
    for (int i = 0; i < 30; i++) {
      db.put(b(key("a", i)), b("v" + i));
    }
    fs.crash();
    closeIgnoringErrors(db);
    try (Strata reopened = open(SYSTEM.get(), fs, OPTIONS)) {
      assertFalse(fs.exists(LOST), "nothing to keep: the unsynced writes are simply gone");
    }
  }

  /**
   * A store closed by the code before WAL sync points (manifest record version 1: a snapshot,
   * WalCreated, WalRetired, NextFileNumber, FlushCompleted; an SST and a live WAL), saved as test
   * resources, opens and holds everything; then it is reopened with the version-2 manifest recovery
   * wrote.
   */
  @Test
  void aStoreWrittenWithVersionOneManifestRecordsStillOpens() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(DurabilityHarness.DIR);
    for (String name : List.of("CURRENT", "MANIFEST-000001", "000003.wal", "000004.sst")) {
      try (InputStream in = WalKeptAsideTest.class.getResourceAsStream("/compat/manifest-v1/" + name);
          WritableFile out = fs.create(DurabilityHarness.DIR.resolve(name))) {
        assertTrue(in != null, "test resource " + name);
        byte[] bytes = in.readAllBytes();
        out.append(bytes, 0, bytes.length);
        out.sync();
      }
    }
    fs.syncDirectory(DurabilityHarness.DIR);
    assertEquals(1, read(fs, DurabilityHarness.DIR.resolve("MANIFEST-000001"))[16 + 7], "a version-1 record");
    TreeMap<String, String> expected = new TreeMap<>();
    for (int i = 0; i < 200; i++) {
      expected.put(String.format("sst-%05d", i), "in-an-sst-" + i);
    }
    expected.remove("sst-00007");
    expected.remove("sst-00008");
    for (int i = 0; i < 100; i++) {
      expected.put(String.format("wal-%05d", i), "in-the-wal-" + i);
    }
    try (Strata db = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(expected, scanAll(db));
    }
    try (Strata db = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(expected, scanAll(db), "after a reopen from the manifest recovery wrote");
    }
  }

  private static String key(String prefix, int i) {
    return String.format("%s-%05d", prefix, i);
  }

  private static int lastNonZero(byte[] b) {
    int i = b.length - 1;
    while (i >= 0 && b[i] == 0) {
      i--;
    }
    return i;
  }
}
