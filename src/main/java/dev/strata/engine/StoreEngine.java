package dev.strata.engine;

import dev.strata.Bound;
import dev.strata.CompactionFilter;
import dev.strata.StrataException;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.StrataStats;
import dev.strata.WriteBatch;
import dev.strata.cache.BlockCache;
import dev.strata.fs.BudgetedFileSystem;
import dev.strata.fs.FileSystem;
import dev.strata.fs.MappingBudget;
import dev.strata.fs.TranslatingFileSystem;
import dev.strata.key.Lookup;
import dev.strata.memtable.Memtable;
import dev.strata.mvcc.SnapshotRegistry;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.ReadStateCell;
import dev.strata.readstate.SstFile;
import dev.strata.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The storage core of one store, free of actors: where writes commit ({@link WritePath}), the
 * read path over the published {@link ReadState}, MVCC's snapshots and commit-time checks, and
 * stats. The store's shape is kept apart: its versions (manifest, file numbers, published state,
 * compaction planning) in {@link VersionSet}, its WALs in {@link WalSet}, and the transitions
 * between shapes behind {@link WriterControl}, which only the writer actor holds.
 *
 * <p><b>Reads</b> acquire the published state and read at the last sequence, never touching the
 * actor or the commit lock.
 *
 * <p><b>Durability order.</b> An SST is written and synced, then its manifest record appended and
 * synced, and only then is the WAL it replaces deleted; the directory is synced after every
 * creation, rename and deletion.
 *
 * <p><b>Errors.</b> An I/O error in a write, a sync, a flush, a compaction or a manifest append
 * fails that call and puts the store in its read-only {@link ErrorState}: writes then fail fast
 * with the original cause, reads keep working, and a reopen recovers every acknowledged write. The
 * file system is wrapped in a {@link TranslatingFileSystem}, so an error is an IOException here
 * whatever shape the JDK gave it. A flush or compaction that found the device full lost nothing:
 * that error state is recoverable, and the writer ends it when a retry succeeds.
 *
 * <p><b>Read-only.</b> {@link #openReadOnly} opens a store without its writer side: it reads what
 * the directory holds, publishes it once, and refuses every write; it takes no lock and touches
 * no file, so it may run beside a read-write process (see {@link ReadOnlyRecovery}).
 *
 * <p>Thread-safety: every public method is for any thread; {@link #writerControl()} is handed out
 * once, and what it reaches is the writer's alone.
 */
public final class StoreEngine {
  private final Path dir;
  private final StrataOptions options;
  private final BlockCache cache;
  private final FileReleaser releaser;
  private final EngineStats stats = new EngineStats();
  private final Consumer<SstFile> seeksExhausted = this::seeksExhausted;
  private volatile WriterSignals signals;
  private final SnapshotRegistry snapshots = new SnapshotRegistry(this::lastSequence);
  private final List<CompactionFilter> filters = new CopyOnWriteArrayList<>();
  private final ErrorState errors;
  private final ListenerEvents events;
  private final StoreEvents reports;
  private final VersionSet versions;
  private final WalSet wals;
  /** Synced writes that committed on their callers' threads wait here; null when opened read-only. */
  private final CallerSync callerSync;
  private final ReadStateCell cell;
  private final WritePath writes;
  private final WriterControl control;
  private final StoreRelease closer;
  private final AtomicBoolean controlHandedOut = new AtomicBoolean();

  private StoreEngine(Path dir, StrataOptions options, FileSystem fs, Executor walPreparer, BlockCache cache,
      FileReleaser releaser, Recovery.Result recovered, long manifestRollBytes) throws IOException {
    this.dir = dir;
    this.options = options;
    this.cache = cache;
    this.releaser = releaser;
    this.events = new ListenerEvents(dir, options.listeners());
    this.errors = new ErrorState(dir, events);
    this.reports = new StoreEvents(dir, events);
    releaser.reportTo(reports);
    this.versions = new VersionSet(dir, fs, options, recovered, manifestRollBytes, errors, stats, releaser);
    this.callerSync = new CallerSync(errors, stats);
    this.wals = new WalSet(dir, fs, walPreparer, errors, stats, versions, reports, callerSync, options.syncWrites());
    this.cell = versions.cell();
    long first = versions.current().mutable().id();
    WalWriter firstWal = !options.walEnabled() ? null
        : recovered.keptWal() != null ? wals.reopen(recovered.keptWal()) : wals.create(first);
    this.writes = new WritePath(options, cell, errors, recovered.lastSequence(), firstWal, callerSync);
    SstWriter sstWriter = new SstWriter(dir, fs, cache, options, versions.fileNumbers(), releaser);
    this.closer = new EngineCloser(dir, sstWriter.fence(), writes, wals, versions, releaser, recovered.lock());
    this.control = new WriterControl(options, versions, wals, writes, callerSync, errors, releaser, stats, sstWriter,
        snapshots, filters, this::releaseResources, reports, this::stats);
    control.updateSlowdown();
  }

  /**
   * A store opened read-only: what {@code recovered} read is published once and never changes.
   * No writer side exists (no WAL set, version set or writer control), so no call can reach a
   * file; the write path refuses every write.
   */
  private StoreEngine(Path dir, StrataOptions options, BlockCache cache, FileReleaser releaser,
      ReadOnlyRecovery.Result recovered) {
    this.dir = dir;
    this.options = options;
    this.cache = cache;
    this.releaser = releaser;
    this.events = new ListenerEvents(dir, options.listeners()); // nothing to tell: no flush, compaction or I/O error
    this.errors = new ErrorState(dir, events);
    this.reports = new StoreEvents(dir, events);
    this.versions = null;
    this.wals = null;
    this.callerSync = null;
    this.control = null;
    // An empty mutable memtable above the replayed ones, which are frozen (newest first, as reads want).
    Memtable mutable = new Memtable(recovered.nextFileNumber(), 0);
    List<Memtable> newestFirst = new ArrayList<>(recovered.memtables());
    Collections.reverse(newestFirst);
    this.cell = new ReadStateCell(ReadState.initial(mutable, newestFirst, recovered.levels()));
    this.writes = WritePath.readOnly(options, cell, errors, recovered.lastSequence(), dir);
    this.closer = new ReadOnlyCloser(writes, cell);
  }

  /**
   * Opens (creating when missing) the store in {@code dir} and recovers what it holds. WAL segments
   * are mapped one ahead on the writing thread; {@link #open(Path, StrataOptions, FileSystem,
   * Executor)} moves that work off it.
   */
  public static StoreEngine open(Path dir, StrataOptions options, FileSystem fs) {
    return open(dir, options, fs, Runnable::run);
  }

  /** Opens the store in {@code dir}, mapping WAL segments ahead of the writes on {@code walPreparer}. */
  public static StoreEngine open(Path dir, StrataOptions options, FileSystem fs, Executor walPreparer) {
    return open(dir, options, fs, walPreparer, VersionSet.DEFAULT_MANIFEST_ROLL_BYTES);
  }

  /** As {@link #open(Path, StrataOptions, FileSystem)}, rolling the manifest past {@code manifestRollBytes}. */
  public static StoreEngine open(Path dir, StrataOptions options, FileSystem fs, long manifestRollBytes) {
    return open(dir, options, fs, Runnable::run, manifestRollBytes);
  }

  private static StoreEngine open(Path dir, StrataOptions options, FileSystem given, Executor walPreparer,
      long manifestRollBytes) {
    FileSystem fs = engineFileSystem(given, options);
    BlockCache cache = new BlockCache(options.blockCacheBytes());
    FileReleaser releaser = new FileReleaser(dir, fs);
    Recovery.Result r = new Recovery(dir, options, fs, cache, releaser).run();
    try {
      return new StoreEngine(dir, options, fs, walPreparer, cache, releaser, r, manifestRollBytes);
    } catch (IOException | RuntimeException e) {
      r.levels().forEach(level -> level.forEach(releaser));
      closeQuietly(r.manifestLog(), e);
      closeQuietly(r.lock(), e);
      if (e instanceof StrataException se) {
        throw se;
      }
      throw new StrataException("cannot open store in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens the store in {@code dir} read-only (RocksDB's {@code OpenForReadOnly}): reads CURRENT,
   * the manifest and the SSTs, and replays every live WAL into memtables kept in memory (see
   * {@link ReadOnlyRecovery}), without taking the directory lock or creating, changing, renaming or
   * deleting any file. Every write, and {@link #writerControl()}, is refused: nothing changes the
   * store it opened. A directory that holds no store is a {@link StrataException}.
   */
  public static StoreEngine openReadOnly(Path dir, StrataOptions options, FileSystem given) {
    FileSystem fs = engineFileSystem(given, options);
    BlockCache cache = new BlockCache(options.blockCacheBytes());
    FileReleaser releaser = new FileReleaser(dir, fs);
    ReadOnlyRecovery.Result r = new ReadOnlyRecovery(dir, options, fs, cache, releaser).run();
    return new StoreEngine(dir, options, cache, releaser, r);
  }

  private static FileSystem engineFileSystem(FileSystem given, StrataOptions options) {
    // Whatever shape the JDK gives an I/O error (UncheckedIOException, InternalError), the engine
    // sees an IOException, which every call site turns into the error state and a StrataException.
    return TranslatingFileSystem.wrap(new BudgetedFileSystem(given, new MappingBudget(options.maxMappedFiles())));
  }

  /**
   * The one handle through which the store's shape changes, for the writer actor that the caller
   * is about to start. Handed out once: a second call throws {@link IllegalStateException}, so no
   * one but that writer can hold it.
   */
  /**
   * Delivers the events of the store's listeners on {@code executor} from now on (the store's
   * callback dispatcher), events of the open included; until then they wait.
   */
  public void deliverEventsOn(Executor executor) {
    events.deliverOn(executor);
  }

  public WriterControl writerControl() {
    writes.refuseIfReadOnly("start a writer");
    if (!controlHandedOut.compareAndSet(false, true)) {
      throw new IllegalStateException("the writer control of store " + dir
          + " was already handed out: one writer alone changes the store");
    }
    return control;
  }

  /**
   * Throws {@link UnsupportedOperationException}, saying that the store was opened read-only and
   * naming {@code operation} ("flush", say), when it was; returns otherwise.
   */
  public void refuseIfReadOnly(String operation) {
    writes.refuseIfReadOnly(operation);
  }

  /** Connects the engine to its writer; must happen before the first write. */
  public void attach(WriterSignals writer) {
    writes.attach(writer);
    releaser.attach(writer);
    this.signals = writer;
  }

  /** Where lookups report a file whose seek allowance ran out (see ReadPath#get). */
  private void seeksExhausted(SstFile file) {
    WriterSignals w = signals;
    if (w != null) {
      w.compactionWanted(file.number());
    }
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
   * the WAL and the memtable, so the caller keeps its arrays. With {@code syncWrites} it returns
   * once the write is durable: the caller may sync the WAL itself (see {@link CallerSync}).
   */
  public boolean tryPut(byte[] key, byte[] value) {
    return writes.tryPut(key, value, true);
  }

  /** Commits a whole batch on the caller's thread, or returns false when it must go through the writer. */
  public boolean tryWrite(WriteBatch batch) {
    return writes.tryWrite(batch, null, true);
  }

  /**
   * As {@link #tryWrite(WriteBatch)}, for a caller that must not block: with {@code syncWrites}
   * it never commits (the writer syncs the write and completes its future instead).
   */
  public boolean tryWriteWithoutWaiting(WriteBatch batch) {
    return writes.tryWrite(batch, null, false);
  }

  /**
   * As {@link #tryWrite(WriteBatch)}, committing only if {@code check} passes at the moment of
   * commit (it throws otherwise, and nothing is written).
   */
  public boolean tryWrite(WriteBatch batch, CommitCheck check) {
    return writes.tryWrite(batch, check, true);
  }

  /**
   * Hands a batch to the writer. The queued count goes up first, so that every later write from
   * any thread sees it and queues behind: the fast path never overtakes a queued write.
   */
  public void enqueue(WriteBatch batch, CompletableFuture<Void> done) {
    writes.enqueue(batch, null, done);
  }

  /** As {@link #enqueue(WriteBatch, CompletableFuture)}, with a check verified as the batch commits. */
  public void enqueue(WriteBatch batch, CommitCheck check, CompletableFuture<Void> done) {
    writes.enqueue(batch, check, done);
  }

  /** Writes waiting at the writer. */
  public int queuedWrites() {
    return writes.queuedWrites();
  }

  /** The cause of the read-only error state, or null while the store is healthy. */
  public Throwable backgroundError() {
    return errors.cause();
  }

  // ---------------------------------------------------------------- reads

  public byte[] get(byte[] key) {
    return get(key, writes.lastSequence());
  }

  public StrataIterator scan(Bound lower, Bound upper) {
    return scan(lower, upper, writes.lastSequence());
  }

  /**
   * The value of {@code key} as of {@code sequence}, or null. The memtables are read first with
   * no reference taken: a reference is a compare-and-set on the one counter every reader of the
   * store shares, and memtables need no pin (nothing closes them; the collector frees them). Only
   * a lookup that goes on to the SSTs pins the state, the same state while any reader still holds
   * it, so the answer is the one a read of that state pinned from the start gives.
   */
  public byte[] get(byte[] key, long sequence) {
    ReadState s = cell.unpinned();
    Lookup r = ReadPath.getFromMemtables(s, key, sequence);
    if (r == null) {
      boolean same = s.tryRef();
      if (!same) {
        s = cell.acquire(); // released since: read the current state from the top
      }
      try {
        r = same ? ReadPath.getFromTables(s, key, sequence, seeksExhausted)
            : ReadPath.get(s, key, sequence, seeksExhausted);
      } finally {
        s.unref();
      }
    }
    return r == null || r.isDelete() ? null : r.value(); // a fresh array already: see Lookup
  }

  /** The keys between the bounds as of {@code sequence}. */
  public StrataIterator scan(Bound lower, Bound upper, long sequence) {
    ReadState s = cell.acquire();
    return ReadPath.scan(s, sequence, lower, upper);
  }

  // ---------------------------------------------------------------- MVCC

  /** Registers a reader at the latest committed sequence (compaction keeps what it sees); returns it. */
  public long acquireSnapshot() {
    return snapshots.acquire();
  }

  /** Lets go of a sequence {@link #acquireSnapshot} returned. */
  public void releaseSnapshot(long sequence) {
    snapshots.release(sequence);
  }

  /** The oldest sequence an open snapshot or transaction reads at; the latest sequence when none is open. */
  public long watermark() {
    return snapshots.watermark();
  }

  /** Compactions from now on drop what {@code filter} says (among versions no reader needs). */
  public void addCompactionFilter(CompactionFilter filter) {
    filters.add(filter);
  }

  /**
   * The sequence of the newest version of {@code key}, a value or a tombstone, or -1 when no layer
   * holds one. For commit-time validation: a version newer than a transaction's start means
   * another write committed the key after the transaction began.
   */
  public long newestSequence(byte[] key) {
    return newestSequenceAfter(key, -1);
  }

  /**
   * As {@link #newestSequence}, for a caller that only asks whether the newest version is above
   * {@code since}: when no SST holds anything after {@code since} (no flush since the transaction
   * began, the common case), the memtables alone answer, and the SSTs are not read. Returns the
   * newest sequence when it is above {@code since}, else a value at or below it.
   */
  public long newestSequenceAfter(byte[] key, long since) {
    // Bounded by the last sequence, as every read: a write that failed half-way into the memtable
    // never committed, and must not look like a conflict.
    long visible = writes.lastSequence();
    ReadState s = cell.acquire();
    try {
      Lookup r = s.sstMaxSequence() <= since ? ReadPath.getFromMemtables(s, key, visible)
          : ReadPath.get(s, key, visible, seeksExhausted);
      return r == null ? -1 : r.sequence();
    } finally {
      s.unref();
    }
  }

  /**
   * Whether any version (value or tombstone) of a key between the bounds was written after
   * {@code sequence}: an insert, update or delete inside a scanned range. Compaction keeps every
   * version above the watermark, so none of these can have been merged away while the reader that
   * asks was open.
   */
  public boolean changedSince(Bound lower, Bound upper, long sequence) {
    long visible = writes.lastSequence(); // see newestSequenceAfter
    ReadState s = cell.acquire();
    try {
      return ReadPath.changedSince(s, lower, upper, sequence, visible);
    } finally {
      s.unref();
    }
  }

  public long lastSequence() {
    return writes.lastSequence();
  }

  /** A consistent picture of the store at this moment. */
  public StrataStats stats() {
    ReadState s = cell.acquire();
    try {
      return stats.snapshot(s, writes.counters(), cache, new EngineStats.Now(options.compaction(), snapshots.pinned(),
          errors.cause(), errors.isRecoverable(), writes.slowedDown(), writes.stalled(), options.memtableSizeBytes()));
    } finally {
      s.unref();
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Refuses new writes from here on; writes already committed or queued are unaffected. */
  public void beginClose() {
    writes.close();
  }

  /**
   * Releases everything the engine holds (see {@link EngineCloser}): WALs synced and closed, files,
   * obsolete files no iterator pins deleted, manifest, directory lock. Idempotent. The writer's
   * last act ({@link WriterControl#releaseResources}).
   */
  public void releaseResources() {
    closer.release();
  }

  /**
   * The closing thread's fallback, for a writer that is gone or does not answer: as {@link
   * #releaseResources()}, unless another thread is releasing the store right now and does not
   * finish within {@code wait} (a writer stuck in a system call in its last act); false then.
   */
  public boolean releaseResources(Duration wait) throws InterruptedException {
    return closer.release(wait);
  }

  static void closeQuietly(AutoCloseable c, Throwable into) {
    try {
      c.close();
    } catch (Exception e) {
      into.addSuppressed(e);
    }
  }
}
