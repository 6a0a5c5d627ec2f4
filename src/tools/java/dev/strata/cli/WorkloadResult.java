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
 */
record WorkloadResult(Workload workload, long elapsedNanos, long ops, long found, long bytes,
    LatencyHistogram latencies, long syncs, long conflicts) {
  private static final double MIB = 1024.0 * 1024.0;

  /** Sums the threads' workers of one run of {@code workload}. */
  static WorkloadResult of(Workload workload, long elapsedNanos, List<Worker> workers) {
    LatencyHistogram all = new LatencyHistogram();
    long ops = 0;
    long found = 0;
    long bytes = 0;
    long conflicts = 0;
    for (Worker w : workers) {
      conflicts += w.conflicts();
      all.add(w.latencies());
      ops += w.ops();
      found += w.found();
      bytes += w.bytes();
    }
    return new WorkloadResult(workload, elapsedNanos, ops, found, bytes, all, 0, conflicts);
  }

  WorkloadResult withSyncs(long count) {
    return new WorkloadResult(workload, elapsedNanos, ops, found, bytes, latencies, count, conflicts);
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
    if (workload.synced()) {
      line += String.format(Locale.ROOT, "   fsyncs %d (%.0f/s, %.1f writes each)", syncs,
          elapsedNanos == 0 ? 0 : syncs * 1e9 / elapsedNanos, syncs == 0 ? 0 : (double) ops / syncs);
    }
    if (workload.transactional()) {
      line += String.format(Locale.ROOT, "   conflicts %d (%.2f%% of commits)", conflicts,
          ops + conflicts == 0 ? 0 : conflicts * 100.0 / (ops + conflicts));
    }
    return workload.reportsFound() ? line + "   found " + found : line;
  }

  private static double micros(long nanos) {
    return nanos / 1000.0;
  }
}
