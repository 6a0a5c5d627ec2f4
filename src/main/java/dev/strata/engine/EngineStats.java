package dev.strata.engine;

import dev.strata.StrataStats;
import dev.strata.cache.BlockCache;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.SstFile;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's stats: counters of what the store's background work has done since it opened
 * (bytes flushes and compactions wrote, WAL fsyncs, compactions installed, time writes were held),
 * and the assembly of a {@link StrataStats} from them, a pinned read state and the write path's
 * counters.
 *
 * <p>Thread-safe: atomics, written by the writer and the jobs it runs, read by any thread.
 */
final class EngineStats {
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

  /** The picture of a store whose layers are {@code s} (pinned by the caller) and whose writes {@code c} counts. */
  StrataStats snapshot(ReadState s, WritePath.Counters c, BlockCache cache) {
    long immBytes = 0;
    for (Memtable m : s.immutables()) {
      immBytes += m.approximateBytes();
    }
    int levels = 1 + s.levels().length;
    int[] counts = new int[levels];
    long[] bytes = new long[levels];
    counts[0] = s.l0().length;
    for (SstFile f : s.l0()) {
      bytes[0] += f.fileSize();
    }
    for (int i = 0; i < s.levels().length; i++) {
      counts[i + 1] = s.levels()[i].length;
      for (SstFile f : s.levels()[i]) {
        bytes[i + 1] += f.fileSize();
      }
    }
    return new StrataStats(s.mutable().approximateBytes(), s.immutables().length, immBytes, counts, bytes,
        c.userBytesWritten(), flushBytesWritten.get(), compactionBytesWritten.get(), c.walBytesWritten(),
        walSyncs.get(), cache.hits(), cache.misses(), c.lastSequence(), writeStallNanos.get(),
        longestWriteStallNanos.get(), compactions.get(), s.tableIndexBytes(), s.tableFilterBytes(),
        compressionRatio(s));
  }

  /** Uncompressed over stored data-block bytes of the live SSTs, from their properties; 1 without any. */
  private static double compressionRatio(ReadState s) {
    long uncompressed = 0;
    long stored = 0;
    for (SstFile f : s.l0()) {
      uncompressed += f.properties().uncompressedDataBytes();
      stored += f.properties().storedDataBytes();
    }
    for (SstFile[] level : s.levels()) {
      for (SstFile f : level) {
        uncompressed += f.properties().uncompressedDataBytes();
        stored += f.properties().storedDataBytes();
      }
    }
    return stored == 0 ? 1.0 : (double) uncompressed / stored;
  }
}
