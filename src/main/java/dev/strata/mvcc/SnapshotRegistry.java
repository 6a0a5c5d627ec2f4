package dev.strata.mvcc;

import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The read timestamps (sequences) of every open snapshot and transaction, as a multiset. The
 * smallest is the watermark: compaction keeps, for each key, the newest version at or below it
 * and everything above it; older versions no open reader can see.
 *
 * <p>Registration and the watermark share one lock with the read of the latest sequence: a
 * snapshot takes its timestamp and registers it in one step, so a compaction can never compute
 * a watermark above a snapshot that is just being taken. Thread-safe.
 */
public final class SnapshotRegistry {
  private final TreeMap<Long, Integer> open = new TreeMap<>();
  private final LongSupplier lastSequence;

  /** {@code lastSequence} reads the newest committed sequence. */
  public SnapshotRegistry(LongSupplier lastSequence) {
    this.lastSequence = lastSequence;
  }

  /** Takes the latest committed sequence as a read timestamp and registers it; returns it. */
  public synchronized long acquire() {
    long seq = lastSequence.getAsLong();
    open.merge(seq, 1, Integer::sum);
    return seq;
  }

  /** Lets go of a timestamp {@link #acquire} returned. */
  public synchronized void release(long seq) {
    Integer n = open.get(seq);
    if (n == null) {
      throw new IllegalStateException("no open snapshot at sequence " + seq);
    }
    if (n == 1) {
      open.remove(seq);
    } else {
      open.put(seq, n - 1);
    }
  }

  /**
   * The oldest timestamp any open reader reads at, or the latest committed sequence when none is
   * open: every version above it may still be read, and of the versions at or below it only each
   * key's newest.
   */
  public synchronized long watermark() {
    return open.isEmpty() ? lastSequence.getAsLong() : Math.min(open.firstKey(), lastSequence.getAsLong());
  }

  /**
   * The watermark and the newest open read timestamp (-1 when none is open), in one step, so no
   * reader can register in between: compaction keeps what the readers between the two may see,
   * and may let filters drop a key's newest version only above the newest (no open reader sees it).
   */
  public synchronized Horizon horizon() {
    return new Horizon(watermark(), open.isEmpty() ? -1 : open.lastKey());
  }

  /** See {@link #horizon()}. */
  public record Horizon(long watermark, long newestOpen) {}

  /**
   * How many snapshots and transactions are open and the oldest timestamp among them (-1 when none
   * is open), in one step, for the store's stats.
   */
  public synchronized Pinned pinned() {
    return new Pinned(openCount(), open.isEmpty() ? -1 : open.firstKey());
  }

  /** See {@link #pinned()}. */
  public record Pinned(int count, long oldest) {}

  /** Number of open snapshots and transactions. */
  public synchronized int openCount() {
    int n = 0;
    for (int c : open.values()) {
      n += c;
    }
    return n;
  }
}
