package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.WriteBatch;
import dev.strata.key.ValueKind;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.ReadStateCell;
import dev.strata.util.ByteBuilder;
import dev.strata.wal.WalBatchCodec;
import dev.strata.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Where writes commit. A write commits on the caller's thread under the commit lock: take the
 * next sequence numbers, append one record to the WAL (a copy into a memory-mapped file: it
 * survives a process crash once appended), insert into the mutable memtable, publish the new
 * last sequence. The lock orders sequence numbers with WAL and memtable contents; rotation
 * swaps memtable and WAL under the same lock, so a write lands wholly in the pair being frozen or
 * wholly in their successors.
 *
 * <p>A write that finds the store stalled, finds writes already queued at the writer, or must be
 * synced ({@code syncWrites}) is handed to the writer actor instead, which applies queued writes
 * in arrival order with {@link #applyQueued} and syncs them in groups.
 *
 * <p>Failures: one before the WAL append (encoding the record, a commit check) consumes nothing.
 * One in the WAL append or in the memtable insert after it fails the store: the log may now hold
 * a record the memtable lacks, or the memtable part of one, and only a reopen, which replays the
 * log, makes the two agree again (see {@link #memtableInsertFailed}). A record that reached the
 * log keeps its sequence numbers taken ({@link #walSequence}), and since {@code lastSequence} is
 * published only after a whole record is in the memtable, no reader sees the part that got there.
 *
 * <p>Thread-safe: any thread may write; {@link #applyQueued}, {@link #swap} and {@link #takeWal}
 * are for the writer actor.
 */
final class WritePath {
  static final int WAL_RECORD_INITIAL_BYTES = 256;
  /** A record buffer that grew past this for one huge batch is not kept: it would pin that memory for good. */
  static final int WAL_RECORD_RETAINED_BYTES = 1 << 20;

  private final StrataOptions options;
  private final ReadStateCell cell;
  private final ErrorState errors;
  private final ReentrantLock commitLock = new ReentrantLock();
  /** Shared by writes entering the writer's queue, exclusive for close. */
  private final ReentrantReadWriteLock closeGuard = new ReentrantReadWriteLock();
  private final AtomicInteger queuedWrites = new AtomicInteger();
  /** Guarded by commitLock; replaced by a small one after a huge record (see {@link #releaseHugeRecord}). */
  private ByteBuilder walRecord = new ByteBuilder(WAL_RECORD_INITIAL_BYTES);
  private volatile WriterSignals signals;
  /** The sequence of the newest committed write; written under the lock, read anywhere. */
  private volatile long lastSequence;
  /**
   * The newest sequence the WAL holds (guarded by commitLock): lastSequence, or above it once a
   * write failed in the memtable after its record reached the WAL. New writes number from here, so
   * no sequence is ever given twice: the log would hold two versions of a key at one sequence,
   * which no reopen could replay.
   */
  private long walSequence;
  private volatile boolean closed;
  /** The store's directory when it was opened read-only (every write is refused), else null. */
  private final Path readOnlyDir;
  /** Too many L0 files: writes skip the fast path and go one by one through the writer. */
  private volatile boolean slowdown;
  /** Guarded by commitLock. */
  private WalWriter wal;
  /** Guarded by commitLock. */
  private long userBytesWritten;
  /** Guarded by commitLock. */
  private long walBytesWritten;

  /**
   * Counters read together, under the lock, so that they agree with one another; {@code currentWalBytes}
   * is the length of the WAL writes append to now (0 with the WAL off).
   */
  record Counters(long lastSequence, long userBytesWritten, long walBytesWritten, long currentWalBytes) {}

  WritePath(StrataOptions options, ReadStateCell cell, ErrorState errors, long lastSequence, WalWriter wal) {
    this(options, cell, errors, lastSequence, wal, null);
  }

  private WritePath(StrataOptions options, ReadStateCell cell, ErrorState errors, long lastSequence, WalWriter wal,
      Path readOnlyDir) {
    this.options = options;
    this.cell = cell;
    this.errors = errors;
    this.lastSequence = lastSequence;
    this.walSequence = lastSequence;
    this.wal = wal;
    this.readOnlyDir = readOnlyDir;
  }

  /**
   * The write path of a store in {@code dir} opened read-only: it refuses every write with an
   * {@link UnsupportedOperationException}, and its last sequence, what reads read at, stays
   * {@code lastSequence}.
   */
  static WritePath readOnly(StrataOptions options, ReadStateCell cell, ErrorState errors, long lastSequence,
      Path dir) {
    return new WritePath(options, cell, errors, lastSequence, null, dir);
  }

  void attach(WriterSignals writer) {
    this.signals = writer;
  }

  long lastSequence() {
    return lastSequence;
  }

  int queuedWrites() {
    return queuedWrites.get();
  }

  boolean tryPut(byte[] key, byte[] value) {
    if (options.syncWrites()) {
      checkWritable();
      return false;
    }
    Memtable m;
    commitLock.lock();
    try {
      ReadState s = cell.peek();
      if (!admit(s, false)) {
        return false;
      }
      m = s.mutable();
      long seq = walSequence + 1;
      if (wal != null) {
        WalBatchCodec.encodeSingle(walRecord, seq, key, value);
        appendWalRecord();
      }
      try {
        m.add(key, seq, value == null ? ValueKind.DELETE : ValueKind.PUT, value);
      } catch (Throwable t) {
        throw memtableInsertFailed(m, seq, seq, t);
      }
      userBytesWritten += key.length + (value == null ? 0 : value.length);
      walSequence = seq;
      lastSequence = seq;
    } finally {
      commitLock.unlock();
    }
    afterCommit(m);
    return true;
  }

  boolean tryWrite(WriteBatch batch, CommitCheck check) {
    if (options.syncWrites()) {
      checkWritable();
      return false;
    }
    return commitBatch(batch, check, false);
  }

  boolean applyQueued(WriteBatch batch, CommitCheck check) {
    boolean applied = commitBatch(batch, check, true);
    if (applied) {
      queuedWrites.decrementAndGet();
    }
    return applied;
  }

  void enqueue(WriteBatch batch, CommitCheck check, CompletableFuture<Void> done) {
    // Under the close guard, so that a write either reaches the writer's mailbox before the
    // close message or sees the store closed: none is left behind a stopped writer. A shared
    // lock, not the commit lock: with syncWrites every write comes here, and many callers
    // queueing at once must not contend with each other or with the writer applying them.
    closeGuard.readLock().lock();
    try {
      checkWritable();
      queuedWrites.incrementAndGet();
      signals.enqueueWrite(batch, check, done);
    } finally {
      closeGuard.readLock().unlock();
    }
  }

  /** Whether writes lose their fast path because L0 is past the slowdown trigger. */
  boolean slowedDown() {
    return slowdown;
  }

  /** Whether the memtables are full, so that writes wait at the writer for a flush (see {@link #isStalled}). */
  boolean stalled() {
    return isStalled(cell.peek());
  }

  /** Writer only: turns the slowdown of writes on or off. */
  void slowdown(boolean on) {
    slowdown = on;
  }

  void abandonQueued() {
    queuedWrites.decrementAndGet();
  }

  private boolean commitBatch(WriteBatch batch, CommitCheck check, boolean fromWriter) {
    Memtable m;
    commitLock.lock();
    try {
      ReadState s = cell.peek();
      if (!admit(s, fromWriter)) {
        return false;
      }
      if (check != null) {
        check.verify(); // under the lock: no write can commit between the check and this one
      }
      m = s.mutable();
      long first = walSequence + 1;
      long last = first + batch.count() - 1;
      if (wal != null) {
        WalBatchCodec.encodeBatch(walRecord, first, batch);
        appendWalRecord();
      }
      long bytes = 0;
      try {
        for (int i = 0, n = batch.count(); i < n; i++) {
          byte[] v = batch.value(i);
          m.add(batch.key(i), first + i, v == null ? ValueKind.DELETE : ValueKind.PUT, v);
          bytes += batch.key(i).length + (v == null ? 0 : v.length);
        }
      } catch (Throwable t) {
        throw memtableInsertFailed(m, first, last, t);
      }
      userBytesWritten += bytes;
      walSequence = last;
      // Published last, so that readers see the whole batch or none of it.
      lastSequence = last;
    } finally {
      commitLock.unlock();
    }
    afterCommit(m);
    return true;
  }

  /**
   * Called under the commit lock with the record in walRecord. A failure of the append itself
   * leaves the log's tail unknown, the record in it or not: the store fails, so no later write
   * takes a sequence; walSequence stays, since it is what a rotation records the WAL as holding
   * for certain, and recovery drops the WALs after one that ends short of that.
   */
  private void appendWalRecord() {
    try {
      walBytesWritten += wal.append(walRecord.array(), walRecord.size());
    } catch (IOException | RuntimeException | InternalError e) {
      // Whatever the append threw (an InternalError: a fault on the mapping that the JVM reported
      // late, past the file-system seam), the WAL's tail is unknown: no later write may follow it.
      errors.fail(e);
      throw new StrataException("append to WAL " + wal.number() + " failed: " + e.getMessage(), e);
    } catch (Throwable t) {
      errors.fail(t);
      throw new StrataException("append to WAL " + wal.number() + " failed: " + t, t);
    } finally {
      releaseHugeRecord();
    }
  }

  /** Drops a record buffer that one huge write grew past {@link #WAL_RECORD_RETAINED_BYTES}. */
  private void releaseHugeRecord() {
    if (walRecord.array().length > WAL_RECORD_RETAINED_BYTES) {
      walRecord = new ByteBuilder(WAL_RECORD_INITIAL_BYTES);
    }
  }

  /** Test seam: the capacity of the WAL record buffer kept between writes. */
  int walRecordCapacity() {
    commitLock.lock();
    try {
      return walRecord.array().length;
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * A write's memtable insert threw (an OutOfMemoryError in the arena, say) after its WAL record,
   * if any, was appended: the memtable may hold part of the write, the log all of it. Called under
   * the commit lock. Fails the store, since only a reopen makes memory and log agree (the reopen
   * replays the record: the write is then wholly present); takes the sequences for good; and leaves
   * lastSequence where it was, so that readers, which all read at or below it, see none of the part
   * inserted. With the WAL off the write is simply lost, with the rest of the memtable, at close.
   */
  private StrataException memtableInsertFailed(Memtable m, long first, long last, Throwable t) {
    walSequence = last;
    errors.fail(t);
    String seqs = first == last ? "sequence " + first : "sequences " + first + ".." + last;
    return new StrataException("inserting " + seqs + " into " + m + " failed"
        + (wal != null ? " after the WAL record was written" : "")
        + "; the store is read-only until reopened: " + t, t);
  }

  /** Whether a write may commit now into {@code s}'s memtable. Called under the commit lock. */
  private boolean admit(ReadState s, boolean fromWriter) {
    if (fromWriter) {
      errors.check();
    } else {
      checkWritable();
      if (queuedWrites.get() > 0 || slowdown) {
        return false;
      }
    }
    return !isStalled(s);
  }

  /**
   * A full memtable takes writes until the writer freezes it, unless the frozen ones are at their
   * limit, or it has reached twice its size: the writer is lagging (starved of CPU, say), and
   * waiting for it bounds the memtable.
   */
  private boolean isStalled(ReadState s) {
    long bytes = s.mutable().approximateBytes();
    long limit = options.memtableSizeBytes();
    return bytes >= limit && (s.immutables().length >= options.maxImmutableMemtables() || bytes >= 2 * limit);
  }

  private void afterCommit(Memtable m) {
    if (m.approximateBytes() >= options.memtableSizeBytes() && m.claimFreezeRequest()) {
      signals.memtableFull(m);
    }
  }

  void checkWritable() {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
    refuseIfReadOnly("write");
    errors.check();
  }

  /** Throws {@link UnsupportedOperationException}, naming {@code operation}, on a store opened read-only. */
  void refuseIfReadOnly(String operation) {
    if (readOnlyDir != null) {
      throw new UnsupportedOperationException("cannot " + operation + ": the store in " + readOnlyDir
          + " was opened read-only (Strata.openReadOnly)");
    }
  }

  /** Work that must happen at a swap with no write committing in between. */
  interface SwapStep {
    /** {@code old} is the WAL about to be replaced; it holds every write up to {@code lastSequence}. */
    void beforeSwap(WalWriter old, long lastSequence) throws IOException;
  }

  /**
   * Writer only: makes {@code next} and {@code nextWal} current; returns the WAL they replace.
   * {@code step} runs first, under the commit lock, when there is a WAL to replace; if it throws,
   * nothing is swapped.
   */
  WalWriter swap(Memtable next, WalWriter nextWal, SwapStep step) throws IOException {
    commitLock.lock();
    try {
      WalWriter old = wal;
      if (old != null) {
        step.beforeSwap(old, walSequence); // the newest sequence the old WAL holds
      }
      wal = nextWal;
      cell.publish(cell.peek().withRotation(next));
      return old;
    } finally {
      commitLock.unlock();
    }
  }

  /** The current WAL, or null. */
  WalWriter currentWal() {
    commitLock.lock();
    try {
      return wal;
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * Writer only, for a checkpoint: the current WAL (null with the WAL off) with its written length,
   * and lastSequence, taken together under the commit lock, so that the length ends at a record
   * boundary and the WAL holds every write acknowledged before this call.
   */
  Cut cut() {
    commitLock.lock();
    try {
      return new Cut(wal == null ? -1 : wal.number(), wal == null ? 0 : wal.size(), lastSequence);
    } finally {
      commitLock.unlock();
    }
  }

  /** See {@link #cut()}; {@code walNumber} is -1 with no current WAL. */
  record Cut(long walNumber, long walBytes, long lastSequence) {}

  /** Writer only, at close: detaches the current WAL (null afterwards) and returns it. */
  WalWriter takeWal() {
    commitLock.lock();
    try {
      WalWriter w = wal;
      wal = null;
      return w;
    } finally {
      commitLock.unlock();
    }
  }

  Counters counters() {
    commitLock.lock();
    try {
      return new Counters(lastSequence, userBytesWritten, walBytesWritten, wal == null ? 0 : wal.size());
    } finally {
      commitLock.unlock();
    }
  }

  /** Refuses new writes from here on; writes already committed or queued are unaffected. */
  void close() {
    closeGuard.writeLock().lock();
    commitLock.lock();
    try {
      closed = true;
    } finally {
      commitLock.unlock();
      closeGuard.writeLock().unlock();
    }
  }
}
