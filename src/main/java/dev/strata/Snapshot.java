package dev.strata;

import dev.strata.engine.StoreEngine;
import dev.strata.key.KeyLimits;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A frozen read view of the store at one sequence: {@link #get} and {@link #scan} see exactly the
 * writes committed before {@link Strata#snapshot()} returned, whatever is written, flushed or
 * compacted later. Reads go to the store's current files at the snapshot's sequence, so an open
 * snapshot holds no memtable or file, only its sequence, which makes compaction keep the versions
 * it can see (compaction drops only versions no open snapshot or transaction can see: the
 * watermark). Close it to let them go.
 *
 * <p>Thread-safe.
 */
public final class Snapshot implements AutoCloseable {
  private final Strata db;
  private final StoreEngine engine;
  private final long sequence;
  private final AtomicBoolean closed = new AtomicBoolean();

  Snapshot(Strata db, StoreEngine engine) {
    this.db = db;
    this.engine = engine;
    this.sequence = engine.acquireSnapshot();
  }

  /** The sequence (timestamp) this snapshot reads at: the last write it sees. */
  public long sequence() {
    return sequence;
  }

  /** The value of {@code key} as of the snapshot, or null when it was absent or deleted. */
  public byte[] get(byte[] key) {
    KeyLimits.checkKey(key);
    checkOpen();
    return engine.get(key, sequence);
  }

  /** The keys between the bounds as of the snapshot; close the iterator. */
  public StrataIterator scan(Bound lower, Bound upper) {
    Objects.requireNonNull(lower, "lower bound must not be null (use Bound.unbounded())");
    Objects.requireNonNull(upper, "upper bound must not be null (use Bound.unbounded())");
    checkOpen();
    return engine.scan(lower, upper, sequence);
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("snapshot at sequence " + sequence + " is closed");
    }
    db.checkOpen();
  }

  /** Releases the snapshot; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      engine.releaseSnapshot(sequence);
    }
  }

  @Override
  public String toString() {
    return "Snapshot(" + sequence + (closed.get() ? ", closed)" : ")");
  }
}
