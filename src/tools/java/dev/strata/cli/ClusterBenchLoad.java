package dev.strata.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The closed-loop load of {@code strata bench cluster}: {@code concurrency} clients, each with
 * one operation in flight at a time, {@code ops} operations in all, on keys drawn uniformly from
 * {@code keys}; the throughput and the latency of each operation (from its call to its answer).
 * The same load runs against an embedded store and against a keyspace, through {@link Target}.
 *
 * <p>Not thread-safe: {@link #run} starts and joins its own threads.
 */
final class ClusterBenchLoad {
  /** Where the operations go. Both calls may be made from many threads at once. */
  interface Target {
    CompletionStage<?> put(byte[] key, byte[] value);

    CompletionStage<?> get(byte[] key);
  }

  /** One operation's figures; {@code failures} counts operations that failed or got no answer in 60 s. */
  record Result(String op, long ops, long nanos, long p50Nanos, long p99Nanos, long failures) {
    double opsPerSecond() {
      return nanos == 0 ? 0 : ops * 1e9 / nanos;
    }

    /** The line a node prints for its parent, and {@link #parse} reads. */
    String line() {
      return String.format(Locale.ROOT, "bench-result %s %d %d %d %d %d", op, ops, nanos, p50Nanos, p99Nanos, failures);
    }

    static Result parse(String line) {
      String[] f = line.split(" ");
      if (f.length != 7 || !f[0].equals("bench-result")) {
        throw new IllegalArgumentException("not a bench-result line: " + line);
      }
      return new Result(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]),
          Long.parseLong(f[6]));
    }
  }

  private ClusterBenchLoad() {}

  static byte[] key(int i) {
    return String.format(Locale.ROOT, "key%08d", i).getBytes(StandardCharsets.UTF_8);
  }

  /** Runs {@code ops} operations {@code op} ("put" or "get") and returns their figures. */
  static Result run(Target target, String op, int ops, int concurrency, int keys, int valueBytes, long seed)
      throws InterruptedException {
    if (!op.equals("put") && !op.equals("get")) {
      throw new IllegalArgumentException("the cluster bench runs put or get, not " + op);
    }
    List<Thread> threads = new ArrayList<>();
    List<LatencyHistogram> histograms = new ArrayList<>();
    AtomicLong failures = new AtomicLong();
    long start = System.nanoTime();
    for (int c = 0; c < concurrency; c++) {
      int share = ops / concurrency + (c < ops % concurrency ? 1 : 0);
      LatencyHistogram histogram = new LatencyHistogram();
      histograms.add(histogram);
      SplittableRandom rnd = new SplittableRandom(seed * 31 + c);
      Thread thread = new Thread(() -> {
        byte[] value = new byte[valueBytes];
        for (int i = 0; i < share; i++) {
          byte[] key = key(rnd.nextInt(keys));
          rnd.nextBytes(value);
          long t0 = System.nanoTime();
          try {
            CompletionStage<?> reply = op.equals("put") ? target.put(key, value.clone()) : target.get(key);
            reply.toCompletableFuture().get(60, TimeUnit.SECONDS);
            histogram.record(System.nanoTime() - t0);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          } catch (Exception e) {
            failures.incrementAndGet();
          }
        }
      }, "bench-client-" + c);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    long nanos = System.nanoTime() - start;
    LatencyHistogram all = new LatencyHistogram();
    histograms.forEach(all::add);
    return new Result(op, all.count(), nanos, all.percentile(50), all.percentile(99), failures.get());
  }
}
