package dev.strata.cli;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.stream.javadsl.Source;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.akka.stream.KeyValue;
import dev.strata.akka.stream.StrataSink;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.stream.LongStream;

/**
 * {@code strata bench ingest}: the same fill, written twice, each into a fresh store of its own:
 * once with synchronous {@code put}s from one thread, once as a stream of {@link KeyValue}s into
 * {@link StrataSink} (StrataFlow and a sink). Both write fillrandom's keys and values (the same
 * seeded permutation, the same value bytes), are timed from the first write to the last
 * acknowledgement, and count nothing per operation, so the only difference is the path. Prints
 * elements per second for each and their ratio; with several rounds the fills alternate which
 * goes first (so the JIT's warm-up favours neither) and the ratio is of the medians. Not
 * thread-safe: one run at a time.
 */
final class IngestBench {
  /**
   * One fill's outcome. {@code cpuNanos} is the CPU time of the whole process meanwhile (every
   * thread: the writing one, the writer actor, flushes and compactions): on a shared machine it
   * shows the work done, where elapsed time shows the CPU the machine gave.
   */
  record Result(String name, long elements, long elapsedNanos, long cpuNanos, long bytes) {
    double perSecond() {
      return elapsedNanos == 0 ? 0 : elements * 1e9 / elapsedNanos;
    }

    String format() {
      return String.format(Locale.ROOT, "%-16s : %10d elements in %7.3f s %11.0f elements/s %8.1f MB/s   cpu %7.3f s",
          name, elements, elapsedNanos / 1e9, perSecond(), elapsedNanos == 0 ? 0 : bytes / 1048576.0 * 1e9 / elapsedNanos,
          cpuNanos < 0 ? Double.NaN : cpuNanos / 1e9);
    }
  }

  private static final String SYNC = "sync API (put)";
  private static final String STREAM = "StrataFlow";

  private final IngestConfig config;
  private final BiFunction<Path, StrataOptions, Strata> opener;
  private final ActorSystem<?> system;
  private final Path dir;
  private final PrintStream out;
  private final PrintStream progressTerminal;
  private final KeyGenerator keys;
  private final ValueGenerator values;
  private final IndexPermutation order;

  IngestBench(IngestConfig config, BiFunction<Path, StrataOptions, Strata> opener, ActorSystem<?> system, Path dir,
      PrintStream out, PrintStream progressTerminal) {
    this.config = config;
    this.opener = opener;
    this.system = system;
    this.dir = dir;
    this.out = out;
    this.progressTerminal = progressTerminal;
    BenchConfig bench = config.bench();
    this.keys = new KeyGenerator(bench.keySize());
    this.values = new ValueGenerator(bench.valueSize(), bench.seed(), bench.compressionRatio());
    this.order = new IndexPermutation(bench.num(), Mixing.mix64(bench.seed()));
  }

  /**
   * Runs both fills {@code rounds} times, alternating which goes first (the configured order in
   * the first round), and prints a line per fill; with several rounds, the medians too. The ratio
   * is of the medians' elements/s.
   */
  void run() throws IOException, InterruptedException {
    List<Result> sync = new ArrayList<>();
    List<Result> stream = new ArrayList<>();
    for (int round = 0; round < config.rounds(); round++) {
      boolean streamFirst = config.streamFirst() ^ (round % 2 == 1);
      if (streamFirst) {
        stream.add(fill(STREAM, this::streamFill));
        sync.add(fill(SYNC, this::syncFill));
      } else {
        sync.add(fill(SYNC, this::syncFill));
        stream.add(fill(STREAM, this::streamFill));
      }
    }
    Result syncMedian = median(sync);
    Result streamMedian = median(stream);
    if (config.rounds() > 1) {
      out.println("median of " + config.rounds() + " rounds:");
      out.println(syncMedian.format());
      out.println(streamMedian.format());
    }
    out.println(String.format(Locale.ROOT, "%-16s : %.2fx (StrataFlow elements/s over the synchronous API's)",
        "ratio", streamMedian.perSecond() / syncMedian.perSecond()));
    out.flush();
  }

  /** The result of median elapsed time (the lower middle one of an even count). */
  private static Result median(List<Result> results) {
    List<Result> sorted = new ArrayList<>(results);
    sorted.sort(Comparator.comparingLong(Result::elapsedNanos));
    return sorted.get((sorted.size() - 1) / 2);
  }

  /** One way of writing every element into {@code db}; returns the nanoseconds it took. */
  @FunctionalInterface
  private interface Fill {
    long run(Strata db, LongAdder progress) throws InterruptedException;
  }

  private Result fill(String name, Fill fill) throws IOException, InterruptedException {
    BenchConfig bench = config.bench();
    Path storeDir = dir.resolve(name.equals(SYNC) ? "sync" : "stream");
    Files.createDirectories(storeDir);
    LongAdder progress = new LongAdder();
    long elapsed;
    long cpu;
    Strata db = opener.apply(storeDir, bench.options());
    ProgressBar bar = ProgressBar.start(progressTerminal, name, bench.num(), progress);
    try {
      long cpuBefore = processCpuNanos();
      elapsed = fill.run(db, progress);
      cpu = cpuBefore < 0 ? -1 : processCpuNanos() - cpuBefore;
      long written = db.stats().lastSequence();
      if (written != bench.num()) {
        throw new BenchRunner.BenchFailure(name + " wrote " + written + " of " + bench.num() + " elements", null);
      }
    } finally {
      bar.close();
      db.close();
    }
    Directories.deleteRecursively(storeDir); // the next fill gets the disk and the page cache to itself
    Result result = new Result(name, bench.num(), elapsed, cpu, bench.rawBytes());
    out.println(result.format());
    out.flush();
    return result;
  }

  /** CPU time of this process so far, or -1 where the JVM does not tell. */
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  private long syncFill(Strata db, LongAdder progress) {
    long n = config.bench().num();
    long start = System.nanoTime();
    for (long i = 0; i < n; i++) {
      long k = order.apply(i);
      db.put(keys.key(k), values.value(k, Workload.FILL_SALT));
      progress.increment();
    }
    return System.nanoTime() - start;
  }

  private long streamFill(Strata db, LongAdder progress) throws InterruptedException {
    long n = config.bench().num();
    long start = System.nanoTime();
    CompletionStage<Done> done = Source.fromIterator(() -> LongStream.range(0, n).iterator())
        .map(i -> {
          long k = order.apply(i);
          progress.increment();
          return KeyValue.put(keys.key(k), values.value(k, Workload.FILL_SALT));
        })
        .runWith(StrataSink.write(db, config.settings()), system);
    try {
      done.toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw new BenchRunner.BenchFailure("StrataFlow failed: " + e.getCause(), e.getCause());
    }
    return System.nanoTime() - start;
  }
}
