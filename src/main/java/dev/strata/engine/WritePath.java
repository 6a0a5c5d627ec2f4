package dev.strata.engine;

import dev.strata.Compression;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Where writes commit. A write commits on the caller's thread under the commit lock: take the
 * next sequence numbers, append one record to the WAL (a copy into a memory-mapped file: it
 * survives a process crash once appended; with {@code syncWrites}, a copy into a buffer that the
 * sync the write waits for writes out), insert into the mutable memtable, publish the new last
 * sequence. The lock orders sequence numbers with WAL and memtable contents; rotation
 * swaps memtable and WAL under the same lock, so a write lands wholly in the pair being frozen or
 * wholly in their successors.
 *
 * <p>A write that finds the store stalled, or finds writes already queued at the writer, is handed
 * to the writer actor instead, which applies queued writes in arrival order with
 * {@link #applyQueued} (and, with {@code syncWrites}, syncs them in groups). A synced write that
 * commits here waits for an fsync of the WAL on the caller's thread ({@link CallerSync}); one whose
 * caller must not block ({@code writeAsync}) goes to the writer, as does every synced write with
 * the WAL off, where only a flush makes it durable.
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
  /** With {@code wal-compression = lz4}, else null; guarded by commitLock. */
  private final WalBatchCodec.Compressor walCompressor;
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
  /**
   * The sequence of the current WAL's first record, or 1 (guarded by commitLock): the writes below
   * it are in older WALs, which a caller's sync does not cover (see {@link CallerSync}). With a WAL
   * kept at open, 1: the kept WAL may hold unsynced writes of the last process.
   */
  private long walFirstSequence = 1;
  /** Synced writes that commit here wait on this; null when opened read-only. */
  private final CallerSync callerSync;
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

  WritePath(StrataOptions options, ReadStateCell cell, ErrorState errors, long lastSequence, WalWriter wal,
      CallerSync callerSync) {
    this(options, cell, errors, lastSequence, wal, callerSync, null);
  }

  private WritePath(StrataOptions options, ReadStateCell cell, ErrorState errors, long lastSequence, WalWriter wal,
      CallerSync callerSync, Path readOnlyDir) {
    this.options = options;
    this.callerSync = callerSync;
    this.cell = cell;
    this.errors = errors;
    this.lastSequence = lastSequence;
    this.walSequence = lastSequence;
    this.wal = wal;
    this.readOnlyDir = readOnlyDir;
    this.walCompressor = options.walCompression() == Compression.LZ4 ? new WalBatchCodec.Compressor() : null;
  }

  /**
   * The write path of a store in {@code dir} opened read-only: it refuses every write with an
   * {@link UnsupportedOperationException}, and its last sequence, what reads read at, stays
   * {@code lastSequence}.
   */
  static WritePath readOnly(StrataOptions options, ReadStateCell cell, ErrorState errors, long lastSequence,
      Path dir) {
    return new WritePath(options, cell, errors, lastSequence, null, null, dir);
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

  /**
   * Commits a put (a delete when {@code value} is null) on the caller's thread, or returns false
   * when it must go through the writer. With {@code syncWrites} it returns once the write is
   * durable, if {@code mayWait}; else such a write goes through the writer.
   */
  boolean tryPut(byte[] key, byte[] value, boolean mayWait) {
    if (!mayCommitHere(mayWait)) {
      return false;
    }
    if (options.syncWrites()) {
      return commitSynced(value == null ? new WriteBatch().delete(key) : new WriteBatch().put(key, value), null);
    }
    Memtable m;
    long seq;
    commitLock.lock();
    try {
      ReadState s = cell.peek();
      if (!admit(s, false)) {
        return false;
      }
      m = s.mutable();
      seq = walSequence + 1;
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
      unlockCommit();
    }
    afterCommit(m);
    return true;
  }

  /** As {@link #tryPut} for a whole batch, committed only if {@code check} (when not null) passes. */
  boolean tryWrite(WriteBatch batch, CommitCheck check, boolean mayWait) {
    if (!mayCommitHere(mayWait)) {
      return false;
    }
    if (options.syncWrites()) {
      return commitSynced(batch, check);
    }
    return commitBatch(batch, check, false) >= 0;
  }

  boolean applyQueued(WriteBatch batch, CommitCheck check) {
    boolean applied = commitBatch(batch, check, true) >= 0;
    if (applied) {
      queuedWrites.decrementAndGet();
    }
    return applied;
  }

  /**
   * Whether a write may try the fast path: always without {@code syncWrites}; with it, when its
   * caller may wait for the fsync and a WAL sync is what makes it durable (with the WAL off, only a
   * flush does, which is the writer's).
   */
  private boolean mayCommitHere(boolean mayWait) {
    if (options.syncWrites()
        && !(mayWait && options.walEnabled() && callerSync != null)) {
      checkWritable();
      return false;
    }
    return true;
  }

  /**
   * A synced write on its way to the commit lock. Whichever caller holds the lock commits every
   * request waiting (flat combining, RocksDB's write group), so that callers arriving together do
   * not queue on the lock one by one, each parked and woken in turn, but park once: until their
   * write is durable.
   */
  private static final class SyncedRequest {
    static final int PENDING = 0;
    static final int COMMITTED = 1;
    /** Not admitted (stalled, or writes queued at the writer): it goes through the writer. */
    static final int REFUSED = 2;
    static final int FAILED = 3;

    final WriteBatch batch;
    final CommitCheck check;
    final Thread owner = Thread.currentThread();
    /** Written before {@link #state}, read after it. */
    long last;
    RuntimeException failure;
    CallerSync.Waiter waiter;
    volatile int state;

    SyncedRequest(WriteBatch batch, CommitCheck check) {
      this.batch = batch;
      this.check = check;
    }
  }

  /** The most requests one caller commits for others before it hands the lock on and returns. */
  private static final int MAX_COMBINED = 256;

  private final ConcurrentLinkedQueue<SyncedRequest> syncedRequests = new ConcurrentLinkedQueue<>();

  /** Test seam (null in use): runs between registering an owner's waiter and marking its write committed. */
  private Runnable waiterRegisteredHook;

  /** Test seam: see {@link #waiterRegisteredHook}; set before the writes it should see start committing. */
  void onWaiterRegisteredForTests(Runnable hook) {
    waiterRegisteredHook = hook;
  }

  /**
   * Commits a synced write, by this caller or by one holding the commit lock, and returns once it
   * is durable; false when it must go through the writer instead.
   */
  private boolean commitSynced(WriteBatch batch, CommitCheck check) {
    SyncedRequest r = new SyncedRequest(batch, check);
    syncedRequests.add(r);
    // Uninterruptible, as a join, and with the flag cleared meanwhile: an interrupted thread's
    // FileChannel call would close the channel. The flag is set again for the caller.
    boolean interrupted = Thread.interrupted();
    while (r.state == SyncedRequest.PENDING) {
      if (commitLock.tryLock()) {
        Memtable m;
        try {
          m = commitRequests();
        } finally {
          unlockCommit(); // wakes the owner of a request that came after the drain
        }
        if (m != null) {
          afterCommit(m);
        }
        if (r.state != SyncedRequest.COMMITTED) {
          // This caller will not wait for a sync, so it may lead none: writes it committed for
          // others must not wait for a leader that never comes.
          callerSync.wake();
        }
      } else {
        // The holder wakes a waiting request's owner when it lets go (unlockCommit); this one
        // is woken then, or once a holder committed its write and the write is durable.
        LockSupport.park(this);
        interrupted |= Thread.interrupted();
      }
    }
    try {
      if (r.state == SyncedRequest.COMMITTED) {
        callerSync.awaitDurable(r.last, this, r.waiter);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return switch (r.state) {
      case SyncedRequest.COMMITTED -> true;
      case SyncedRequest.REFUSED -> false;
      default -> throw r.failure;
    };
  }

  /**
   * Under the commit lock: commits the waiting synced requests in arrival order, up to
   * {@link #MAX_COMBINED}; returns the memtable they went into, or null. Each other owner, still
   * parked, is registered to be woken when its write is durable; one refused or failed is woken
   * now.
   */
  private Memtable commitRequests() {
    Memtable m = null;
    Thread self = Thread.currentThread();
    SyncedRequest r;
    for (int i = 0; i < MAX_COMBINED && (r = syncedRequests.poll()) != null; i++) {
      try {
        Memtable into = cell.peek().mutable();
        long last = commitLocked(r.batch, r.check, false);
        if (last < 0) {
          r.state = SyncedRequest.REFUSED;
        } else {
          r.last = last;
          if (r.owner != self) {
            r.waiter = callerSync.waitFor(r.owner, last);
            if (waiterRegisteredHook != null) {
              waiterRegisteredHook.run();
            }
          }
          r.state = SyncedRequest.COMMITTED;
          if (r.waiter != null && r.waiter.woken()) {
            // Woken between the two lines above: the owner, still PENDING then, parked again and
            // spent that unpark. The waiter is off the list once removed, so no later wake finds it.
            LockSupport.unpark(r.owner);
          }
          m = into;
          continue;
        }
      } catch (RuntimeException e) {
        r.failure = e;
        r.state = SyncedRequest.FAILED;
      } catch (Error e) {
        // Its owner, parked, must hear of it; this caller goes on with the others.
        r.failure = new StrataException("committing a synced write failed: " + e, e);
        r.state = SyncedRequest.FAILED;
      }
      LockSupport.unpark(r.owner);
    }
    return m;
  }

  /**
   * Every holder of the commit lock lets go through here: a synced write's caller that found the
   * lock taken parks until then (see {@link #commitSynced}), so the owner of the oldest request
   * still waiting is woken to commit it.
   */
  private void unlockCommit() {
    commitLock.unlock();
    SyncedRequest next = syncedRequests.peek();
    if (next != null) {
      LockSupport.unpark(next.owner);
    }
  }

  /** What a caller's sync covers: the current WAL (null once taken at close), its first and newest sequences. */
  record SyncPoint(WalWriter wal, long firstSequence, long lastSequence) {}

  SyncPoint syncPoint() {
    commitLock.lock();
    try {
      return new SyncPoint(wal, walFirstSequence, walSequence);
    } finally {
      unlockCommit();
    }
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

  /** Commits {@code batch}; returns its last sequence, or -1 when it was not admitted. */
  private long commitBatch(WriteBatch batch, CommitCheck check, boolean fromWriter) {
    Memtable m;
    long last;
    commitLock.lock();
    try {
      m = cell.peek().mutable();
      last = commitLocked(batch, check, fromWriter);
    } finally {
      unlockCommit();
    }
    if (last >= 0) {
      afterCommit(m);
    }
    return last;
  }

  /** Under the commit lock: commits {@code batch}; returns its last sequence, or -1 when it was not admitted. */
  private long commitLocked(WriteBatch batch, CommitCheck check, boolean fromWriter) {
    ReadState s = cell.peek();
    if (!admit(s, fromWriter)) {
      return -1;
    }
    if (check != null) {
      check.verify(); // under the lock: no write can commit between the check and this one
    }
    Memtable m = s.mutable();
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
    return last;
  }

  /**
   * Called under the commit lock with the record in walRecord. A failure of the append itself
   * leaves the log's tail unknown, the record in it or not: the store fails, so no later write
   * takes a sequence; walSequence stays, since it is what a rotation records the WAL as holding
   * for certain, and recovery drops the WALs after one that ends short of that.
   */
  private void appendWalRecord() {
    ByteBuilder record;
    try {
      // Before the append: should it throw, nothing reached the log, and the write fails alone.
      record = walCompressor == null ? walRecord : walCompressor.compress(walRecord);
    } catch (RuntimeException e) {
      releaseHugeRecord();
      throw e;
    }
    try {
      walBytesWritten += wal.append(record.array(), record.size());
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
      unlockCommit();
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
        // A WAL whose appends wait for a sync holds its newest records in the process: they go to
        // the file before the manifest says it holds them, or a crash of the process right after
        // the record would read as a power loss that took the WAL's tail.
        old.flush();
        step.beforeSwap(old, walSequence); // the newest sequence the old WAL holds
      }
      wal = nextWal;
      walFirstSequence = walSequence + 1;
      cell.publish(cell.peek().withRotation(next));
      return old;
    } finally {
      unlockCommit();
    }
  }

  /** The current WAL, or null. */
  WalWriter currentWal() {
    commitLock.lock();
    try {
      return wal;
    } finally {
      unlockCommit();
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
      if (wal != null) {
        try {
          wal.flush(); // a WAL whose appends wait for a sync holds them in the process until now
        } catch (IOException e) {
          errors.fail(e);
          throw new StrataException("writing WAL " + wal.number() + " out for a checkpoint failed: " + e.getMessage(), e);
        }
      }
      return new Cut(wal == null ? -1 : wal.number(), wal == null ? 0 : wal.size(), lastSequence);
    } finally {
      unlockCommit();
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
      unlockCommit();
    }
  }

  Counters counters() {
    commitLock.lock();
    try {
      return new Counters(lastSequence, userBytesWritten, walBytesWritten, wal == null ? 0 : wal.size());
    } finally {
      unlockCommit();
    }
  }

  /** Refuses new writes from here on; writes already committed or queued are unaffected. */
  void close() {
    closeGuard.writeLock().lock();
    commitLock.lock();
    try {
      closed = true;
    } finally {
      unlockCommit();
      closeGuard.writeLock().unlock();
    }
  }
}
