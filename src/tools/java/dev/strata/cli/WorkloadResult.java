package dev.strata.cli;

import java.util.List;
import java.util.Locale;

/**
 * What one workload measured, summed over its threads. Immutable once built.
 *
 * @param workload the workload
 * @param elapsedNanos wall-clock time from the threads' start to the last one's end
 * @param ops operations done
 * @param found keys found (reads only)
 * @param bytes key and value bytes moved
 * @param latencies per-operation latencies
 * @param syncs fsyncs the store issued during the run (reported for synced workloads)
 * @param conflicts transaction commits that lost a conflict and were retried (transactional workloads)
 * @param counts operations by kind (the YCSB lines report them)
 * @param writtenBytes key and value bytes of puts and key bytes of deletes, the background
 *     writer's included: the user bytes of write amplification
 * @param writerOps puts of the background writer (readwhilewriting), over the same elapsed
 *     time; -1 for a workload without one
 */
record WorkloadResult(Workload workload, long elapsedNanos, long ops, long found, long bytes,
    LatencyHistogram latencies, long syncs, long conflicts, OpCounts counts, long writtenBytes, long writerOps) {
  private static final double MIB = 1024.0 * 1024.0;

  /** A result without a breakdown: the bytes of a workload that reports no keys found were written. */
  WorkloadResult(Workload workload, long elapsedNanos, long ops, long found, long bytes, LatencyHistogram latencies,
      long syncs, long conflicts) {
    this(workload, elapsedNanos, ops, found, bytes, latencies, syncs, conflicts, OpCounts.NONE,
        workload.reportsFound() ? 0 : bytes, -1);
  }

  /**
   * Sums the threads' workers of one run of {@code workload}; {@code writer} is its background
   * writer, or null.
   */
  static WorkloadResult of(Workload workload, long elapsedNanos, List<Worker> workers, Worker writer) {
    WorkloadResult r = of(workload, elapsedNanos, workers);
    if (writer == null) {
      return r;
    }
    return new WorkloadResult(workload, elapsedNanos, r.ops, r.found, r.bytes, r.latencies, r.syncs, r.conflicts,
        r.counts, r.writtenBytes + writer.writtenBytes(), writer.ops());
  }

  /** Sums the threads' workers of one run of {@code workload}. */
  static WorkloadResult of(Workload workload, long elapsedNanos, List<Worker> workers) {
    LatencyHistogram all = new LatencyHistogram();
    long ops = 0;
    long found = 0;
    long bytes = 0;
    long conflicts = 0;
    long written = 0;
    OpCounts counts = OpCounts.NONE;
    for (Worker w : workers) {
      conflicts += w.conflicts();
      written += w.writtenBytes();
      counts = counts.plus(w.counts());
      all.add(w.latencies());
      ops += w.ops();
      found += w.found();
      bytes += w.bytes();
    }
    return new WorkloadResult(workload, elapsedNanos, ops, found, bytes, all, 0, conflicts, counts, written, -1);
  }

  WorkloadResult withSyncs(long count) {
    return new WorkloadResult(workload, elapsedNanos, ops, found, bytes, latencies, count, conflicts, counts,
        writtenBytes, writerOps);
  }

  /** The background writer's puts per second, over the workload's elapsed time. */
  double writerOpsPerSecond() {
    return elapsedNanos == 0 || writerOps < 0 ? 0 : writerOps * 1e9 / elapsedNanos;
  }

  double opsPerSecond() {
    return elapsedNanos == 0 ? 0 : ops * 1e9 / elapsedNanos;
  }

  double mibPerSecond() {
    return elapsedNanos == 0 ? 0 : bytes / MIB * 1e9 / elapsedNanos;
  }

  /** The workload's line: name, operations, throughput, latencies in microseconds, keys found. */
  String format() {
    String line = String.format(Locale.ROOT,
        "%-12s : %10d ops %10.0f ops/s %8.1f MB/s   p50 %8.1f us  p99 %8.1f us  max %9.1f us",
        workload.benchName(), ops, opsPerSecond(), mibPerSecond(), micros(latencies.percentile(50)),
        micros(latencies.percentile(99)), micros(latencies.max()));
    if (workload.synced() && syncs < 0) {
      line += "   fsyncs n/a (the engine does not count them)";
    } else if (workload.synced()) {
      line += String.format(Locale.ROOT, "   fsyncs %d (%.0f/s, %.1f writes each)", syncs,
          elapsedNanos == 0 ? 0 : syncs * 1e9 / elapsedNanos, syncs == 0 ? 0 : (double) ops / syncs);
    }
    if (workload.transactional()) {
      line += String.format(Locale.ROOT, "   conflicts %d (%.2f%% of commits)", conflicts,
          ops + conflicts == 0 ? 0 : conflicts * 100.0 / (ops + conflicts));
    }
    if (workload.mixed()) {
      line += "   " + counts.describe(found);
    }
    if (workload.reportsFound()) {
      line += "   found " + found;
    }
    if (writerOps >= 0) {
      line += String.format(Locale.ROOT, "   writer %d ops %.0f ops/s", writerOps, writerOpsPerSecond());
    }
    return line;
  }

  private static double micros(long nanos) {
    return nanos / 1000.0;
  }
}
