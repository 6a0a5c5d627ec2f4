package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.causedBy;
import static dev.strata.durability.DurabilityHarness.logRecords;
import static dev.strata.durability.DurabilityHarness.messages;
import static dev.strata.durability.DurabilityHarness.onlyFile;
import static dev.strata.durability.DurabilityHarness.onlyFileStartingWith;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.read;
import static dev.strata.durability.DurabilityHarness.s;
import static dev.strata.durability.DurabilityHarness.scanAll;
import static dev.strata.durability.DurabilityHarness.smallOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.CorruptionException;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.durability.DurabilityHarness.LogRecord;
import dev.strata.durability.DurabilityHarness.SstLayout;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.testing.ActorSystemPerClass;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A damaged byte in any file Strata wrote is reported as a {@link CorruptionException}, at open or
 * when the damaged part is read: never a wrong value, never a present key reported absent. A torn
 * last WAL record, which is what a crash leaves, is dropped silently instead.
 *
 * <p>Every test starts from the same closed store on an {@link InMemoryFileSystem}: one SST (400
 * keys, flushed), a WAL of 100 more writes that were never flushed, a manifest of several
 * records, and CURRENT. A damaged byte is flipped back after each probe, so one store serves many
 * probes as long as every probe fails to open it.
 */
class CorruptionTest {
  private static final int SST_KEYS = 400;
  private static final int WAL_KEYS = 100;
  /** No block cache, so that a data block damaged under an open store is read again. */
  private static final StrataOptions OPTIONS = smallOptions().memtableSizeBytes(64 * 1024).blockCacheBytes(0).build();

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  private InMemoryFileSystem fs;
  private TreeMap<String, String> expected;

  @BeforeEach
  void buildStore() {
    buildStoreOpen().close();
  }

  private Strata buildStoreOpen() {
    fs = new InMemoryFileSystem();
    expected = new TreeMap<>();
    Strata db = open(SYSTEM.get(), fs, OPTIONS);
    for (int i = 0; i < SST_KEYS; i++) {
      put(db, String.format("sst-%05d", i), "in-an-sst-" + i + "-" + "s".repeat(i % 30));
    }
    db.flush();
    for (int i = 0; i < WAL_KEYS; i++) {
      put(db, String.format("wal-%05d", i), "in-the-wal-" + i + "-" + "w".repeat(i % 20));
    }
    return db;
  }

  /**
   * The same store, left by a process that died instead of closing it: a clean close records the
   * WAL as synced to its end, and cutting it short after that is damage, not a torn tail. Returns
   * the WAL's bytes up to the end of its last record (the mapped file goes on in zeros).
   */
  private byte[] buildStoreEndingInACrash() throws Exception {
    Strata db = buildStoreOpen();
    fs.killProcess();
    DurabilityHarness.closeIgnoringErrors(db);
    byte[] mapped = read(fs, onlyFile(fs, ".wal"));
    List<LogRecord> records = logRecords(mapped);
    return Arrays.copyOf(mapped, (int) records.get(records.size() - 1).end());
  }

  private void put(Strata db, String key, String value) {
    db.put(b(key), b(value));
    expected.put(key, value);
  }

  // ---------------------------------------------------------------- WAL

  @Test
  void everyDamagedByteOfAMiddleWalRecordButItsLengthIsCorruption() throws Exception {
    Path wal = onlyFile(fs, ".wal");
    LogRecord middle = middleRecord(wal);
    for (long at = middle.offset(); at < middle.end(); at++) {
      if (at == middle.offset() + 4 || at == middle.offset() + 5) {
        continue; // the length field: see the next test
      }
      assertCorruptOnOpen(wal, at, "byte " + (at - middle.offset()) + " of the WAL record at " + middle.offset());
    }
    assertIntact();
  }

  @Test
  void aDamagedLengthOfAMiddleWalRecordIsCorruptionNotATornTail() throws Exception {
    List<String> silent = new ArrayList<>();
    for (int lengthByte = 0; lengthByte < 2; lengthByte++) {
      buildStore();
      Path wal = onlyFile(fs, ".wal");
      LogRecord middle = middleRecord(wal);
      int walBytes = read(fs, wal).length;
      String problem = probeOpen(wal, middle.offset() + 4 + lengthByte);
      if (problem != null) {
        silent.add("length byte " + lengthByte + " of WAL record " + WAL_KEYS / 2 + " of " + WAL_KEYS + " (offset "
            + middle.offset() + ", file of " + walBytes + " bytes): " + problem);
      }
    }
    assertTrue(silent.isEmpty(), String.join("; ", silent));
  }

  @Test
  void aTornLastWalRecordIsDroppedAndEverythingBeforeItRecovered() throws Exception {
    byte[] whole = buildStoreEndingInACrash();
    Path wal = onlyFile(fs, ".wal");
    List<LogRecord> records = logRecords(whole);
    LogRecord last = records.get(records.size() - 1);
    assertEquals(WAL_KEYS, records.size(), "WAL records");
    int cut = 3;
    DurabilityHarness.rewrite(fs, wal, Arrays.copyOf(whole, whole.length - cut));
    String lastKey = String.format("wal-%05d", WAL_KEYS - 1);
    TreeMap<String, String> before = new TreeMap<>(expected);
    before.remove(lastKey);
    try (Strata db = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(before, scanAll(db), "after cutting " + cut + " bytes off the last WAL record (at " + last.offset() + ")");
    }
  }

  @Test
  void aWalCutAnywhereInsideItsLastRecordLosesOnlyThatRecord() throws Exception {
    byte[] whole = buildStoreEndingInACrash();
    List<LogRecord> records = logRecords(whole);
    LogRecord last = records.get(records.size() - 1);
    String lastKey = String.format("wal-%05d", WAL_KEYS - 1);
    TreeMap<String, String> before = new TreeMap<>(expected);
    before.remove(lastKey);
    for (long end = last.offset() + 1; end < last.end(); end += 5) {
      buildStoreEndingInACrash();
      Path wal = onlyFile(fs, ".wal");
      DurabilityHarness.rewrite(fs, wal, Arrays.copyOf(whole, (int) end));
      try (Strata db = open(SYSTEM.get(), fs, OPTIONS)) {
        assertEquals(before, scanAll(db), "WAL cut at " + end + ", inside its last record [" + last.offset() + ", "
            + last.end() + ")");
      }
    }
  }

  // ---------------------------------------------------------------- SST

  @Test
  void aDamagedSstDataBlockIsCorruptionWhenReadNeverAWrongOrMissingValue() throws Exception {
    Path sst = onlyFile(fs, ".sst");
    SstLayout layout = SstLayout.of(read(fs, sst));
    try (Strata db = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(expected, scanAll(db), "before any damage");
      for (long at = 0; at < layout.dataEnd(); at += 23) {
        fs.flipByte(sst, at);
        try {
          int detected = 0;
          for (int i = 0; i < SST_KEYS; i++) {
            String key = String.format("sst-%05d", i);
            try {
              String got = s(db.get(b(key)));
              assertEquals(expected.get(key), got, "get(" + key + ") with byte " + at + " of the SST damaged");
            } catch (RuntimeException e) {
              if (!causedBy(e, CorruptionException.class)) {
                throw new AssertionError("get(" + key + ") with byte " + at + " damaged: " + messages(e), e);
              }
              detected++;
            }
          }
          assertTrue(detected > 0, "no read noticed byte " + at + " of the SST's data blocks was damaged");
          assertScanFailsWithCorruption(db, "byte " + at + " of the SST damaged");
        } finally {
          fs.flipByte(sst, at);
        }
      }
      assertEquals(expected, scanAll(db), "after every damage was undone");
    }
  }

  @Test
  void everyDamagedByteOfTheSstIndexIsCorruption() throws Exception {
    Path sst = onlyFile(fs, ".sst");
    SstLayout layout = SstLayout.of(read(fs, sst));
    assertEveryByteCorruptOnOpen(sst, layout.indexOffset(), layout.indexOffset() + layout.indexSize() + 5, "index");
  }

  @Test
  void everyDamagedByteOfTheSstFilterIsCorruption() throws Exception {
    Path sst = onlyFile(fs, ".sst");
    SstLayout layout = SstLayout.of(read(fs, sst));
    assertTrue(layout.filterSize() > 0, "the SST has a bloom filter");
    assertEveryByteCorruptOnOpen(sst, layout.filterOffset(), layout.filterOffset() + layout.filterSize() + 5, "filter");
  }

  @Test
  void everyDamagedByteOfTheSstPropertiesIsCorruption() throws Exception {
    Path sst = onlyFile(fs, ".sst");
    SstLayout layout = SstLayout.of(read(fs, sst));
    assertEveryByteCorruptOnOpen(sst, layout.propertiesOffset(),
        layout.propertiesOffset() + layout.propertiesSize() + 5, "properties");
  }

  @Test
  void everyDamagedByteOfTheSstFooterIsCorruption() throws Exception {
    Path sst = onlyFile(fs, ".sst");
    SstLayout layout = SstLayout.of(read(fs, sst));
    assertEveryByteCorruptOnOpen(sst, layout.footerOffset(), layout.fileSize(), "footer");
  }

  // ---------------------------------------------------------------- manifest and CURRENT

  @Test
  void everyDamagedByteOfAMiddleManifestRecordButItsLengthIsCorruption() throws Exception {
    Path manifest = onlyFileStartingWith(fs, "MANIFEST-");
    List<LogRecord> records = logRecords(read(fs, manifest));
    assertTrue(records.size() >= 3, "the manifest has a record between its first and last: " + records);
    for (LogRecord r : records.subList(0, records.size() - 1)) {
      for (long at = r.offset(); at < r.end(); at++) {
        if (at == r.offset() + 4 || at == r.offset() + 5) {
          continue;
        }
        assertCorruptOnOpen(manifest, at, "byte " + (at - r.offset()) + " of the manifest record at " + r.offset());
      }
    }
    assertIntact();
  }

  @Test
  void everyDamagedByteOfTheManifestFileHeaderIsCorruption() throws Exception {
    Path manifest = onlyFileStartingWith(fs, "MANIFEST-");
    assertEveryByteCorruptOnOpen(manifest, 0, 16, "manifest file header");
  }

  @Test
  void aDamagedLengthOfAMiddleManifestRecordIsCorruptionNotATornTail() throws Exception {
    List<String> silent = new ArrayList<>();
    int recordCount = logRecords(read(fs, onlyFileStartingWith(fs, "MANIFEST-"))).size();
    for (int record = 0; record < recordCount - 1; record++) {
      for (int lengthByte = 0; lengthByte < 2; lengthByte++) {
        buildStore();
        Path manifest = onlyFileStartingWith(fs, "MANIFEST-");
        LogRecord r = logRecords(read(fs, manifest)).get(record);
        String problem = probeOpen(manifest, r.offset() + 4 + lengthByte);
        if (problem != null) {
          silent.add("length byte " + lengthByte + " of manifest record " + record + " of " + recordCount
              + " (offset " + r.offset() + "): " + problem);
        }
      }
    }
    assertTrue(silent.isEmpty(), String.join("; ", silent));
  }

  @Test
  void everyDamagedByteOfCurrentIsCorruption() throws Exception {
    Path current = DurabilityHarness.DIR.resolve("CURRENT");
    assertEveryByteCorruptOnOpen(current, 0, read(fs, current).length, "CURRENT");
  }

  // ---------------------------------------------------------------- probes

  private LogRecord middleRecord(Path log) throws Exception {
    List<LogRecord> records = logRecords(read(fs, log));
    assertEquals(WAL_KEYS, records.size(), "records in " + log);
    return records.get(records.size() / 2);
  }

  private void assertEveryByteCorruptOnOpen(Path file, long from, long to, String what) throws Exception {
    for (long at = from; at < to; at++) {
      assertCorruptOnOpen(file, at, "byte " + (at - from) + " of the " + what + " of " + file.getFileName());
    }
    assertIntact();
  }

  /** Flips byte {@code at} of {@code file}, requires that opening the store fail with corruption, flips it back. */
  private void assertCorruptOnOpen(Path file, long at, String what) throws Exception {
    String problem = probeOpen(file, at);
    if (problem != null) {
      fail(what + " damaged: " + problem);
    }
  }

  /**
   * Flips byte {@code at} of {@code file} and tries to open the store: null when the open fails
   * with a CorruptionException (the byte is flipped back), else what happened instead (the store
   * then may have been changed by recovery, so the caller's probes end).
   */
  private String probeOpen(Path file, long at) throws Exception {
    fs.flipByte(file, at);
    Strata db;
    try {
      db = open(SYSTEM.get(), fs, OPTIONS);
    } catch (RuntimeException e) {
      fs.flipByte(file, at);
      return causedBy(e, CorruptionException.class) ? null : "open failed without a CorruptionException: " + messages(e);
    }
    try {
      TreeMap<String, String> got = scanAll(db);
      List<String> lost = new ArrayList<>();
      expected.forEach((k, v) -> {
        if (!v.equals(got.get(k))) {
          lost.add(k + "=" + got.get(k));
        }
      });
      return "the store opened, and " + lost.size() + " of " + expected.size() + " keys are missing or wrong"
          + (lost.isEmpty() ? "" : " (first: " + lost.get(0) + ", last: " + lost.get(lost.size() - 1) + ")");
    } catch (RuntimeException e) {
      return "the store opened, and a scan failed with " + messages(e);
    } finally {
      DurabilityHarness.closeIgnoringErrors(db);
    }
  }

  private static void assertScanFailsWithCorruption(Strata db, String context) {
    try {
      scanAll(db);
    } catch (RuntimeException e) {
      if (!causedBy(e, CorruptionException.class)) {
        throw new AssertionError("scan with " + context + ": " + messages(e), e);
      }
      return;
    }
    fail("a full scan did not notice the " + context);
  }

  /** The undamaged store still opens and holds everything. */
  private void assertIntact() {
    try (Strata db = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(expected, scanAll(db), "the store after every damage was undone");
    }
  }
}
