package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.closeIgnoringErrors;
import static dev.strata.durability.DurabilityHarness.encodedWalRecord;
import static dev.strata.durability.DurabilityHarness.indexOf;
import static dev.strata.durability.DurabilityHarness.logRecords;
import static dev.strata.durability.DurabilityHarness.onlyFile;
import static dev.strata.durability.DurabilityHarness.onlyFileStartingWith;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.read;
import static dev.strata.durability.DurabilityHarness.rewrite;
import static dev.strata.durability.DurabilityHarness.scanAll;
import static dev.strata.durability.DurabilityHarness.smallOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.durability.DurabilityHarness.LogRecord;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.testing.ActorSystemPerClass;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two ways a crash used to make a store unopenable although every synced write was intact, each
 * through {@code Strata.open} with the default recovery mode on the in-memory file system.
 */
class WalRecoveryBugsTest {
  private static final int PAGE = 4096;
  private static final StrataOptions OPTIONS = smallOptions().syncWrites(false).build();

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  /**
   * After sync(), a later unsynced record ran onto the next page; the power loss kept that page
   * but not the end of the one before: zeros, then data. The synced writes are a consistent
   * prefix and must come back; what follows the hole is after the gap and must not.
   */
  @Test
  void aHoleInTheUnsyncedTailOfAWalKeepsEverySyncedWrite() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    TreeMap<String, String> synced = new TreeMap<>();
    Strata db = open(SYSTEM.get(), fs, OPTIONS);
    for (int i = 0; i < 40; i++) {
      db.put(b(key("synced", i)), b("value-" + i));
      synced.put(key("synced", i), "value-" + i);
    }
    db.sync();
    for (int i = 0; i < 150; i++) {
      db.put(b(key("unsynced", i)), b("value-" + i));
    }
    Path wal = onlyFile(fs, ".wal");
    byte[] beforeCrash = read(fs, wal);
    fs.crash();
    closeIgnoringErrors(db);

    List<LogRecord> durable = logRecords(read(fs, wal));
    long syncedEnd = durable.get(durable.size() - 1).end();
    assertEquals(40, durable.size(), "records synced");
    long page = (syncedEnd / PAGE + 1) * PAGE;
    assertTrue(logRecords(beforeCrash).stream().anyMatch(r -> r.offset() < page && r.end() > page),
        "a record runs across the page boundary at " + page);
    byte[] torn = beforeCrash.clone();
    Arrays.fill(torn, (int) syncedEnd, (int) page, (byte) 0);
    rewrite(fs, wal, torn);

    ch.qos.logback.classic.Logger recoveryLog =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.strata.engine.WalRecovery");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> warnings =
        new ch.qos.logback.core.read.ListAppender<>();
    warnings.start();
    recoveryLog.addAppender(warnings);
    try (Strata reopened = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(synced, scanAll(reopened), "the synced prefix, and nothing after the hole");
    } finally {
      recoveryLog.detachAppender(warnings);
    }
    String expectedWarning = "000002.wal: corrupt log record at offset " + syncedEnd + ": invalid fragment type 0: "
        + "replay stopped; dropped " + (lastNonZero(beforeCrash) - syncedEnd) + " bytes from offset " + syncedEnd
        + " (and every newer WAL); kept as lost/000002.wal";
    assertTrue(warnings.list.stream().anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN
        && e.getFormattedMessage().equals(expectedWarning)), "a WARN says what was dropped: " + warnings.list);
  }

  /**
   * A plain crash tore the last record, whose value is itself an encoded WAL record: the reader
   * must not take the bytes inside the torn record's payload for a record after it.
   */
  @Test
  void aTornLastWalRecordWhoseValueIsAnEncodedWalRecordIsATornTail() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    TreeMap<String, String> before = new TreeMap<>();
    byte[] lookalike = encodedWalRecord(1_000, b("ghost"), b("never written"));
    Strata first = open(SYSTEM.get(), fs, OPTIONS);
    for (int i = 0; i < 30; i++) {
      String value = "value-" + i;
      first.put(b(key("k", i)), concat(concat(b(value), lookalike), b("-and-more-after-it")));
      before.put(key("k", i), value + new String(lookalike, StandardCharsets.ISO_8859_1) + "-and-more-after-it");
    }
    fs.killProcess(); // the process dies in the middle of the last append
    closeIgnoringErrors(first);
    Path wal = onlyFile(fs, ".wal");
    byte[] whole = read(fs, wal);
    List<LogRecord> records = logRecords(whole);
    LogRecord last = records.get(records.size() - 1);
    int inside = indexOf(Arrays.copyOfRange(whole, (int) last.payloadOffset(), (int) last.end()), lookalike);
    assertTrue(inside > 0, "the last record holds the lookalike");
    long cut = last.payloadOffset() + inside + lookalike.length + 1;
    assertTrue(cut < last.end(), "the cut falls inside the last record");
    rewrite(fs, wal, Arrays.copyOf(whole, (int) cut));
    before.remove(key("k", 29));

    try (Strata db = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(before, scanLatin1(db), "every record but the torn one");
      assertFalse(fs.exists(DurabilityHarness.DIR.resolve("lost")), "a torn tail holds nothing to keep aside");
    }
  }

  /**
   * The same for the manifest: a crash while the record of a flush was being appended, whose SST's
   * smallest key is an encoded log record, leaves a torn manifest tail, which is dropped; the WAL
   * of that flush is still there and holds the writes.
   */
  @Test
  void aTornManifestRecordHoldingAnEncodedLogRecordIsATornTail() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    byte[] lookalike = encodedWalRecord(7, b("ghost"), b("never written"));
    TreeMap<String, String> expected = new TreeMap<>();
    Path wal;
    byte[] walBeforeFlush;
    try (Strata db = open(SYSTEM.get(), fs, OPTIONS)) {
      db.put(lookalike, b("a key that looks like a log record"));
      expected.put(new String(lookalike, StandardCharsets.ISO_8859_1), "a key that looks like a log record");
      for (int i = 0; i < 20; i++) {
        db.put(b(key("z", i)), b("value-" + i));
        expected.put(key("z", i), "value-" + i);
      }
      wal = onlyFile(fs, ".wal");
      walBeforeFlush = read(fs, wal);
      db.flush();
    }
    // A crash in the middle of the flush's manifest append: the WAL was not deleted yet, and the
    // record is cut just after the smallest key it names.
    Path manifest = onlyFileStartingWith(fs, "MANIFEST-");
    byte[] m = read(fs, manifest);
    int at = indexOf(m, lookalike);
    assertTrue(at > 0, "the manifest names the SST's smallest key");
    rewrite(fs, manifest, Arrays.copyOf(m, at + lookalike.length + 1));
    rewrite(fs, wal, walBeforeFlush);

    try (Strata db = open(SYSTEM.get(), fs, OPTIONS)) {
      assertEquals(expected, scanLatin1(db), "every write, replayed from the WAL");
    }
  }

  /** The offset past the last byte that is not zero. */
  private static long lastNonZero(byte[] b) {
    int end = b.length;
    while (end > 0 && b[end - 1] == 0) {
      end--;
    }
    return end;
  }

  private static String key(String prefix, int i) {
    return String.format("%s-%05d", prefix, i);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Every key and value, as ISO-8859-1 strings: the lookalike bytes are not UTF-8. */
  private static TreeMap<String, String> scanLatin1(Strata db) {
    TreeMap<String, String> out = new TreeMap<>();
    try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
      for (; it.isValid(); it.next()) {
        out.put(new String(it.key(), StandardCharsets.ISO_8859_1), new String(it.value(), StandardCharsets.ISO_8859_1));
      }
    }
    return out;
  }
}
