package dev.strata;

import java.util.Arrays;
import java.util.Objects;

/**
 * A consistent picture of one store at one moment: what its layers hold and how many bytes it has
 * written, so write amplification can be read off as
 * {@code (flushBytesWritten + compactionBytesWritten + walBytesWritten) / userBytesWritten}.
 * Immutable: the per-level arrays are copied in and copied out, and two pictures are equal when
 * every figure, per level too, is.
 *
 * @param memtableBytes approximate bytes in the current (mutable) memtable
 * @param immutableMemtables frozen memtables waiting for flush
 * @param immutableMemtableBytes approximate bytes in the frozen memtables
 * @param levelFileCounts SST files per level; index 0 is L0 (for tiered compaction each index
 *     after 0 is a tier)
 * @param levelBytes SST bytes per level, indexed like {@code levelFileCounts}
 * @param userBytesWritten key and value bytes accepted from users
 * @param flushBytesWritten bytes of SSTs written by flushes
 * @param compactionBytesWritten bytes of SSTs written by compactions (a trivial move writes none)
 * @param walBytesWritten bytes appended to write-ahead logs
 * @param walSyncs fsyncs of WAL files: with group commit, far fewer than synced writes
 * @param blockCacheHits block reads the block cache served (0 while the cache is off, its default)
 * @param blockCacheMisses block reads the block cache did not serve
 * @param lastSequence the sequence number of the newest acknowledged write
 * @param writeStallNanos total time writes spent waiting for flush or compaction to catch up
 * @param longestWriteStallNanos the longest single stretch during which writes were held
 * @param compactions compactions installed since the store was opened (moves of a file to another
 *     level included)
 * @param tableIndexBytes heap bytes the open SSTs' index blocks take: every open table keeps its
 *     index in memory, so this grows with the data, about one index entry per data block
 * @param tableFilterBytes heap bytes the open SSTs' bloom filters take (about 10 bits per key with
 *     the default filter)
 * @param pendingCompactionBytes estimated bytes compaction must still rewrite to bring every level
 *     within its strategy's bounds (RocksDB's {@code estimate-pending-compaction-bytes}); 0 when the
 *     tree is within them. With {@code CompactionOptions.none()}, what leveled compaction would owe
 * @param runningCompactions compactions running now (at most the blocking dispatcher's threads less one)
 * @param runningFlushes flushes writing an SST now (0 or 1)
 * @param openSnapshots open snapshots and transactions, each of which pins the versions it reads
 * @param oldestSnapshotSequence the sequence the oldest open snapshot or transaction reads at, or
 *     -1 when none is open: compaction keeps every version above it
 * @param liveWalBytes bytes in the live write-ahead logs, those of the memtables not yet flushed
 *     (0 with the WAL off); what a crash now would replay
 * @param estimatedKeys estimated number of keys (RocksDB's {@code estimate-num-keys}): entries of
 *     the memtables plus those of the SSTs less twice their tombstones (each deletes itself and,
 *     likely, a value below it). Overwrites not yet compacted count more than once; exact after a
 *     full compaction of a store without deletes
 * @param backgroundError why the store is read-only ({@code Throwable.toString()} of the cause of
 *     {@link Strata#errorState()}), or empty while it accepts writes
 * @param backgroundErrorRecoverable whether that error clears by itself once a retry succeeds
 *     (the device was full); false while healthy
 * @param writesSlowed L0 holds at least {@code level0SlowdownWritesTrigger} files: writes go one by
 *     one through the writer instead of committing on the caller's thread
 * @param writesStopped the memtables are full: writes wait at the writer until a flush makes room
 *     (also true for the instant a memtable at twice its size waits for the writer to freeze it)
 * @param writeStalls how many times writes waited for a flush (the frozen memtables at their limit),
 *     whose total time is {@code writeStallNanos}
 * @param compressionRatio uncompressed over stored bytes of the live SSTs' data blocks (from each
 *     table's properties): 2.0 means compression halved them; 1.0 with compression off, for data
 *     that does not compress, or with no SSTs
 */
public record StrataStats(long memtableBytes, int immutableMemtables, long immutableMemtableBytes,
    int[] levelFileCounts, long[] levelBytes, long userBytesWritten, long flushBytesWritten,
    long compactionBytesWritten, long walBytesWritten, long walSyncs, long blockCacheHits, long blockCacheMisses,
    long lastSequence, long writeStallNanos, long longestWriteStallNanos, long compactions, long tableIndexBytes,
    long tableFilterBytes, long pendingCompactionBytes, int runningCompactions, int runningFlushes,
    int openSnapshots, long oldestSnapshotSequence, long liveWalBytes, long estimatedKeys, String backgroundError,
    boolean backgroundErrorRecoverable, boolean writesSlowed, boolean writesStopped, long writeStalls, double compressionRatio) {

  /**
   * @throws NullPointerException if a level array or {@code backgroundError} is null
   * @throws IllegalArgumentException if the level arrays differ in length or are empty (L0 is
   *     always there)
   */
  public StrataStats {
    Objects.requireNonNull(levelFileCounts, "levelFileCounts must not be null");
    Objects.requireNonNull(levelBytes, "levelBytes must not be null");
    Objects.requireNonNull(backgroundError, "backgroundError must not be null (empty while healthy)");
    if (levelFileCounts.length != levelBytes.length) {
      throw new IllegalArgumentException("levelFileCounts has " + levelFileCounts.length + " levels but levelBytes has "
          + levelBytes.length);
    }
    if (levelFileCounts.length == 0) {
      throw new IllegalArgumentException("the level arrays must hold at least L0");
    }
    levelFileCounts = levelFileCounts.clone();
    levelBytes = levelBytes.clone();
  }

  /** SST files per level; index 0 is L0 (for tiered compaction each index after 0 is a tier). A copy. */
  @Override
  public int[] levelFileCounts() {
    return levelFileCounts.clone();
  }

  /** SST bytes per level, indexed like {@link #levelFileCounts()}. A copy. */
  @Override
  public long[] levelBytes() {
    return levelBytes.clone();
  }

  /** Total SST bytes over all levels. */
  public long totalSstBytes() {
    long sum = 0;
    for (long b : levelBytes) {
      sum += b;
    }
    return sum;
  }

  /**
   * Bytes written to disk per user byte accepted: (WAL + flush + compaction) / user, or 0 before
   * the first write. {@link #flushBytesWritten()} and {@link #compactionBytesWritten()} over
   * {@link #userBytesWritten()} give the same figure without the WAL.
   */
  public double writeAmplification() {
    return userBytesWritten == 0 ? 0
        : (double) (walBytesWritten + flushBytesWritten + compactionBytesWritten) / userBytesWritten;
  }

  /** Whether the store is in its read-only error state: {@link #backgroundError()} is not empty. */
  public boolean inErrorState() {
    return !backgroundError.isEmpty();
  }

  /** Every figure, the per-level ones by content. */
  @Override
  public boolean equals(Object o) {
    return o instanceof StrataStats s
        && memtableBytes == s.memtableBytes && immutableMemtables == s.immutableMemtables
        && immutableMemtableBytes == s.immutableMemtableBytes
        && Arrays.equals(levelFileCounts, s.levelFileCounts) && Arrays.equals(levelBytes, s.levelBytes)
        && userBytesWritten == s.userBytesWritten && flushBytesWritten == s.flushBytesWritten
        && compactionBytesWritten == s.compactionBytesWritten && walBytesWritten == s.walBytesWritten
        && walSyncs == s.walSyncs && blockCacheHits == s.blockCacheHits && blockCacheMisses == s.blockCacheMisses
        && lastSequence == s.lastSequence && writeStallNanos == s.writeStallNanos
        && longestWriteStallNanos == s.longestWriteStallNanos && compactions == s.compactions
        && tableIndexBytes == s.tableIndexBytes && tableFilterBytes == s.tableFilterBytes
        && pendingCompactionBytes == s.pendingCompactionBytes && runningCompactions == s.runningCompactions
        && runningFlushes == s.runningFlushes && openSnapshots == s.openSnapshots
        && oldestSnapshotSequence == s.oldestSnapshotSequence && liveWalBytes == s.liveWalBytes
        && estimatedKeys == s.estimatedKeys && backgroundError.equals(s.backgroundError)
        && backgroundErrorRecoverable == s.backgroundErrorRecoverable && writesSlowed == s.writesSlowed
        && writesStopped == s.writesStopped && writeStalls == s.writeStalls
        && Double.compare(compressionRatio, s.compressionRatio) == 0;
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(memtableBytes, immutableMemtables, immutableMemtableBytes, userBytesWritten,
        flushBytesWritten, compactionBytesWritten, walBytesWritten, walSyncs, blockCacheHits, blockCacheMisses,
        lastSequence, writeStallNanos, longestWriteStallNanos, compactions, tableIndexBytes, tableFilterBytes,
        pendingCompactionBytes, runningCompactions, runningFlushes, openSnapshots, oldestSnapshotSequence,
        liveWalBytes, estimatedKeys, backgroundError, backgroundErrorRecoverable, writesSlowed, writesStopped,
        writeStalls, compressionRatio);
    return 31 * (31 * h + Arrays.hashCode(levelFileCounts)) + Arrays.hashCode(levelBytes);
  }

  /** A few lines for people: the layers, the bytes written and write amplification, the cache, stalls, SST memory. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append("memtable: ").append(memtableBytes).append(" B, immutable memtables: ").append(immutableMemtables)
        .append(" (").append(immutableMemtableBytes).append(" B)\n");
    for (int i = 0; i < levelFileCounts.length; i++) {
      sb.append("L").append(i).append(": ").append(levelFileCounts[i]).append(" files, ")
          .append(levelBytes[i]).append(" B\n");
    }
    sb.append("written: user ").append(userBytesWritten).append(" B, wal ").append(walBytesWritten)
        .append(" B, flush ").append(flushBytesWritten).append(" B, compaction ").append(compactionBytesWritten)
        .append(" B; wal syncs ").append(walSyncs).append(String.format("; write amplification %.2f", writeAmplification()))
        .append("\n");
    sb.append("block cache: ").append(blockCacheHits).append(" hits, ").append(blockCacheMisses).append(" misses\n");
    sb.append("last sequence: ").append(lastSequence).append(", compactions: ").append(compactions)
        .append(", write stalls: ").append(writeStallNanos / 1_000_000).append(" ms (longest ")
        .append(longestWriteStallNanos / 1_000_000).append(" ms)");
    sb.append("\nsst memory: index ").append(tableIndexBytes).append(" B, filter ").append(tableFilterBytes).append(" B");
    sb.append("\npending compaction: ").append(pendingCompactionBytes).append(" B; running: ").append(runningFlushes)
        .append(" flushes, ").append(runningCompactions).append(" compactions; live wal: ").append(liveWalBytes)
        .append(" B; estimated keys: ").append(estimatedKeys);
    sb.append("\nopen snapshots: ").append(openSnapshots)
        .append(openSnapshots == 0 ? "" : " (oldest at sequence " + oldestSnapshotSequence + ")")
        .append("; writes: ").append(writesStopped ? "stopped" : writesSlowed ? "slowed" : "flowing")
        .append(", ").append(writeStalls).append(" stalls");
    sb.append("\nerror state: ").append(backgroundError.isEmpty() ? "none"
        : backgroundError + (backgroundErrorRecoverable ? " (recoverable)" : " (until reopened)"));
    sb.append("\ncompression ratio: ").append(String.format("%.2f", compressionRatio));
    return sb.toString();
  }
}
