package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What an operator reads at INFO: a summary of each open's recovery, a line per flush and per
 * compaction, the periodic stats line, and the close. Waits are bounded hang guards, never timing checks.
 */
class LogLinesTest {
  private static final long GUARD_SECONDS = 60;

  @TempDir
  Path dir;

  private final Logger engineLog = (Logger) LoggerFactory.getLogger("dev.strata.engine");
  /** Quiet in the other tests (logback-test.xml): their lines come one per flush, compaction, open and close. */
  private final List<Logger> quietLogs = List.of("StoreEvents", "Recovery", "EngineCloser").stream()
      .map(name -> (Logger) LoggerFactory.getLogger("dev.strata.engine." + name)).toList();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private Level levelBefore;
  private List<Level> quietLevelsBefore;

  @BeforeEach
  void capture() {
    levelBefore = engineLog.getLevel();
    quietLevelsBefore = quietLogs.stream().map(Logger::getLevel).toList();
    engineLog.setLevel(Level.INFO);
    quietLogs.forEach(log -> log.setLevel(Level.INFO));
    lines.start();
    engineLog.addAppender(lines);
  }

  @AfterEach
  void release() {
    engineLog.detachAppender(lines);
    engineLog.setLevel(levelBefore);
    for (int i = 0; i < quietLogs.size(); i++) {
      quietLogs.get(i).setLevel(quietLevelsBefore.get(i));
    }
  }

  private List<String> info(Predicate<String> which) {
    return List.copyOf(lines.list).stream().filter(e -> e.getLevel() == Level.INFO)
        .map(ILoggingEvent::getFormattedMessage).filter(which).toList();
  }

  private static StrataOptions.Builder options() {
    return StrataOptions.builder().memtableSizeBytes(8 * 1024).targetSstSizeBytes(8 * 1024).blockSizeBytes(512)
        .compaction(CompactionOptions.leveled().level0FileTrigger(2).baseLevelBytes(32 * 1024));
  }

  @Test
  void anOpenSummarizesItsRecoveryAndACloseSaysSo() {
    try (Strata db = Strata.open(dir, options().build())) {
      db.put(b("k1"), b("v1"));
      db.put(b("k2"), b("v2"));
    }
    List<String> created = info(l -> l.startsWith("created store " + dir.toAbsolutePath()));
    assertEquals(1, created.size(), lines.list.toString());
    assertTrue(created.get(0).matches("created store .* in \\d+ ms"), created.get(0));
    assertTrue(info(l -> l.equals("closed store " + dir.toAbsolutePath() + " at last sequence 2")).size() == 1,
        info(l -> true).toString());

    try (Strata db = Strata.open(dir, options().avoidFlushDuringRecovery(false).build())) {
      assertEquals("v2", TestHarness.s(db.get(b("k2"))));
    }
    List<String> recovered = info(l -> l.startsWith("recovered store " + dir.toAbsolutePath()));
    assertEquals(1, recovered.size(), info(l -> true).toString());
    String summary = recovered.get(0);
    assertTrue(summary.contains("replayed 1 WAL(s), 2 entries, flushed into 1 L0 file(s); 0 bytes of WAL not "
        + "replayed, 0 WAL(s) kept in lost/; 1 SST(s) (files/bytes L0=1/"), summary);
    assertTrue(summary.contains("last sequence 2; in "), summary);
  }

  @Test
  void anOpenThatKeepsItsWalLiveSaysWhichWithHowManyEntries() {
    try (Strata db = Strata.open(dir, options().build())) {
      db.put(b("k1"), b("v1"));
      db.put(b("k2"), b("v2"));
    }
    try (Strata db = Strata.open(dir, options().build())) {
      assertEquals("v2", TestHarness.s(db.get(b("k2"))));
    }
    List<String> recovered = info(l -> l.startsWith("recovered store " + dir.toAbsolutePath()));
    assertEquals(1, recovered.size(), info(l -> true).toString());
    String summary = recovered.get(0);
    assertTrue(summary.matches(".*: replayed 1 WAL\\(s\\), 2 entries, flushed into 0 L0 file\\(s\\), kept WAL \\d+ live "
        + "with 2 entries; 0 bytes of WAL not replayed, 0 WAL\\(s\\) kept in lost/; 0 SST\\(s\\) \\(none\\); last "
        + "sequence 2; in \\d+ ms"), summary);
  }

  @Test
  void eachInstalledFlushAndCompactionIsOneLine() {
    StrataStats stats;
    try (Strata db = Strata.open(dir, options().build())) {
      for (int i = 0; i < 3000; i++) {
        db.put(key((i * 7919) % 1000), b("value-" + i + "-".repeat(40)));
      }
      db.flush();
      db.compact();
      db.waitForCompactions();
      stats = db.stats();
    }
    List<String> flushes = info(l -> l.contains(": flushed ") && l.contains(" at L0: "));
    List<String> compactions = info(l -> l.contains(": compacted ") || l.contains(": moved "));
    assertTrue(flushes.size() > 1, flushes.toString());
    assertEquals(stats.compactions(), compactions.size(), compactions.toString());
    long flushed = flushes.stream().mapToLong(l -> Long.parseLong(l.replaceAll(".* at L0: (\\d+) B in .*", "$1"))).sum();
    assertEquals(stats.flushBytesWritten(), flushed, "the flush lines add up to the bytes stats count");
    assertTrue(compactions.stream().anyMatch(l -> l.contains("(full compaction): read ")), compactions.toString());
  }

  @Test
  void theStatsLineComesAtItsIntervalAndNotWhenOff() throws Exception {
    try (Strata db = Strata.open(dir.resolve("on"), options().statsLogInterval(Duration.ofMillis(20)).build())) {
      db.put(b("k"), b("v"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
      while (info(l -> l.contains(" stats: memtable ")).isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "no stats line within " + GUARD_SECONDS + "s");
        Thread.sleep(10);
      }
    }
    String line = info(l -> l.contains(" stats: memtable ")).get(0);
    assertTrue(line.matches("store .*on stats: memtable \\d+ B \\+ 0 frozen \\(0 B\\); levels \\(files/bytes\\) "
        + "L0=0/0B; written user \\d+ B, wal \\d+ B, flush 0 B, compaction 0 B \\(write amplification [0-9.]+\\); "
        + "compactions 0; write stalls 0 ms \\(longest 0 ms\\); last sequence [01]"), line);

    lines.list.clear();
    try (Strata db = Strata.open(dir.resolve("off"), options().statsLogInterval(Duration.ZERO).build())) {
      db.put(b("k"), b("v"));
      db.flush(); // a round trip through the writer, which would have had its timer set at start
    }
    assertEquals(List.of(), info(l -> l.contains(" stats: ")));
  }

  @Test
  void theIntervalIsAConfigKeyThatOffDisables() {
    assertEquals(Duration.ofMinutes(10), StrataOptions.defaults().statsLogInterval());
    assertEquals(Duration.ZERO, StrataOptions.fromConfig(com.typesafe.config.ConfigFactory.parseString(
        "strata.stats-log-interval = off")).statsLogInterval());
    assertEquals(Duration.ofSeconds(30), StrataOptions.fromConfig(com.typesafe.config.ConfigFactory.parseString(
        "strata.stats-log-interval = 30 s")).statsLogInterval());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> StrataOptions.fromConfig(com.typesafe.config.ConfigFactory.parseString(
            "strata.stats-log-interval = often")));
    assertTrue(e.getMessage().contains("strata.stats-log-interval"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> StrataOptions.builder().statsLogInterval(Duration.ofSeconds(-1)));
  }
}
