package dev.strata.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the store's background work has done since it opened, for {@code stats()}: bytes flushes
 * and compactions wrote, WAL fsyncs, compactions installed, time writes were held.
 *
 * <p>Thread-safe: atomics, written by the writer and the jobs it runs, read by any thread.
 */
final class WorkCounters {
  final AtomicLong flushBytesWritten = new AtomicLong();
  final AtomicLong compactionBytesWritten = new AtomicLong();
  final AtomicLong walSyncs = new AtomicLong();
  final AtomicLong compactions = new AtomicLong();
  final AtomicLong writeStallNanos = new AtomicLong();
  final AtomicLong longestWriteStallNanos = new AtomicLong();

  /** Writes were held for {@code nanos}. */
  void recordStall(long nanos) {
    writeStallNanos.addAndGet(nanos);
    longestWriteStallNanos.accumulateAndGet(nanos, Math::max);
  }
}
