package dev.strata.crash;

import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.KilledChild;
import dev.strata.RenewedActorSystem;
import dev.strata.Strata;
import dev.strata.TestHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash test after RocksDB's db_crashtest.py: a child JVM ({@link CrashWriter}) writes to a
 * store from several threads (puts, deletes, write batches, transactions that commit, conflict or
 * roll back, and flushes) and is killed with SIGKILL ({@code destroyForcibly}) at a random
 * moment, again and again on the same directories; after each kill the store is reopened here and
 * every key of its key space is checked against the expected state the child's log implies
 * ({@link ExpectedState}, which states the rules): each key holds one of its permitted values,
 * batches and transactions are all or nothing, conflicted and rolled-back transactions left
 * nothing, what survived is a prefix of the write history, and {@code get} agrees with a scan.
 *
 * <p>There are three stores, one per compaction strategy (leveled, tiered, simple leveled), each
 * keeping its strategy for life. Each cycle picks one of them and draws the rest of its options
 * ({@link CrashOptionSet}): the WAL off, on and unsynced, or on and synced; memtable size; frozen
 * memtables allowed; block cache and bloom filters on or off; snapshot isolation or serializable.
 * So one directory is written under many option sets in turn, as a long-lived store is.
 *
 * <p>Each cycle: start the child, wait for its first report, let it run a random 100 to 500 ms,
 * kill it, reopen the store in this JVM (one ActorSystem for all reopenings), check, close, go on.
 * The key space is bounded (512 keys) and compaction runs, so the stores stay small and a check
 * costs the same at cycle 1000 as at cycle 1. The strategies, option sets, kill delays and the
 * children's seeds come from one seed, printed at the start (replay with {@code -Dstrata.seed=...};
 * thread timing still differs between runs, so a replay reproduces the schedule, not the
 * interleaving). On failure the test stops at the failing cycle, prints the problems and keeps
 * its directory (the stores, and the child's stdout, which is the expected-state log, and stderr
 * of that cycle beside them). The kill always lands after the child's {@code open} returned, so a
 * crash inside recovery itself is not exercised here (CrashAtEveryStepTest does that).
 *
 * <p>How many cycles: {@code -Dstrata.crash.cycles} (default 20: 36 s on two cores shared with
 * other builds). The Maven profile {@code reliability} ({@code mvn -B test -Preliability}) runs
 * this class with 1000 cycles and the metamorphic test. A cycle costs about 1.8 s on two cores
 * that are not overloaded, so 1000 cycles take about 30 minutes; most of it is the child's start
 * (a JVM, an ActorSystem and the store's recovery: about 2 s of CPU), which the totals show, and
 * on a machine loaded far past its cores a cycle takes several times as long. Totals are printed
 * at the end: cycles, kills, writes acknowledged, keys checked, and the same per option set
 * (strategy and WAL mode).
 */
class CrashRecoveryTest {
  private static final int THREADS = 4;

  private static RenewedActorSystem system;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @BeforeAll
  static void startActorSystem() {
    // One ActorSystem for all reopenings (starting one per store would cost more than the check),
    // renewed before Akka's unlicensed time limit ends it.
    system = new RenewedActorSystem("crash-recovery-test");
  }

  @AfterAll
  static void stopActorSystem() {
    system.close();
  }

  @Test
  void everyKeyHoldsAPermittedValueAfterEachOfManyProcessKills() throws Exception {
    killRepeatedly("everyKeyHoldsAPermittedValueAfterEachOfManyProcessKills", cycles("strata.crash.cycles", 20));
  }

  private static int cycles(String property, int byDefault) {
    String v = System.getProperty(property);
    return v == null || v.isBlank() ? byDefault : Integer.parseInt(v.trim());
  }

  /** Counts per option set label: cycles, acknowledged writes, keys checked. */
  private static final class Tally {
    long cycles;
    long acknowledged;
    long keysChecked;

    @Override
    public String toString() {
      return "cycles=" + cycles + " acknowledged=" + acknowledged + " keysChecked=" + keysChecked;
    }
  }

  private void killRepeatedly(String name, int cycles) throws Exception {
    long seed = TestHarness.seed(name);
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<CrashOptionSet.Strategy, ExpectedState> models = new EnumMap<>(CrashOptionSet.Strategy.class);
    for (CrashOptionSet.Strategy s : CrashOptionSet.Strategy.values()) {
      models.put(s, new ExpectedState());
    }
    Map<String, Tally> perSet = new TreeMap<>();
    long started = System.nanoTime();
    long checkNanos = 0;
    long startNanos = 0;
    int checked = 0;
    int kills = 0;
    try {
      for (int cycle = 0; cycle < cycles; cycle++) {
        CrashOptionSet.Strategy[] strategies = CrashOptionSet.Strategy.values();
        CrashOptionSet set = CrashOptionSet.draw(strategies[rnd.nextInt(strategies.length)], rnd);
        long killAfterMs = 100 + rnd.nextInt(401);
        long childSeed = rnd.nextLong();
        Path store = dir.resolve(set.strategy().name().toLowerCase(Locale.ROOT));
        String at = name + " seed=" + seed + " cycle=" + cycle + " options " + set + " (child seed " + childSeed
            + ", killed after " + killAfterMs + " ms); directory kept: " + dir;
        Path out = dir.resolve(String.format("cycle-%05d.out", cycle));
        Path err = dir.resolve(String.format("cycle-%05d.err", cycle));
        startNanos += KilledChild.run(CrashWriter.class, List.of(store.toString(), Long.toString(childSeed),
            Integer.toString(THREADS), Integer.toString(cycle), set.encode()), out, err, o -> !o.isEmpty(),
            "a write reported", killAfterMs, at);
        kills++;

        CrashLog log = CrashLog.parse(Files.readString(out, StandardCharsets.US_ASCII), cycle);
        String where = at + "; " + log.count(CrashLog.Outcome.ACKNOWLEDGED) + " acknowledged writes, "
            + log.count(CrashLog.Outcome.PENDING) + " pending, " + log.flushes().size() + " flushes; its log: " + out;
        if (!log.errors().isEmpty()) {
          fail("the child reported a failure: " + log.errors() + "; its stderr is " + err + "; " + where);
        }
        ExpectedState model = models.get(set.strategy());
        ExpectedState.Verdict verdict;
        long checkStart = System.nanoTime();
        try (Strata db = reopen(store, set, where)) {
          verdict = model.check(db, log, set.durability().walEnabled());
        }
        checkNanos += System.nanoTime() - checkStart;
        checked++;
        if (!verdict.clean()) {
          System.out.println(name + " FAILED at " + where);
          verdict.problems().forEach(p -> System.out.println("  " + p));
          fail(verdict.problems().size() + " problems at " + where + "\n" + String.join("\n", verdict.problems()));
        }
        Tally t = perSet.computeIfAbsent(set.label(), x -> new Tally());
        t.cycles++;
        t.acknowledged += log.count(CrashLog.Outcome.ACKNOWLEDGED);
        t.keysChecked += verdict.keysChecked();
        Files.delete(out);
        Files.delete(err);
        if (cycles >= 100 && (cycle + 1) % (cycles / 10) == 0) {
          System.out.println(name + " progress: cycle " + (cycle + 1) + ", " + elapsed(started, checkNanos, startNanos) + ", "
              + fileCounts(models.keySet()) + " files in the stores");
        }
      }
    } finally {
      System.out.println(name + " totals: cycles=" + checked + " kills=" + kills + " "
          + totals(models) + ", " + elapsed(started, checkNanos, startNanos));
      models.forEach((s, m) -> System.out.println("  store " + s + ": " + m.totals()));
      perSet.forEach((label, t) -> System.out.println("  option set " + label + ": " + t));
    }
  }

  private static String totals(Map<CrashOptionSet.Strategy, ExpectedState> models) {
    long acknowledged = 0;
    long keyChecks = 0;
    for (ExpectedState m : models.values()) {
      acknowledged += m.acknowledged();
      keyChecks += m.keyChecks();
    }
    return "acknowledgedWrites=" + acknowledged + " keysChecked=" + keyChecks;
  }

  private static String elapsed(long started, long checkNanos, long startNanos) {
    long total = System.nanoTime() - started;
    return String.format("%.1f s (%.1f s starting children until their first report, %.1f s reopening and checking)",
        total / 1e9, startNanos / 1e9, checkNanos / 1e9);
  }

  private static Strata reopen(Path store, CrashOptionSet set, String where) {
    try {
      return Strata.open(system.get(), store, set.options());
    } catch (RuntimeException e) {
      throw new AssertionError("the store does not reopen after the kill at " + where + ": " + e, e);
    }
  }

  private String fileCounts(Iterable<CrashOptionSet.Strategy> strategies) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (CrashOptionSet.Strategy s : strategies) {
      Path store = dir.resolve(s.name().toLowerCase(Locale.ROOT));
      if (Files.isDirectory(store)) {
        try (Stream<Path> files = Files.list(store)) {
          sb.append(sb.length() == 0 ? "" : "/").append(files.count());
        }
      }
    }
    return sb.toString();
  }

}
