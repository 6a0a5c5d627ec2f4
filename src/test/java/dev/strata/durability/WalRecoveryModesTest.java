package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.closeIgnoringErrors;
import static dev.strata.durability.DurabilityHarness.messages;
import static dev.strata.durability.DurabilityHarness.read;
import static dev.strata.durability.DurabilityHarness.rewrite;
import static dev.strata.durability.DurabilityHarness.scanAll;
import static dev.strata.durability.DurabilityHarness.smallOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CorruptionException;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.WalRecoveryMode;
import dev.strata.durability.DurabilityHarness.LogRecord;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.testing.ActorSystemPerClass;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What each {@link WalRecoveryMode} makes of each kind of damage a WAL can have, through
 * {@code Strata.open} on the in-memory file system: the cases and their outcomes are data, in
 * {@code src/test/resources/wal-recovery/modes.txt}, one line per scenario and mode:
 *
 * <pre>
 * scenario mode => opens a:0-39 b:1083-1999 | lost 000002.wal
 * scenario mode => fails CorruptionException message
 * </pre>
 *
 * An opened store is described by the writes it holds (group:index ranges; groups are written in
 * order a, b, c) and the files in its {@code lost} directory. A failed open must leave every file
 * as it was. Run with {@code -Dstrata.test.rewrite=true} to write the outcomes the code produces
 * into the case file, then read the diff.
 */
class WalRecoveryModesTest {
  private static final String CASES = "/wal-recovery/modes.txt";
  private static final Path CASES_SOURCE = Path.of("src/test/resources/wal-recovery/modes.txt");
  private static final int PAGE = 4096;
  /** Big enough that only the scenario meant to rotate does. */
  private static final StrataOptions WRITE_OPTIONS = smallOptions().memtableSizeBytes(1 << 20).syncWrites(false).build();

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  /** A store left in a given state: its file system, ready to be opened. */
  private interface Scenario {
    InMemoryFileSystem build() throws Exception;
  }

  private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

  static {
    SCENARIOS.put("clean-close", () -> {
      InMemoryFileSystem fs = new InMemoryFileSystem();
      Strata db = open(fs);
      put(db, "a", 0, 100);
      db.close();
      return fs;
    });
    SCENARIOS.put("cut-short-after-a-clean-close", () -> {
      InMemoryFileSystem fs = new InMemoryFileSystem();
      Strata db = open(fs);
      put(db, "a", 0, 100);
      db.close();
      Path wal = DurabilityHarness.onlyFile(fs, ".wal");
      byte[] whole = read(fs, wal);
      rewrite(fs, wal, Arrays.copyOf(whole, whole.length - 3));
      return fs;
    });
    SCENARIOS.put("torn-tail", () -> {
      InMemoryFileSystem fs = new InMemoryFileSystem();
      Strata db = open(fs);
      put(db, "a", 0, 100);
      db.sync();
      put(db, "b", 0, 100);
      byte[] mapped = killAndRead(fs, db);
      List<LogRecord> records = logRecords(mapped);
      rewrite(fs, wal(fs), Arrays.copyOf(mapped, (int) records.get(records.size() - 1).end() - 3));
      return fs;
    });
    SCENARIOS.put("hole-in-the-unsynced-tail-then-records", () -> {
      InMemoryFileSystem fs = new InMemoryFileSystem();
      Strata db = open(fs);
      put(db, "a", 0, 40);
      db.sync();
      put(db, "b", 0, 2000); // about 60 KiB: the log's blocks 0 and 1
      Path wal = wal(fs);
      byte[] beforeCrash = read(fs, wal);
      fs.crash();
      closeIgnoringErrors(db);
      List<LogRecord> synced = logRecords(read(fs, wal));
      long syncedEnd = synced.get(synced.size() - 1).end();
      Arrays.fill(beforeCrash, (int) syncedEnd, (int) ((syncedEnd / PAGE + 1) * PAGE), (byte) 0);
      rewrite(fs, wal, beforeCrash);
      return fs;
    });
    SCENARIOS.put("bad-checksum-in-the-middle", () -> {
      InMemoryFileSystem fs = new InMemoryFileSystem();
      Strata db = open(fs);
      put(db, "a", 0, 40);
      db.sync();
      put(db, "b", 0, 2000);
      byte[] mapped = killAndRead(fs, db);
      LogRecord victim = logRecords(mapped).get(40 + 100);
      mapped[(int) victim.payloadOffset() + 3] ^= 0x20;
      rewrite(fs, wal(fs), mapped);
      return fs;
    });
    SCENARIOS.put("hole-before-a-recorded-sync-point", () -> {
      InMemoryFileSystem fs = new InMemoryFileSystem();
      Strata db = open(fs);
      put(db, "a", 0, 2000);
      db.close(); // records the WAL as synced to its end
      Path wal = wal(fs);
      byte[] whole = read(fs, wal);
      LogRecord at = logRecords(whole).get(500);
      Arrays.fill(whole, (int) at.offset(), (int) at.offset() + 100, (byte) 0);
      rewrite(fs, wal, whole);
      return fs;
    });
    SCENARIOS.put("damage-in-a-retired-wal-then-a-good-newer-wal", () -> {
      InMemoryFileSystem fs = new InMemoryFileSystem();
      NoFlushFileSystem noFlush = new NoFlushFileSystem(fs);
      Strata db = DurabilityHarness.open(SYSTEM.get(), noFlush, WRITE_OPTIONS.toBuilder().maxImmutableMemtables(3).build());
      // flush() freezes the memtable at once, then waits for a flush that never comes: each call
      // retires the WAL every write before it went to, and both stay live.
      put(db, "a", 0, 1500); // about 45 KiB: the log's blocks 0 and 1
      freeze(db, 1);
      put(db, "b", 0, 500);
      freeze(db, 2);
      put(db, "c", 0, 20);
      noFlush.failHeldFlushes(fs);
      closeIgnoringErrors(db);
      List<Path> wals = DurabilityHarness.files(fs, ".wal");
      assertEquals(3, wals.size(), "two retired WALs and the current one: " + wals);
      byte[] retired = read(fs, wals.get(0));
      LogRecord victim = logRecords(retired).get(300);
      retired[(int) victim.payloadOffset() + 3] ^= 0x20;
      rewrite(fs, wals.get(0), retired);
      return fs;
    });
  }

  @TestFactory
  Stream<DynamicTest> eachModeOnEachKindOfDamage() throws Exception {
    List<String[]> cases = readCases();
    if (Boolean.getBoolean("strata.test.rewrite")) {
      rewriteCases(cases);
      cases = readCasesFrom(Files.readString(CASES_SOURCE));
    }
    return cases.stream().map(c -> DynamicTest.dynamicTest(c[0] + " " + c[1], () -> {
      assertEquals(c[2], outcome(c[0], c[1]), c[0] + " in mode " + c[1]);
    }));
  }

  /** Builds the scenario, opens it in the mode, and describes what happened. */
  private static String outcome(String scenarioName, String modeName) throws Exception {
    Scenario scenario = SCENARIOS.get(scenarioName);
    assertTrue(scenario != null, "unknown scenario " + scenarioName + "; known: " + SCENARIOS.keySet());
    WalRecoveryMode mode = WalRecoveryMode.valueOf(modeName);
    InMemoryFileSystem fs = scenario.build();
    Map<String, byte[]> before = snapshot(fs);
    List<String> wals = before.keySet().stream().filter(n -> n.endsWith(".wal")).sorted().toList();
    Strata db;
    try {
      db = DurabilityHarness.open(SYSTEM.get(), fs, WRITE_OPTIONS.toBuilder().walRecoveryMode(mode).build());
    } catch (RuntimeException e) {
      Throwable c = e;
      while (c != null && !(c instanceof CorruptionException)) {
        c = c.getCause();
      }
      if (c == null) {
        throw new AssertionError("open failed without a CorruptionException: " + messages(e), e);
      }
      Map<String, byte[]> after = snapshot(fs);
      assertEquals(before.keySet(), after.keySet(), "a failed open changed no file name");
      before.forEach((name, bytes) -> assertTrue(Arrays.equals(bytes, after.get(name)), "a failed open left " + name));
      return "fails " + c.getMessage();
    }
    try {
      return "opens " + describe(scanAll(db)) + " | lost " + lost(fs, wals);
    } finally {
      db.close();
    }
  }

  /** "a:0-39 b:1083-1999": each group's indexes, as ranges. */
  private static String describe(TreeMap<String, String> all) {
    Map<String, TreeSet<Integer>> groups = new TreeMap<>();
    all.forEach((k, v) -> {
      String[] parts = k.split("-");
      assertEquals(value(parts[0], Integer.parseInt(parts[1])), v, "value of " + k);
      groups.computeIfAbsent(parts[0], g -> new TreeSet<>()).add(Integer.parseInt(parts[1]));
    });
    if (groups.isEmpty()) {
      return "nothing";
    }
    List<String> out = new ArrayList<>();
    groups.forEach((g, indexes) -> {
      StringBuilder sb = new StringBuilder(g).append(':');
      Integer start = null;
      Integer prev = null;
      for (int i : indexes) {
        if (start != null && i != prev + 1) {
          sb.append(start).append('-').append(prev).append(',');
          start = null;
        }
        if (start == null) {
          start = i;
        }
        prev = i;
      }
      out.add(sb.append(start).append('-').append(prev).toString());
    });
    return String.join(" ", out);
  }

  /**
   * The WALs in lost/, as "wal1,wal3" by their order among the scenario's WALs ({@code wals}): file
   * numbers depend on when a background flush took one.
   */
  private static String lost(InMemoryFileSystem fs, List<String> wals) throws IOException {
    Path dir = DurabilityHarness.DIR.resolve("lost");
    List<String> names = new ArrayList<>();
    for (String name : fs.exists(dir) ? fs.list(dir) : List.<String>of()) {
      assertTrue(wals.contains(name), "lost/" + name + " is one of the WALs " + wals);
      names.add("wal" + (wals.indexOf(name) + 1));
    }
    return names.isEmpty() ? "-" : String.join(",", names);
  }

  private static Map<String, byte[]> snapshot(InMemoryFileSystem fs) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    for (String name : fs.list(DurabilityHarness.DIR)) {
      Path p = DurabilityHarness.DIR.resolve(name);
      if (!name.equals("LOCK") && !name.equals("lost")) {
        out.put(name, read(fs, p));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- the case file

  private static List<String[]> readCases() throws IOException {
    try (InputStream in = WalRecoveryModesTest.class.getResourceAsStream(CASES)) {
      assertTrue(in != null, "missing test resource " + CASES);
      return readCasesFrom(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Each case as {scenario, mode, outcome}. */
  private static List<String[]> readCasesFrom(String text) {
    List<String[]> cases = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int arrow = line.indexOf(" => ");
      assertTrue(arrow > 0, "a case line is 'scenario mode => outcome': " + line);
      String[] head = line.substring(0, arrow).trim().split("\\s+");
      assertEquals(2, head.length, "scenario and mode: " + line);
      cases.add(new String[] {head[0], head[1], line.substring(arrow + 4)});
    }
    return cases;
  }

  /** Writes every scenario in every mode, with the outcome this code produces, into the case file. */
  private static void rewriteCases(List<String[]> existing) throws Exception {
    StringBuilder out = new StringBuilder();
    String text = Files.readString(CASES_SOURCE);
    for (String line : text.split("\n")) {
      if (!line.startsWith("#")) {
        break;
      }
      out.append(line).append('\n');
    }
    for (String scenario : SCENARIOS.keySet()) {
      out.append('\n');
      for (WalRecoveryMode mode : WalRecoveryMode.values()) {
        out.append(scenario).append(' ').append(mode.name()).append(" => ").append(outcome(scenario, mode.name()))
            .append('\n');
      }
    }
    Files.writeString(CASES_SOURCE, out.toString());
  }

  // ---------------------------------------------------------------- building stores

  /**
   * The records of a WAL, each as the offset of its first fragment and the end of its last (records
   * here may cross the log's 32 KiB blocks, which DurabilityHarness.logRecords does not follow).
   */
  private static List<LogRecord> logRecords(byte[] log) {
    List<LogRecord> out = new ArrayList<>();
    int pos = 16;
    long start = -1;
    while (pos + 7 <= log.length) {
      int left = 32 * 1024 - pos % (32 * 1024);
      if (left < 7) {
        pos += left;
        continue;
      }
      int length = (log[pos + 4] & 0xFF) | (log[pos + 5] & 0xFF) << 8;
      int type = log[pos + 6] & 0xFF;
      if (type == 0) {
        break;
      }
      if (type == 1 || type == 2) {
        start = pos;
      }
      pos += 7 + length;
      if (type == 1 || type == 4) {
        out.add(new LogRecord(start, (int) (pos - start - 7)));
      }
    }
    return out;
  }

  private static Strata open(FileSystem fs) {
    return DurabilityHarness.open(SYSTEM.get(), fs, WRITE_OPTIONS);
  }

  private static void put(Strata db, String group, int from, int to) {
    for (int i = from; i < to; i++) {
      db.put(b(key(group, i)), b(value(group, i)));
    }
  }

  private static String key(String group, int i) {
    return String.format("%s-%05d", group, i);
  }

  private static String value(String group, int i) {
    return "value-of-" + group + i;
  }

  private static Path wal(InMemoryFileSystem fs) throws IOException {
    List<Path> wals = DurabilityHarness.files(fs, ".wal");
    return wals.get(wals.size() - 1);
  }

  /** Freezes the memtable with a flush that the caller does not wait for; waits until {@code frozen} are. */
  private static void freeze(Strata db, int frozen) {
    java.util.concurrent.CompletableFuture.runAsync(() -> {
      try {
        db.flush();
      } catch (RuntimeException expected) {
        // The flush is held, then failed on purpose.
      }
    });
    long deadline = System.nanoTime() + DurabilityHarness.STUCK.toNanos();
    while (db.stats().immutableMemtables() < frozen) {
      assertTrue(System.nanoTime() < deadline, "the memtable did not freeze");
      Thread.onSpinWait();
    }
  }

  /** Kills the process that had {@code db} open; returns the newest WAL as it left it (mapped, zero-filled). */
  private static byte[] killAndRead(InMemoryFileSystem fs, Strata db) throws IOException {
    fs.killProcess();
    closeIgnoringErrors(db);
    return read(fs, wal(fs));
  }

  /**
   * Holds every flush at the creation of its SST until {@link #failHeldFlushes}, which kills the
   * process and then fails them: the frozen memtables' WALs stay live, retired and unsynced.
   */
  private static final class NoFlushFileSystem extends ForwardingFileSystem {
    private final CountDownLatch release = new CountDownLatch(1);

    NoFlushFileSystem(FileSystem delegate) {
      super(delegate);
    }

    void failHeldFlushes(InMemoryFileSystem mem) {
      mem.killProcess();
      release.countDown();
    }

    @Override
    public WritableFile create(Path path) throws IOException {
      if (path.getFileName().toString().endsWith(".sst.tmp")) {
        try {
          release.await(DurabilityHarness.STUCK.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IOException("flushes are held off in this test");
      }
      return delegate.create(path);
    }
  }
}
