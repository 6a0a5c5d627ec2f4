package dev.strata.engine;

import dev.strata.Bound;
import dev.strata.StrataException;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.StrataStats;
import dev.strata.WriteBatch;
import dev.strata.cache.BlockCache;
import dev.strata.fs.FileSystem;
import dev.strata.key.Lookup;
import dev.strata.key.ValueKind;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.ReadStateCell;
import dev.strata.readstate.SstFile;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage core of one store, free of actors: the write path, the read path, and the state
 * transitions the writer actor decides on (rotation, flush installation).
 *
 * <p><b>Write path.</b> A write commits on the caller's thread under the commit lock: take the
 * next sequence numbers, insert into the mutable memtable, publish the new last sequence. The
 * lock is what orders sequence numbers with memtable contents, and rotation takes the same lock,
 * so a write lands either wholly in the memtable being frozen or wholly in its successor, never
 * lost in between. A write that finds the store stalled (memtable full and
 * {@code maxImmutableMemtables} frozen ones waiting) or finds writes already queued at the
 * writer is handed to the writer actor instead, which applies queued writes in arrival order
 * once a flush makes room: back-pressure, never a dropped or failed write.
 *
 * <p><b>Read path.</b> Reads acquire the published {@link ReadState} and read at the last
 * sequence, never touching the actor or the commit lock.
 *
 * <p>Thread-safety: write and read methods are for any thread; the methods documented "writer
 * only" must be called by the writer actor alone, which serializes them.
 */
public final class StoreEngine {
  private static final Logger log = LoggerFactory.getLogger(StoreEngine.class);

  private final Path dir;
  private final StrataOptions options;
  private final FileSystem fs;
  private final BlockCache cache;
  private final ReadStateCell cell;
  private final FlushJob flushJob;
  private final ReentrantLock commitLock = new ReentrantLock();
  private final AtomicInteger queuedWrites = new AtomicInteger();
  private final AtomicLong flushBytesWritten = new AtomicLong();
  private final AtomicLong writeStallNanos = new AtomicLong();
  private volatile WriterSignals signals;
  /** The sequence of the newest committed write; guarded by commitLock for writes, volatile for reads. */
  private volatile long lastSequence;
  /** Guarded by commitLock. */
  private long userBytesWritten;
  /** Guarded by commitLock (only the writer rotates). */
  private long nextMemtableId;
  private volatile boolean closed;
  private volatile Throwable backgroundError;

  StoreEngine(Path dir, StrataOptions options, FileSystem fs, BlockCache cache, FileReleaser releaser,
      Recovery.Result recovered) {
    this.dir = dir;
    this.options = options;
    this.fs = fs;
    this.cache = cache;
    this.lastSequence = recovered.lastSequence();
    this.nextMemtableId = 1;
    this.flushJob = new FlushJob(dir, fs, cache, options, recovered.nextFileNumber(), releaser);
    this.cell = new ReadStateCell(ReadState.initial(new Memtable(nextMemtableId++, options.memtableSizeBytes()), recovered.levels()));
  }

  /** Opens (creating when missing) the store in {@code dir} and recovers what it holds. */
  public static StoreEngine open(Path dir, StrataOptions options, FileSystem fs) {
    BlockCache cache = new BlockCache(options.blockCacheBytes());
    FileReleaser releaser = new FileReleaser(dir, fs);
    Recovery.Result result = new Recovery(dir, fs, cache).run(releaser);
    return new StoreEngine(dir, options, fs, cache, releaser, result);
  }

  /** Connects the engine to its writer; must happen before the first write. */
  public void attach(WriterSignals writer) {
    this.signals = writer;
  }

  public Path directory() {
    return dir;
  }

  public StrataOptions options() {
    return options;
  }

  // ---------------------------------------------------------------- writes

  /**
   * Commits a put ({@code value} non-null) or a delete ({@code value} null) on the caller's
   * thread, or returns false when it must go through the writer. Key and value are copied into
   * the memtable, so the caller keeps its arrays.
   */
  public boolean tryPut(byte[] key, byte[] value) {
    Memtable m;
    commitLock.lock();
    try {
      ReadState s = cell.peek();
      if (!admit(s, false)) {
        return false;
      }
      m = s.mutable();
      long seq = lastSequence + 1;
      m.add(key, seq, value == null ? ValueKind.DELETE : ValueKind.PUT, value);
      userBytesWritten += key.length + (value == null ? 0 : value.length);
      lastSequence = seq;
    } finally {
      commitLock.unlock();
    }
    afterCommit(m);
    return true;
  }

  /** Commits a whole batch on the caller's thread, or returns false when it must go through the writer. */
  public boolean tryWrite(WriteBatch batch) {
    return commitBatch(batch, false);
  }

  /**
   * Writer only: applies a queued batch, or returns false while the store is still stalled (the
   * batch then stays queued). Queued batches were accepted before any close, so they apply even
   * on a closing store.
   */
  public boolean applyQueued(WriteBatch batch) {
    boolean applied = commitBatch(batch, true);
    if (applied) {
      queuedWrites.decrementAndGet();
    }
    return applied;
  }

  /**
   * Hands a batch to the writer. The queued count goes up first, so that every later write from
   * any thread sees it and queues behind: the fast path never overtakes a queued write.
   */
  public void enqueue(WriteBatch batch, java.util.concurrent.CompletableFuture<Void> done) {
    // Under the commit lock, so that a write either reaches the writer's mailbox before the
    // close message or sees the store closed: none is left behind a stopped writer.
    commitLock.lock();
    try {
      checkWritable();
      queuedWrites.incrementAndGet();
      signals.enqueueWrite(batch, done);
    } finally {
      commitLock.unlock();
    }
  }

  /** Writer only: a queued write failed and leaves the queue unapplied. */
  public void abandonQueued() {
    queuedWrites.decrementAndGet();
  }

  private boolean commitBatch(WriteBatch batch, boolean fromWriter) {
    Memtable m;
    commitLock.lock();
    try {
      ReadState s = cell.peek();
      if (!admit(s, fromWriter)) {
        return false;
      }
      m = s.mutable();
      long seq = lastSequence;
      long bytes = 0;
      for (int i = 0, n = batch.count(); i < n; i++) {
        byte[] v = batch.value(i);
        seq++;
        m.add(batch.key(i), seq, v == null ? ValueKind.DELETE : ValueKind.PUT, v);
        bytes += batch.key(i).length + (v == null ? 0 : v.length);
      }
      userBytesWritten += bytes;
      // Published last, so that readers see the whole batch or none of it.
      lastSequence = seq;
    } finally {
      commitLock.unlock();
    }
    afterCommit(m);
    return true;
  }

  /** Whether a write may commit now into {@code s}'s memtable. Called under the commit lock. */
  private boolean admit(ReadState s, boolean fromWriter) {
    if (!fromWriter) {
      checkWritable();
      if (queuedWrites.get() > 0) {
        return false;
      }
    } else if (backgroundError != null) {
      throw new StrataException("store is in read-only error state: " + backgroundError.getMessage(), backgroundError);
    }
    return !isStalled(s);
  }

  private boolean isStalled(ReadState s) {
    return s.mutable().approximateBytes() >= options.memtableSizeBytes()
        && s.immutables().length >= options.maxImmutableMemtables();
  }

  private void afterCommit(Memtable m) {
    if (m.approximateBytes() >= options.memtableSizeBytes() && m.claimFreezeRequest()) {
      signals.memtableFull(m);
    }
  }

  private void checkWritable() {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
    Throwable err = backgroundError;
    if (err != null) {
      throw new StrataException("store is in read-only error state: " + err.getMessage(), err);
    }
  }

  /** Writes waiting at the writer. */
  public int queuedWrites() {
    return queuedWrites.get();
  }

  public void recordStall(long nanos) {
    writeStallNanos.addAndGet(nanos);
  }

  // ---------------------------------------------------------------- writer-only transitions

  /** Writer only: the published state (no reference taken; the writer alone replaces it). */
  public ReadState current() {
    return cell.peek();
  }

  /** Writer only: whether another frozen memtable fits under the limit. */
  public boolean canRotate() {
    return cell.peek().immutables().length < options.maxImmutableMemtables();
  }

  public boolean mutableIsFull() {
    return cell.peek().mutable().approximateBytes() >= options.memtableSizeBytes();
  }

  /** Writer only: freezes the mutable memtable and starts a new one; returns the frozen one. */
  public Memtable rotate() {
    commitLock.lock();
    try {
      ReadState s = cell.peek();
      Memtable frozen = s.mutable();
      cell.publish(s.withRotation(new Memtable(nextMemtableId++, options.memtableSizeBytes())));
      return frozen;
    } finally {
      commitLock.unlock();
    }
  }

  /** Builds the SST for a frozen memtable; runs on the blocking dispatcher, touches no shared state. */
  public SstFile writeSst(Memtable frozen) {
    return flushJob.run(frozen, flushBytesWritten);
  }

  /** Writer only: installs a finished flush. */
  public void installFlush(Memtable flushed, SstFile file) {
    ReadState s = cell.peek();
    cell.publish(s.withFlush(flushed, file));
    log.debug("flushed {} into {}", flushed, file);
  }

  /** Writer only: puts the store into its read-only error state. */
  public void fail(Throwable cause) {
    if (backgroundError == null) {
      backgroundError = cause;
      log.error("store {} is now read-only after a background error", dir, cause);
    }
  }

  public Throwable backgroundError() {
    return backgroundError;
  }

  // ---------------------------------------------------------------- reads

  public byte[] get(byte[] key) {
    ReadState s = cell.acquire();
    try {
      Lookup r = ReadPath.get(s, key, lastSequence);
      return r == null || r.isDelete() ? null : r.value().clone();
    } finally {
      s.unref();
    }
  }

  public StrataIterator scan(Bound lower, Bound upper) {
    ReadState s = cell.acquire();
    return ReadPath.scan(s, lastSequence, lower, upper);
  }

  public long lastSequence() {
    return lastSequence;
  }

  public StrataStats stats() {
    ReadState s = cell.acquire();
    try {
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
      long user;
      long seq;
      commitLock.lock();
      try {
        user = userBytesWritten;
        seq = lastSequence;
      } finally {
        commitLock.unlock();
      }
      return StrataStats.builder()
          .memtableBytes(s.mutable().approximateBytes())
          .immutableMemtables(s.immutables().length, immBytes)
          .levels(counts, bytes)
          .userBytesWritten(user)
          .flushBytesWritten(flushBytesWritten.get())
          .blockCache(cache.hits(), cache.misses())
          .lastSequence(seq)
          .writeStallNanos(writeStallNanos.get())
          .build();
    } finally {
      s.unref();
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Refuses new writes from here on; writes already committed or queued are unaffected. */
  public void beginClose() {
    commitLock.lock();
    try {
      closed = true;
    } finally {
      commitLock.unlock();
    }
  }

  public boolean isClosed() {
    return closed;
  }

  /** Releases the published state: files close once the last open iterator lets go of them. */
  public void releaseResources() {
    closed = true;
    cell.close();
  }
}
