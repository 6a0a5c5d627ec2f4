package dev.strata;

import java.util.Arrays;

/**
 * A consistent picture of one store at one moment: what its layers hold and how many bytes it has
 * written, so write amplification can be read off as
 * {@code (flushBytesWritten + compactionBytesWritten + walBytesWritten) / userBytesWritten}.
 * Immutable.
 */
public final class StrataStats {
  private final long memtableBytes;
  private final int immutableMemtables;
  private final long immutableMemtableBytes;
  private final int[] levelFileCounts;
  private final long[] levelBytes;
  private final long userBytesWritten;
  private final long flushBytesWritten;
  private final long compactionBytesWritten;
  private final long walBytesWritten;
  private final long walSyncs;
  private final long blockCacheHits;
  private final long blockCacheMisses;
  private final long lastSequence;
  private final long writeStallNanos;
  private final long longestWriteStallNanos;
  private final long compactions;
  private final long tableIndexBytes;
  private final long tableFilterBytes;

  private StrataStats(Builder b) {
    this.memtableBytes = b.memtableBytes;
    this.immutableMemtables = b.immutableMemtables;
    this.immutableMemtableBytes = b.immutableMemtableBytes;
    this.levelFileCounts = b.levelFileCounts.clone();
    this.levelBytes = b.levelBytes.clone();
    this.userBytesWritten = b.userBytesWritten;
    this.flushBytesWritten = b.flushBytesWritten;
    this.compactionBytesWritten = b.compactionBytesWritten;
    this.walBytesWritten = b.walBytesWritten;
    this.walSyncs = b.walSyncs;
    this.blockCacheHits = b.blockCacheHits;
    this.blockCacheMisses = b.blockCacheMisses;
    this.lastSequence = b.lastSequence;
    this.writeStallNanos = b.writeStallNanos;
    this.longestWriteStallNanos = b.longestWriteStallNanos;
    this.compactions = b.compactions;
    this.tableIndexBytes = b.tableIndexBytes;
    this.tableFilterBytes = b.tableFilterBytes;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Approximate bytes in the current (mutable) memtable. */
  public long memtableBytes() {
    return memtableBytes;
  }

  /** Frozen memtables waiting for flush. */
  public int immutableMemtables() {
    return immutableMemtables;
  }

  /** Approximate bytes in the frozen memtables. */
  public long immutableMemtableBytes() {
    return immutableMemtableBytes;
  }

  /** SST files per level; index 0 is L0 (for tiered compaction each index after 0 is a tier). */
  public int[] levelFileCounts() {
    return levelFileCounts.clone();
  }

  /** SST bytes per level, indexed like {@link #levelFileCounts()}. */
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

  /** Key and value bytes accepted from users. */
  public long userBytesWritten() {
    return userBytesWritten;
  }

  /** Bytes of SSTs written by flushes. */
  public long flushBytesWritten() {
    return flushBytesWritten;
  }

  /** Bytes of SSTs written by compactions (a trivial move writes none). */
  public long compactionBytesWritten() {
    return compactionBytesWritten;
  }

  /** Bytes appended to write-ahead logs. */
  public long walBytesWritten() {
    return walBytesWritten;
  }

  /** fsyncs of WAL files: with group commit, far fewer than synced writes. */
  public long walSyncs() {
    return walSyncs;
  }

  /** Block reads the block cache served (0 while the cache is off, its default). */
  public long blockCacheHits() {
    return blockCacheHits;
  }

  /** Block reads the block cache did not serve. */
  public long blockCacheMisses() {
    return blockCacheMisses;
  }

  /** The sequence number of the newest acknowledged write. */
  public long lastSequence() {
    return lastSequence;
  }

  /** Total time writes spent waiting for flush or compaction to catch up. */
  public long writeStallNanos() {
    return writeStallNanos;
  }

  /** The longest single stretch during which writes were held. */
  public long longestWriteStallNanos() {
    return longestWriteStallNanos;
  }

  /** Compactions installed since the store was opened (moves of a file to another level included). */
  public long compactions() {
    return compactions;
  }

  /**
   * Heap bytes the open SSTs' index blocks take: every open table keeps its index in memory, so
   * this grows with the data, about one index entry per data block.
   */
  public long tableIndexBytes() {
    return tableIndexBytes;
  }

  /** Heap bytes the open SSTs' bloom filters take (about 10 bits per key with the default filter). */
  public long tableFilterBytes() {
    return tableFilterBytes;
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
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StrataStats s && s.toString().equals(toString())
        && Arrays.equals(s.levelFileCounts, levelFileCounts);
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  /** Assembles a {@link StrataStats}; used by the engine. Not thread-safe. */
  public static final class Builder {
    private long memtableBytes;
    private int immutableMemtables;
    private long immutableMemtableBytes;
    private int[] levelFileCounts = new int[1];
    private long[] levelBytes = new long[1];
    private long userBytesWritten;
    private long flushBytesWritten;
    private long compactionBytesWritten;
    private long walBytesWritten;
    private long walSyncs;
    private long blockCacheHits;
    private long blockCacheMisses;
    private long lastSequence;
    private long writeStallNanos;
    private long longestWriteStallNanos;
    private long compactions;
    private long tableIndexBytes;
    private long tableFilterBytes;

    private Builder() {}

    public Builder memtableBytes(long v) {
      memtableBytes = v;
      return this;
    }

    public Builder immutableMemtables(int count, long bytes) {
      immutableMemtables = count;
      immutableMemtableBytes = bytes;
      return this;
    }

    public Builder levels(int[] fileCounts, long[] bytes) {
      if (fileCounts.length != bytes.length) {
        throw new IllegalArgumentException("level arrays differ in length");
      }
      levelFileCounts = fileCounts.clone();
      levelBytes = bytes.clone();
      return this;
    }

    public Builder userBytesWritten(long v) {
      userBytesWritten = v;
      return this;
    }

    public Builder flushBytesWritten(long v) {
      flushBytesWritten = v;
      return this;
    }

    public Builder compactionBytesWritten(long v) {
      compactionBytesWritten = v;
      return this;
    }

    public Builder walBytesWritten(long v) {
      walBytesWritten = v;
      return this;
    }

    public Builder walSyncs(long v) {
      walSyncs = v;
      return this;
    }

    public Builder blockCache(long hits, long misses) {
      blockCacheHits = hits;
      blockCacheMisses = misses;
      return this;
    }

    public Builder lastSequence(long v) {
      lastSequence = v;
      return this;
    }

    public Builder writeStallNanos(long v) {
      writeStallNanos = v;
      return this;
    }

    public Builder longestWriteStallNanos(long v) {
      longestWriteStallNanos = v;
      return this;
    }

    public Builder compactions(long v) {
      compactions = v;
      return this;
    }

    public Builder tableMemory(long indexBytes, long filterBytes) {
      tableIndexBytes = indexBytes;
      tableFilterBytes = filterBytes;
      return this;
    }

    public StrataStats build() {
      return new StrataStats(this);
    }
  }
}
