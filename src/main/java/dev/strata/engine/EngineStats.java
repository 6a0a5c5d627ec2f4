package dev.strata.engine;

import dev.strata.CompactionOptions;
import dev.strata.StrataStats;
import dev.strata.cache.BlockCache;
import dev.strata.compaction.LevelShape;
import dev.strata.compaction.PendingCompaction;
import dev.strata.manifest.FileMeta;
import dev.strata.memtable.Memtable;
import dev.strata.mvcc.SnapshotRegistry;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.SstFile;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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
  final AtomicLong writeStalls = new AtomicLong();
  /** Flush and compaction jobs running on the blocking dispatcher now. */
  final AtomicInteger runningFlushes = new AtomicInteger();
  final AtomicInteger runningCompactions = new AtomicInteger();
  /**
   * Bytes of the WALs of frozen memtables not yet flushed (WalSet keeps it); with the current WAL's
   * length, the live WAL bytes. The two are read one after the other, so while a memtable is being
   * frozen the figure may for an instant count the retiring WAL twice or not at all.
   */
  final AtomicLong retiredWalBytes = new AtomicLong();

  /** What the stats read from the engine's other parts at the moment of the picture. */
  record Now(CompactionOptions compaction, SnapshotRegistry.Pinned pinned, Throwable error, boolean recoverable,
      boolean writesSlowed, boolean writesStopped, long flushBytes) {}

  /** Writes were held for {@code nanos}. */
  void recordStall(long nanos) {
    writeStalls.incrementAndGet();
    writeStallNanos.addAndGet(nanos);
    longestWriteStallNanos.accumulateAndGet(nanos, Math::max);
  }

  /** The picture of a store whose layers are {@code s} (pinned by the caller) and whose writes {@code c} counts. */
  StrataStats snapshot(ReadState s, WritePath.Counters c, BlockCache cache, Now now) {
    long immBytes = 0;
    long keys = s.mutable().entryCount();
    for (Memtable m : s.immutables()) {
      immBytes += m.approximateBytes();
      keys += m.entryCount();
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
        PendingCompaction.estimate(shape(s), now.compaction(), now.flushBytes()), runningCompactions.get(), runningFlushes.get(),
        now.pinned().count(), now.pinned().oldest(), c.currentWalBytes() + retiredWalBytes.get(),
        keys + sstKeys(s), now.error() == null ? "" : now.error().toString(), now.error() != null && now.recoverable(),
        now.writesSlowed(), now.writesStopped(), writeStalls.get(), compressionRatio(s));
  }

  /**
   * The SSTs' share of the key estimate: entries less twice the tombstones, as RocksDB's
   * estimate-num-keys counts them (a tombstone is no key, and likely hides one below it), at least 0.
   */
  private static long sstKeys(ReadState s) {
    long entries = 0;
    long tombstones = 0;
    List<SstFile> all = new ArrayList<>(List.of(s.l0()));
    for (SstFile[] level : s.levels()) {
      all.addAll(List.of(level));
    }
    for (SstFile f : all) {
      entries += f.properties().entryCount();
      tombstones += f.properties().tombstoneCount();
    }
    return Math.max(0, entries - 2 * tombstones);
  }

  /** The shape a picker would see in {@code s}: the manifest's, since every state is installed with its record. */
  private static LevelShape shape(ReadState s) {
    List<List<FileMeta>> levels = new ArrayList<>();
    levels.add(metas(s.l0(), 0));
    for (int i = 0; i < s.levels().length; i++) {
      levels.add(metas(s.levels()[i], i + 1));
    }
    return LevelShape.of(levels);
  }

  private static List<FileMeta> metas(SstFile[] files, int level) {
    List<FileMeta> out = new ArrayList<>(files.length);
    for (SstFile f : files) {
      out.add(f.meta(level));
    }
    return out;
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
