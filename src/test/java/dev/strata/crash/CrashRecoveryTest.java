package dev.strata.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.strata.Strata;
import dev.strata.TestHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process crashes lose no acknowledged write: a child JVM ({@link CrashWriter}) writes to a store
 * from several threads and is killed with SIGKILL ({@code destroyForcibly}) at a random moment,
 * again and again on the same directory; after each kill the store is reopened here and checked
 * against everything the child reported ({@link CrashModel}): every acknowledged put, delete and
 * batch is there, newest write of each key winning; a write in flight at the kill is there whole
 * or not at all; no value appears that no write intended.
 *
 * <p>Each cycle: start the child, wait for its first report, let it run a random 100 to 700 ms,
 * kill it, reopen the store in this JVM, check, close, go on. The kill delays and the children's
 * seeds come from one seed, printed at the start (replay with {@code -Dstrata.seed=...}; thread
 * timing still differs between runs, so a replay reproduces the schedule, not the interleaving).
 * On failure the test stops at the failing cycle, prints the problems and keeps its directory
 * (the store in {@code store/}, the child's stdout and stderr of that cycle beside it). The kill
 * always lands after the child's {@code open} returned, so a crash inside recovery itself is not
 * exercised here.
 *
 * <p>How many cycles: {@code -Dstrata.crash.cycles} (default 20) for the test with
 * {@code syncWrites(true)}, {@code -Dstrata.crash.unsyncedCycles} (default 5) for the one with
 * {@code syncWrites(false)}. The Maven profile {@code reliability} ({@code mvn -B test
 * -Preliability}) runs only this class, with 1000 and 100 cycles; {@code -Dstrata.crash.cycles=N}
 * on the command line overrides either way. A cycle takes about 1.3 s on two cores; with no
 * compaction yet every flush stays in L0, so checks slow down as cycles accumulate (200 cycles took
 * about 6 minutes, 1000 take the better part of an hour).
 */
class CrashRecoveryTest {
  private static final int THREADS = 4;
  private static final long FIRST_LINE_TIMEOUT_MS = 60_000;

  private static ActorSystem<Void> system;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @BeforeAll
  static void startActorSystem() {
    // One ActorSystem for all reopenings: starting one per cycle would cost more than the check.
    system = ActorSystem.create(Behaviors.empty(), "crash-recovery-test", ConfigFactory.load());
  }

  @AfterAll
  static void stopActorSystem() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void syncedAcknowledgedWritesSurviveRepeatedProcessKills() throws Exception {
    killRepeatedly("syncedAcknowledgedWritesSurviveRepeatedProcessKills", cycles("strata.crash.cycles", 20), true);
  }

  /** The WAL is a memory-mapped file: an acknowledged write is in the page cache, which a process crash keeps. */
  @Test
  void unsyncedAcknowledgedWritesSurviveRepeatedProcessKills() throws Exception {
    killRepeatedly("unsyncedAcknowledgedWritesSurviveRepeatedProcessKills", cycles("strata.crash.unsyncedCycles", 5),
        false);
  }

  private static int cycles(String property, int byDefault) {
    String v = System.getProperty(property);
    return v == null || v.isBlank() ? byDefault : Integer.parseInt(v.trim());
  }

  private void killRepeatedly(String name, int cycles, boolean syncWrites) throws Exception {
    long seed = TestHarness.seed(name);
    SplittableRandom rnd = new SplittableRandom(seed);
    Path store = dir.resolve("store");
    CrashModel model = new CrashModel();
    long started = System.nanoTime();
    long checkNanos = 0;
    int checked = 0;
    try {
      for (int cycle = 0; cycle < cycles; cycle++) {
        long killAfterMs = 100 + rnd.nextInt(601);
        long childSeed = rnd.nextLong();
        String at = name + " seed=" + seed + " cycle=" + cycle + " (child seed " + childSeed + ", killed after "
            + killAfterMs + " ms); directory kept: " + dir;
        Path out = dir.resolve(String.format("cycle-%05d.out", cycle));
        Path err = dir.resolve(String.format("cycle-%05d.err", cycle));
        runAndKill(store, out, err, childSeed, cycle, syncWrites, killAfterMs, at);

        CrashLog log = CrashLog.parse(Files.readString(out, StandardCharsets.US_ASCII), cycle);
        String where = at + "; " + log.acknowledged().size() + " acknowledged writes, in flight "
            + log.inFlight().values();
        if (!log.errors().isEmpty()) {
          fail("the child reported a failed write: " + log.errors() + "; its stderr is " + err + "; " + where);
        }
        CrashModel.Verdict verdict;
        long checkStart = System.nanoTime();
        try (Strata db = reopen(store, syncWrites, where)) {
          verdict = model.check(db, log);
        }
        checkNanos += System.nanoTime() - checkStart;
        checked++;
        if (!verdict.clean()) {
          System.out.println(name + " FAILED at " + where);
          verdict.problems().forEach(p -> System.out.println("  " + p));
          fail(verdict.lostWrites() + " lost writes, " + verdict.partialBatches() + " partial batches, "
              + verdict.phantoms() + " phantoms, " + verdict.inconsistent() + " inconsistent reads at " + where
              + "\n" + String.join("\n", verdict.problems()));
        }
        Files.delete(out);
        Files.delete(err);
        if (cycles >= 100 && (cycle + 1) % (cycles / 10) == 0) {
          System.out.println(name + " progress: " + model.totals(checked) + ", " + elapsed(started, checkNanos)
              + ", " + fileCount(store) + " files in the store");
        }
      }
    } finally {
      System.out.println(name + " totals: " + model.totals(checked) + ", " + elapsed(started, checkNanos));
    }
    assertEquals(0, model.lost(), "lost acknowledged writes");
    assertEquals(0, model.partial(), "partial batches");
    assertEquals(0, model.phantom(), "phantom values");
    assertEquals(0, model.inconsistent(), "get/scan disagreements");
  }

  private static String elapsed(long started, long checkNanos) {
    long total = System.nanoTime() - started;
    return String.format("%.1f s (%.1f s reopening and checking)", total / 1e9, checkNanos / 1e9);
  }

  private static Strata reopen(Path store, boolean syncWrites, String where) {
    try {
      return Strata.open(system, store, CrashWriter.options(syncWrites));
    } catch (RuntimeException e) {
      throw new AssertionError("the store does not reopen after the kill at " + where + ": " + e, e);
    }
  }

  /** Starts the child, lets it write {@code killAfterMs} past its first report, and SIGKILLs it. */
  private static void runAndKill(Path store, Path out, Path err, long childSeed, int cycle, boolean syncWrites,
      long killAfterMs, String at) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        // The child lives for about a second: the C1 compiler alone starts it faster and writes more.
        "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"),
        CrashWriter.class.getName(),
        store.toString(), Long.toString(childSeed), Integer.toString(THREADS), Integer.toString(cycle),
        Boolean.toString(syncWrites))
        // A file rather than a pipe: everything the child wrote before the kill is in it, and no
        // thread has to drain it; a last line the kill cut short is ignored (CrashLog).
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    Process child = pb.start();
    try {
      long deadline = System.currentTimeMillis() + FIRST_LINE_TIMEOUT_MS;
      while (Files.size(out) == 0) {
        if (!child.isAlive()) {
          fail("the child exited with status " + child.exitValue() + " before writing anything at " + at
              + "; its stderr:\n" + tail(err));
        }
        if (System.currentTimeMillis() > deadline) {
          fail("the child wrote nothing within " + FIRST_LINE_TIMEOUT_MS + " ms at " + at + "; its stderr:\n"
              + tail(err));
        }
        Thread.sleep(5);
      }
      Thread.sleep(killAfterMs);
      if (!child.isAlive()) {
        fail("the child exited with status " + child.exitValue() + " before it was killed at " + at
            + "; its stderr:\n" + tail(err));
      }
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
  }

  private static long fileCount(Path store) throws IOException {
    try (Stream<Path> files = Files.list(store)) {
      return files.count();
    }
  }

  private static String tail(Path file) throws IOException {
    String s = Files.readString(file, StandardCharsets.UTF_8);
    return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
  }
}
