package dev.strata;

import dev.strata.engine.StoreEngine;
import dev.strata.key.KeyLimits;
import dev.strata.mvcc.Validation;
import dev.strata.mvcc.WriteSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;

/**
 * A transaction: it reads the snapshot taken by {@link Strata#begin()} plus its own writes, keeps
 * its writes private, and {@link #commit()}s them atomically as one write batch at one point in
 * the store's history. Isolation is snapshot isolation (a commit fails when another commit since
 * this one began wrote a key this one writes), or, with {@code StrataOptions.serializable(true)},
 * serializable: the commit fails too when a key it read, or any key inside a range it scanned,
 * was written after it began. A failed commit throws {@link TransactionConflictException} and
 * leaves no trace; retry with a new transaction.
 *
 * <p>After {@link #commit()} or {@link #rollback()} every call but {@link #close()} throws
 * {@link IllegalStateException}. {@link #close()} of an open transaction rolls it back.
 *
 * <p>Not thread-safe: use one transaction from one thread at a time.
 */
public final class Transaction implements AutoCloseable {
  private enum State { OPEN, COMMITTED, ROLLED_BACK }

  private final Strata db;
  private final StoreEngine engine;
  private final long startSequence;
  private final WriteSet writes = new WriteSet();
  private final Validation validation;
  private State state = State.OPEN;

  Transaction(Strata db, StoreEngine engine, boolean serializable) {
    this.db = db;
    this.engine = engine;
    this.startSequence = engine.acquireSnapshot();
    this.validation = new Validation(startSequence, serializable);
  }

  /** The sequence of the snapshot this transaction reads. */
  public long startSequence() {
    return startSequence;
  }

  /** The value of {@code key}: this transaction's own write if it made one, else the snapshot's. */
  public byte[] get(byte[] key) {
    KeyLimits.checkKey(key);
    checkOpen();
    if (writes.contains(key)) {
      return writes.get(key);
    }
    validation.read(key);
    return engine.get(key, startSequence);
  }

  /** The keys between the bounds: the snapshot merged with this transaction's own writes. */
  public StrataIterator scan(Bound lower, Bound upper) {
    Objects.requireNonNull(lower, "lower bound must not be null (use Bound.unbounded())");
    Objects.requireNonNull(upper, "upper bound must not be null (use Bound.unbounded())");
    checkOpen();
    validation.scanned(lower, upper);
    NavigableMap<byte[], byte[]> own = writes.range(lower, upper);
    StrataIterator base = engine.scan(lower, upper, startSequence);
    return own.isEmpty() ? base : new OverlayIterator(own, base);
  }

  public void put(byte[] key, byte[] value) {
    KeyLimits.checkKey(key);
    KeyLimits.checkValue(value);
    checkOpen();
    writes.put(key, value);
  }

  public void delete(byte[] key) {
    KeyLimits.checkKey(key);
    checkOpen();
    writes.delete(key);
  }

  /**
   * Validates and applies every write of this transaction atomically, at consecutive sequences in
   * one WAL record; returns once the commit is acknowledged (durable as any write is under the
   * store's options). Throws {@link TransactionConflictException} when validation fails.
   */
  public void commit() {
    checkOpen();
    state = State.COMMITTED;
    try {
      if (!writes.isEmpty()) {
        db.writeChecked(writes.toBatch(), () -> validation.verify(engineView(), writes.keys()));
      }
    } finally {
      engine.releaseSnapshot(startSequence);
    }
  }

  /** Discards every write of this transaction. */
  public void rollback() {
    checkOpen();
    state = State.ROLLED_BACK;
    engine.releaseSnapshot(startSequence);
  }

  /** Rolls back unless committed or rolled back already; never throws, even on a closed store. */
  @Override
  public void close() {
    if (state == State.OPEN) {
      state = State.ROLLED_BACK;
      engine.releaseSnapshot(startSequence);
    }
  }

  private Validation.Store engineView() {
    return new Validation.Store() {
      @Override
      public long newestSequenceAfter(byte[] key, long since) {
        return engine.newestSequenceAfter(key, since);
      }

      @Override
      public boolean changedSince(Bound lower, Bound upper, long sequence) {
        return engine.changedSince(lower, upper, sequence);
      }
    };
  }

  private void checkOpen() {
    if (state != State.OPEN) {
      throw new IllegalStateException("transaction is " + (state == State.COMMITTED ? "committed" : "rolled back"));
    }
    db.checkOpen();
  }

  /** The snapshot's keys with the transaction's own writes laid over them (a null value hides a key). */
  private static final class OverlayIterator implements StrataIterator {
    private final java.util.Iterator<Map.Entry<byte[], byte[]>> own;
    private final StrataIterator base;
    private Map.Entry<byte[], byte[]> ownHead;
    private byte[] key;
    private byte[] value;

    OverlayIterator(NavigableMap<byte[], byte[]> own, StrataIterator base) {
      this.own = own.entrySet().iterator();
      this.base = base;
      this.ownHead = this.own.hasNext() ? this.own.next() : null;
      advance();
    }

    /** Moves to the next key either side holds, the own write winning a tie; skips own deletes. */
    private void advance() {
      while (true) {
        boolean baseValid = base.isValid();
        if (ownHead == null && !baseValid) {
          key = null;
          value = null;
          return;
        }
        int c = ownHead == null ? 1 : !baseValid ? -1 : java.util.Arrays.compareUnsigned(ownHead.getKey(), base.key());
        if (c > 0) {
          key = base.key();
          value = base.value();
          base.next();
          return;
        }
        Map.Entry<byte[], byte[]> e = ownHead;
        ownHead = own.hasNext() ? own.next() : null;
        if (c == 0) {
          base.next();
        }
        if (e.getValue() != null) {
          key = e.getKey().clone();
          value = e.getValue().clone();
          return;
        }
      }
    }

    @Override
    public boolean isValid() {
      return key != null;
    }

    @Override
    public byte[] key() {
      if (key == null) {
        throw new IllegalStateException("iterator is not positioned on a key");
      }
      return key;
    }

    @Override
    public byte[] value() {
      if (key == null) {
        throw new IllegalStateException("iterator is not positioned on a key");
      }
      return value;
    }

    @Override
    public void next() {
      if (key == null) {
        throw new IllegalStateException("iterator is not positioned on a key");
      }
      advance();
    }

    @Override
    public void close() {
      base.close();
    }
  }
}
