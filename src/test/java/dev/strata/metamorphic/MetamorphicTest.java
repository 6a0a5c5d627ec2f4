package dev.strata.metamorphic;

import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.CompactionOptions;
import dev.strata.RenewedActorSystem;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import dev.strata.fs.InMemoryFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metamorphic test after Pebble's: one random operation sequence ({@link OpGenerator}: puts,
 * deletes, batches, gets, scans with random bounds and limits, snapshots and iterators held open
 * across writes, flushes, compactions and read later, transactions that commit, conflict or roll
 * back, flushes, full compactions, close and reopen) runs against the store under many option
 * sets drawn at random, and every run must give the same trace (one line per operation: what each
 * read returned, whether each commit conflicted) as the in-memory model ({@link ModelTarget}) and
 * as the first run. Options change how the data is laid out (memtable and SST sizes, levels,
 * blocks, filters, cache, WAL) but never what a read returns.
 *
 * <p>The option sets vary: compaction strategy (leveled, tiered, simple leveled, none), memtable
 * size (4 KiB up, so that memtables freeze every few writes), target SST size (4 KiB up, so that
 * flushes and compactions write many files), block size, bloom filters, block cache, WAL on or
 * off (with it off, the store flushes before each reopen, so that no write is lost and results
 * stay comparable), syncWrites, and frozen memtables allowed. The first run and one in four of the
 * others use the disk; the rest use the in-memory file system (as Pebble's metamorphic test
 * mostly does), where an fsync costs nothing, so that many option sets fit in a minute.
 *
 * <p>The sequence and the option sets come from one seed, printed at the start (replay with
 * {@code -Dstrata.seed=...}). {@code -Dstrata.metamorphic.runs} (default 12) sets how many option
 * sets, {@code -Dstrata.metamorphic.ops} (default 2500) how long the sequence is; the Maven profile
 * {@code reliability} runs 100 option sets. On a mismatch the test prints the seed, both option
 * sets, the first operation whose result differs with the operations before it, and keeps the
 * stores' directories.
 */
class MetamorphicTest {
  private static RenewedActorSystem system;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @BeforeAll
  static void startActorSystem() {
    // One ActorSystem for every run, renewed before Akka's unlicensed time limit ends it.
    system = new RenewedActorSystem("metamorphic-test");
  }

  @AfterAll
  static void stopActorSystem() {
    system.close();
  }

  @Test
  void everyOptionSetReadsWhatTheModelReads() {
    long seed = TestHarness.seed("everyOptionSetReadsWhatTheModelReads");
    int runs = property("strata.metamorphic.runs", 12);
    List<Op> ops = OpGenerator.generate(seed, property("strata.metamorphic.ops", 2500));
    List<String> expected;
    try (ModelTarget model = new ModelTarget()) {
      expected = run(model, ops);
    }
    SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
    List<String> first = null;
    String firstOptions = null;
    long started = System.nanoTime();
    for (int r = 0; r < runs; r++) {
      StrataOptions options = drawOptions(rnd);
      boolean onDisk = r == 0 || rnd.nextInt(4) == 0;
      String described = options + (onDisk ? " on disk" : " in memory");
      List<String> trace;
      long runStart = System.nanoTime();
      try (StoreTarget store = new StoreTarget(system.get(), dir.resolve("run-" + r), options,
          onDisk ? null : new InMemoryFileSystem())) {
        trace = run(store, ops);
      }
      System.out.printf("  run %d: %.1f s, %s%n", r, (System.nanoTime() - runStart) / 1e9, described);
      String where = "seed=" + seed + ", run " + r + " of " + runs
          + (onDisk ? ", directory kept: " + dir.resolve("run-" + r) : "");
      compare(ops, expected, "the model", trace, described, where);
      if (first == null) {
        first = trace;
        firstOptions = described;
      } else {
        compare(ops, first, "run 0 with " + firstOptions, trace, described, where);
      }
    }
    System.out.printf("everyOptionSetReadsWhatTheModelReads: %d operations x %d option sets agree with the model"
        + " (%d reads, %d conflicts) in %.1f s%n", ops.size(), runs,
        expected.stream().filter(l -> !l.equals("ok")).count(),
        expected.stream().filter(l -> l.equals("conflict")).count(), (System.nanoTime() - started) / 1e9);
  }

  /** Runs the sequence; an operation that throws ends the trace with what it threw. */
  private static List<String> run(Target target, List<Op> ops) {
    List<String> trace = new ArrayList<>(ops.size());
    for (Op op : ops) {
      try {
        trace.add(target.apply(op));
      } catch (RuntimeException e) {
        trace.add("threw " + e);
        break;
      }
    }
    return trace;
  }

  private static void compare(List<Op> ops, List<String> expected, String expectedFrom, List<String> actual,
      String actualOptions, String where) {
    int n = Math.max(expected.size(), actual.size());
    for (int i = 0; i < n; i++) {
      String e = i < expected.size() ? expected.get(i) : "(no result)";
      String a = i < actual.size() ? actual.get(i) : "(no result)";
      if (!e.equals(a)) {
        StringBuilder sb = new StringBuilder("metamorphic mismatch at operation " + i + " (" + where + ")\n");
        sb.append("  store options: ").append(actualOptions).append('\n');
        sb.append("  compared with: ").append(expectedFrom).append('\n');
        for (int j = Math.max(0, i - 12); j < i; j++) {
          sb.append("  ").append(j).append(": ").append(shorten(ops.get(j))).append(" -> ").append(expected.get(j)).append('\n');
        }
        sb.append("  ").append(i).append(": ").append(shorten(ops.get(i))).append('\n');
        sb.append("    expected: ").append(e).append('\n');
        sb.append("    actual:   ").append(a).append('\n');
        System.out.println(sb);
        fail(sb.toString());
      }
    }
  }

  /** An operation as text, long values cut short. */
  private static String shorten(Op op) {
    return op.toString().replaceAll("value=([a-z]{12})[a-z]+", "value=$1...");
  }

  static StrataOptions drawOptions(SplittableRandom rnd) {
    CompactionOptions compaction = switch (rnd.nextInt(4)) {
      case 0 -> CompactionOptions.leveled().level0FileTrigger(2 + rnd.nextInt(3)).baseLevelBytes(16 << 10)
          .levelSizeMultiplier(2 + rnd.nextInt(4));
      case 1 -> CompactionOptions.tiered().numTiers(2 + rnd.nextInt(4));
      case 2 -> CompactionOptions.simpleLeveled().level0FileTrigger(2 + rnd.nextInt(3)).maxLevels(2 + rnd.nextInt(4));
      default -> CompactionOptions.none();
    };
    boolean wal = rnd.nextInt(3) > 0;
    return StrataOptions.builder()
        .compaction(compaction)
        .memtableSizeBytes(pick(rnd, 4096, 8192, 32 << 10, 1 << 20))
        .targetSstSizeBytes(pick(rnd, 4096, 8192, 64 << 10))
        .blockSizeBytes((int) pick(rnd, 256, 1024, 4096))
        .bloomBitsPerKey(rnd.nextBoolean() ? 0 : 10)
        .blockCacheBytes(pick(rnd, 0, 64 << 10, 8 << 20))
        .walEnabled(wal)
        .syncWrites(wal && rnd.nextInt(4) == 0)
        .maxImmutableMemtables(1 + rnd.nextInt(4))
        .build();
  }

  private static long pick(SplittableRandom rnd, long... choices) {
    return choices[rnd.nextInt(choices.length)];
  }

  private static int property(String name, int byDefault) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? byDefault : Integer.parseInt(v.trim());
  }
}
