package dev.strata.mvcc;

import dev.strata.Bound;
import dev.strata.TransactionConflictException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Optimistic validation of one transaction at commit, after the way RocksDB's optimistic
 * transactions check the store itself instead of keeping a log of other transactions' writes: a
 * key conflicts when the store holds a version of it newer than the transaction's start. That
 * covers every writer, transactions and plain puts alike. Compaction keeps every version above
 * the watermark, and the transaction's start is registered as a snapshot, so no such version can
 * have been merged away before the check.
 *
 * <ul>
 *   <li>Snapshot isolation checks the keys the transaction writes: of two concurrent
 *       transactions writing one key, the first to commit wins (no lost update).
 *   <li>Serializable adds the keys it read and the ranges it scanned: any write after its start
 *       to a key it read, or anywhere inside a range it scanned (a phantom), fails the commit.
 *       With both checks, the committed transactions are equivalent to running them one at a
 *       time in commit order.
 * </ul>
 *
 * <p>Not thread-safe: filled by the transaction's thread, verified under the commit lock.
 */
public final class Validation {
  /** What a validation needs to ask of the store, at the latest sequence. */
  public interface Store {
    /**
     * The sequence of the newest version of {@code key} (value or tombstone) when it is above
     * {@code since}; otherwise any value at or below {@code since}.
     */
    long newestSequenceAfter(byte[] key, long since);

    /** Whether a key between the bounds has a version newer than {@code sequence}. */
    boolean changedSince(Bound lower, Bound upper, long sequence);
  }

  private record Range(Bound lower, Bound upper) {}

  private final long startSequence;
  private final boolean serializable;
  private final TreeSet<byte[]> reads = new TreeSet<>(Arrays::compareUnsigned);
  private final List<Range> ranges = new ArrayList<>();

  public Validation(long startSequence, boolean serializable) {
    this.startSequence = startSequence;
    this.serializable = serializable;
  }

  /** Notes a point read (serializable only; snapshot isolation does not validate reads). */
  public void read(byte[] key) {
    if (serializable) {
      reads.add(key.clone());
    }
  }

  /** Notes a scan of a range (serializable only). */
  public void scanned(Bound lower, Bound upper) {
    if (serializable) {
      ranges.add(new Range(lower, upper));
    }
  }

  /**
   * Throws {@link TransactionConflictException} naming the first conflict found, for a
   * transaction about to commit {@code written}.
   */
  public void verify(Store store, Iterable<byte[]> written) {
    for (byte[] key : written) {
      long seq = store.newestSequenceAfter(key, startSequence);
      if (seq > startSequence) {
        throw new TransactionConflictException("write-write conflict on key " + show(key) + ": written at sequence "
            + seq + " by a commit after this transaction began at " + startSequence);
      }
    }
    for (byte[] key : reads) {
      long seq = store.newestSequenceAfter(key, startSequence);
      if (seq > startSequence) {
        throw new TransactionConflictException("read-write conflict on key " + show(key) + ": this transaction read it "
            + "at sequence " + startSequence + ", and a commit wrote it at " + seq);
      }
    }
    for (Range r : ranges) {
      if (store.changedSince(r.lower(), r.upper(), startSequence)) {
        throw new TransactionConflictException("phantom: a key in the scanned range [" + r.lower() + ", " + r.upper()
            + "] was written after this transaction began at sequence " + startSequence);
      }
    }
  }

  private static String show(byte[] key) {
    StringBuilder sb = new StringBuilder();
    for (byte b : key) {
      if (b >= 0x20 && b < 0x7f) {
        sb.append((char) b);
      } else {
        sb.append(String.format("\\x%02x", b & 0xff));
      }
    }
    return "'" + sb + "'";
  }
}
