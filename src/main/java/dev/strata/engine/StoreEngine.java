package dev.strata.engine;

import dev.strata.Bound;
import dev.strata.StrataException;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.StrataStats;
import dev.strata.WriteBatch;
import dev.strata.CompactionFilter;
import dev.strata.CompactionOptions;
import dev.strata.cache.BlockCache;
import dev.strata.compaction.CompactionPicker;
import dev.strata.compaction.CompactionTask;
import dev.strata.compaction.LevelShape;
import dev.strata.fs.BudgetedFileSystem;
import dev.strata.fs.FileLock;
import dev.strata.fs.FileSystem;
import dev.strata.fs.MappingBudget;
import dev.strata.fs.TranslatingFileSystem;
import dev.strata.iterator.InternalIterator;
import dev.strata.key.InternalKey;
import dev.strata.key.Lookup;
import dev.strata.manifest.FileMeta;
import dev.strata.manifest.ManifestLog;
import dev.strata.manifest.ManifestRecord;
import dev.strata.manifest.ManifestState;
import dev.strata.memtable.Memtable;
import dev.strata.mvcc.SnapshotRegistry;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.ReadStateCell;
import dev.strata.readstate.SstFile;
import dev.strata.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage core of one store, free of actors: it owns the {@link WritePath} where writes
 * commit, the read path over the published {@link ReadState}, and the state transitions the
 * writer actor decides on (rotation, flush installation, WAL sync, close).
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
 * <p>Thread-safety: write and read methods are for any thread; the methods documented "writer
 * only" must be called by the writer actor alone, which serializes them.
 */
public final class StoreEngine {
  private static final Logger log = LoggerFactory.getLogger(StoreEngine.class);
  /** A manifest longer than this is replaced by a snapshot in a new manifest. */
  static final long DEFAULT_MANIFEST_ROLL_BYTES = 4L << 20;
  /** How long a release waits for a job's file operation already under way (see DirectoryFence). */
  private static final java.time.Duration JOB_FENCE_WAIT = java.time.Duration.ofSeconds(1);

  private final Path dir;
  private final StrataOptions options;
  private final FileSystem fs;
  /** Maps and pre-faults WAL segments ahead of the appends (see FileSystem#createMapped). */
  private final Executor walPreparer;
  private final BlockCache cache;
  private final FileReleaser releaser;
  private final ReadStateCell cell;
  private final FlushJob flushJob;
  /** Keeps flush and compaction jobs still running out of the directory once it is released. */
  private final DirectoryFence jobFence;
  private final AtomicLong nextFileNumber;
  private final long manifestRollBytes;
  private final AtomicLong flushBytesWritten = new AtomicLong();
  private final AtomicLong compactionBytesWritten = new AtomicLong();
  private final CompactionJob compactionJob;
  private final AtomicLong writeStallNanos = new AtomicLong();
  private final AtomicLong longestWriteStallNanos = new AtomicLong();
  private final AtomicLong compactions = new AtomicLong();
  private final Consumer<SstFile> seeksExhausted = this::seeksExhausted;
  private volatile WriterSignals signals;
  private final CompactionPicker picker;
  private final SnapshotRegistry snapshots = new SnapshotRegistry(this::lastSequence);
  private final List<CompactionFilter> filters = new CopyOnWriteArrayList<>();
  private final AtomicLong walSyncs = new AtomicLong();
  /**
   * The WALs of frozen memtables not yet flushed, oldest first: still open, and synced only when
   * something needs them durable. Writer only.
   *
   * <p>Syncing a WAL when its memtable freezes would put an fsync of a whole memtable's log
   * (32 MiB, about 0.1 s here) into every rotation, for nothing: without syncWrites a WAL only
   * has to survive a crash of the process, which the page cache sees to, and once its memtable's
   * SST is durable the WAL is deleted, often before the kernel has written a page of it back. So a
   * retired WAL is synced when a newer one is (sync(), a group of synced writes, close), oldest
   * first: after a power loss what is left is still a prefix of the writes.
   */
  private final List<WalWriter> retiredWals = new ArrayList<>();
  /** How many of {@link #retiredWals}, from the oldest, are synced (they take no more appends). */
  private int retiredWalsSynced;
  /**
   * A WAL fsync failed. No WAL is synced again: on Linux a retried fsync may report success after
   * the kernel dropped the pages that failed, and syncing a newer WAL over that hole would break
   * the prefix a power loss must leave. Writer only.
   */
  private boolean walSyncFailed;
  private final FileLock lock;
  private final ErrorState errors;
  private final WritePath writes;
  /** Writer only. */
  private ManifestLog manifestLog;
  /** Writer only. */
  private final ManifestState manifest;
  private boolean released;

  private StoreEngine(Path dir, StrataOptions options, FileSystem fs, Executor walPreparer, BlockCache cache,
      FileReleaser releaser, Recovery.Result recovered, long manifestRollBytes) throws IOException {
    this.dir = dir;
    this.options = options;
    this.fs = fs;
    this.walPreparer = walPreparer;
    this.cache = cache;
    this.releaser = releaser;
    this.lock = recovered.lock();
    this.manifestLog = recovered.manifestLog();
    this.manifest = recovered.manifest();
    this.manifestRollBytes = manifestRollBytes;
    this.errors = new ErrorState(dir);
    this.nextFileNumber = new AtomicLong(recovered.nextFileNumber());
    SstWriter sstWriter = new SstWriter(dir, fs, cache, options, nextFileNumber, releaser);
    this.flushJob = new FlushJob(sstWriter);
    this.jobFence = sstWriter.fence();
    this.compactionJob = new CompactionJob(sstWriter);
    Fresh first = startMemtable();
    this.cell = new ReadStateCell(ReadState.initial(first.memtable(), List.of(), recovered.levels()));
    this.writes = new WritePath(options, cell, errors, recovered.lastSequence(), first.wal());
    this.picker = CompactionPicker.of(options.compaction());
    updateSlowdown();
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
    return open(dir, options, fs, walPreparer, DEFAULT_MANIFEST_ROLL_BYTES);
  }

  /** As {@link #open(Path, StrataOptions, FileSystem)}, rolling the manifest past {@code manifestRollBytes}. */
  public static StoreEngine open(Path dir, StrataOptions options, FileSystem fs, long manifestRollBytes) {
    return open(dir, options, fs, Runnable::run, manifestRollBytes);
  }

  private static StoreEngine open(Path dir, StrataOptions options, FileSystem given, Executor walPreparer,
      long manifestRollBytes) {
    // Whatever shape the JDK gives an I/O error (UncheckedIOException, InternalError), the engine
    // sees an IOException, which every call site turns into the error state and a StrataException.
    FileSystem fs = TranslatingFileSystem.wrap(new BudgetedFileSystem(given, new MappingBudget(options.maxMappedFiles())));
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

  /** Connects the engine to its writer; must happen before the first write. */
  public void attach(WriterSignals writer) {
    writes.attach(writer);
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
   * the WAL and the memtable, so the caller keeps its arrays.
   */
  public boolean tryPut(byte[] key, byte[] value) {
    return writes.tryPut(key, value);
  }

  /** Commits a whole batch on the caller's thread, or returns false when it must go through the writer. */
  public boolean tryWrite(WriteBatch batch) {
    return writes.tryWrite(batch, null);
  }

  /**
   * As {@link #tryWrite(WriteBatch)}, committing only if {@code check} passes at the moment of
   * commit (it throws otherwise, and nothing is written).
   */
  public boolean tryWrite(WriteBatch batch, CommitCheck check) {
    return writes.tryWrite(batch, check);
  }

  /**
   * Writer only: applies a queued batch, or returns false while the store is still stalled (the
   * batch then stays queued). Queued batches were accepted before any close, so they apply even
   * on a closing store. With {@code syncWrites} the caller syncs the WAL before acknowledging.
   */
  public boolean applyQueued(WriteBatch batch, CommitCheck check) {
    return writes.applyQueued(batch, check);
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

  /** Writer only: a queued write failed and leaves the queue unapplied. */
  public void abandonQueued() {
    writes.abandonQueued();
  }

  /** Writes waiting at the writer. */
  public int queuedWrites() {
    return writes.queuedWrites();
  }

  /** Writer only: writes were held for {@code nanos}. */
  public void recordStall(long nanos) {
    writeStallNanos.addAndGet(nanos);
    if (nanos > longestWriteStallNanos.get()) {
      longestWriteStallNanos.set(nanos);
    }
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

  /** A new memtable and, with the WAL on, its WAL, recorded in the manifest. */
  private record Fresh(Memtable memtable, WalWriter wal) {}

  private Fresh startMemtable() throws IOException {
    long number = nextFileNumber.getAndIncrement();
    WalWriter w = null;
    if (options.walEnabled()) {
      w = WalWriter.create(fs, FileNames.wal(dir, number), number, walPreparer);
      try {
        fs.syncDirectory(dir);
        appendManifest(new ManifestRecord.WalCreated(number));
      } catch (IOException | RuntimeException e) {
        closeQuietly(w, e);
        throw e;
      }
    }
    return new Fresh(new Memtable(number, options.memtableSizeBytes()), w);
  }

  /**
   * Writer only: freezes the mutable memtable and starts a new one with a new WAL; returns the
   * frozen one. The old WAL receives no more writes; it stays open, unsynced, until a sync needs
   * it or its memtable is flushed (see {@link #retiredWals}).
   */
  public Memtable rotate() {
    Fresh next;
    try {
      next = startMemtable();
    } catch (IOException e) {
      fail(e);
      throw new StrataException("starting a new memtable and WAL failed: " + e.getMessage(), e);
    }
    Memtable frozen = cell.peek().mutable();
    WalWriter old;
    try {
      // The retired WAL's last sequence is in the manifest, synced, before the first write reaches
      // the new WAL (the commit lock holds writes off for that one fsync per rotation): however
      // the kernel orders its write-back, recovery can tell a WAL that lost its unsynced tail.
      old = writes.swap(next.memtable(), next.wal(),
          (retiring, lastSequence) -> appendManifest(new ManifestRecord.WalRetired(retiring.number(), lastSequence)));
    } catch (IOException e) {
      fail(e);
      if (next.wal() != null) {
        closeQuietly(next.wal()::closeUnsynced, e); // empty; live in the manifest, which recovery allows
      }
      throw new StrataException("recording the retirement of the WAL in the manifest failed: " + e.getMessage(), e);
    }
    if (old != null) {
      retiredWals.add(old);
    }
    return frozen;
  }

  /** Builds the SST for a frozen memtable; runs on the blocking dispatcher, touches no shared state. */
  public SstFile writeSst(Memtable frozen) {
    return flushJob.run(frozen, flushBytesWritten);
  }

  /**
   * Writer only: installs a finished flush: the manifest records it, the new state is published,
   * and the memtable's WAL, now redundant, is deleted.
   */
  public void installFlush(Memtable flushed, SstFile file) {
    try {
      appendManifest(new ManifestRecord.FlushCompleted(flushed.id(), file.meta(0), flushed.maxSequence()));
    } catch (IOException e) {
      fail(e);
      // The record may have reached the manifest even though its sync failed, so the SST stays:
      // recovery keeps it if the record is there and deletes it as an orphan if not.
      releaser.accept(file);
      throw new StrataException("recording the flush of " + flushed + " in the manifest failed: " + e.getMessage(), e);
    }
    cell.publish(cell.peek().withFlush(flushed, file));
    updateSlowdown();
    log.debug("flushed {} into {}", flushed, file);
    try {
      if (options.walEnabled()) {
        discardRetiredWal(flushed.id());
        fs.delete(FileNames.wal(dir, flushed.id()));
        fs.syncDirectory(dir);
      }
      maybeRollManifest();
    } catch (IOException e) {
      fail(e);
      throw new StrataException("cleaning up after the flush of " + flushed + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * A compaction about to run: the picker's task, its input files (upper levels first, L0 newest
   * first) with their levels, pinned by a read state reference until it is installed or abandoned.
   * A trivial move rewrites nothing: its files change level in the manifest only.
   */
  public record CompactionPlan(ReadState pinned, CompactionTask task, List<SstFile> inputs, List<Integer> inputLevels,
      boolean full, boolean trivialMove, AtomicBoolean cancelled) {

    public int outputLevel() {
      return task.outputLevel();
    }

    /** Asks the running job to stop; it then fails with {@link CompactionCancelledException}. */
    public void cancel() {
      cancelled.set(true);
    }
  }

  /**
   * Writer only: plans the compaction the strategy wants now, or with {@code full} a compaction of
   * every SST into one sorted run at the bottom level (for {@code compact()}); null when there is
   * nothing to do. The task is picked from the manifest's shape, which always matches the
   * published read state: the writer changes both together.
   */
  public CompactionPlan planCompaction(boolean full) {
    return planCompaction(full, -1);
  }

  /**
   * As {@link #planCompaction(boolean)}; when the strategy wants nothing and {@code readTriggered}
   * names a file lookups asked to compact (see {@link WriterSignals#compactionWanted}), that file.
   */
  public CompactionPlan planCompaction(boolean full, long readTriggered) {
    LevelShape shape = LevelShape.from(manifest);
    CompactionTask task = full ? picker.fullCompaction(shape) : picker.pick(shape).orElse(null);
    if (task == null && !full && readTriggered >= 0) {
      task = picker.pickForReads(shape, readTriggered).orElse(null);
    }
    if (task == null || task.isEmpty()) {
      return null;
    }
    ReadState s = cell.acquire();
    Map<Long, SstFile> byNumber = new HashMap<>();
    for (SstFile f : s.l0()) {
      byNumber.put(f.number(), f);
    }
    for (SstFile[] level : s.levels()) {
      for (SstFile f : level) {
        byNumber.put(f.number(), f);
      }
    }
    List<SstFile> inputs = new ArrayList<>();
    List<Integer> levels = new ArrayList<>();
    for (CompactionTask.Input in : task.inputs()) {
      for (FileMeta meta : in.files()) {
        SstFile f = byNumber.get(meta.number());
        if (f == null) {
          s.unref();
          throw new IllegalStateException("compaction " + task + " names SST " + meta.number()
              + ", which the published state does not hold");
        }
        inputs.add(f);
        levels.add(in.level());
      }
    }
    return new CompactionPlan(s, task, inputs, levels, full, !full && task.isTrivialMove(), new AtomicBoolean());
  }

  /**
   * Runs a planned compaction; on the blocking dispatcher, touching no shared state. An output for
   * L0 (a tiered merge of L0 files) is not split: each L0 file is one sorted run to the picker.
   */
  public List<SstFile> runCompaction(CompactionPlan plan) {
    if (plan.trivialMove()) {
      return plan.inputs();
    }
    long target = plan.outputLevel() == 0 ? Long.MAX_VALUE : options.targetSstSizeBytes();
    // The filters first, then the horizon: every reader the horizon leaves out began after every
    // filter the job runs was added. Taken as the job starts: a snapshot opened later reads at or
    // above the watermark, so it loses no version (filters: see CompactionJob).
    List<CompactionFilter> active = List.copyOf(filters);
    SnapshotRegistry.Horizon horizon = snapshots.horizon();
    return compactionJob.run(new CompactionJob.Spec(plan.inputs(), plan.inputLevels(), plan.task().bottommost(),
        horizon.watermark(), horizon.newestOpen(), active, target, plan.cancelled()::get), compactionBytesWritten);
  }

  /**
   * Writer only: installs a finished compaction: one manifest record, one new published state;
   * the inputs are deleted once the last reader of them lets go (a moved file is not deleted).
   */
  public void installCompaction(CompactionPlan plan, List<SstFile> outputs) {
    List<FileMeta> removed = new ArrayList<>();
    Set<Long> removedNumbers = new HashSet<>();
    for (int i = 0; i < plan.inputs().size(); i++) {
      removed.add(plan.inputs().get(i).meta(plan.inputLevels().get(i)));
      removedNumbers.add(plan.inputs().get(i).number());
    }
    List<FileMeta> added = new ArrayList<>();
    for (SstFile f : outputs) {
      added.add(f.meta(plan.outputLevel()));
    }
    try {
      appendManifest(new ManifestRecord.CompactionCompleted(removed, added));
    } catch (IOException e) {
      fail(e);
      if (!plan.trivialMove()) {
        outputs.forEach(releaser);
      }
      plan.pinned().unref();
      throw new StrataException("recording compaction " + plan.task() + " in the manifest failed: " + e.getMessage(), e);
    }
    if (!plan.trivialMove()) {
      plan.inputs().forEach(SstFile::markObsolete);
    } else {
      outputs.forEach(SstFile::resetSeeks); // a new level, a new allowance (as LevelDB gives an added file)
    }
    cell.publish(cell.peek().withCompaction(removedNumbers, plan.outputLevel(), outputs));
    plan.pinned().unref();
    compactions.incrementAndGet();
    updateSlowdown();
    log.debug("compacted {} into {} file(s)", plan.task(), outputs.size());
    try {
      maybeRollManifest();
    } catch (IOException e) {
      fail(e);
      throw new StrataException("rolling the manifest failed: " + e.getMessage(), e);
    }
  }

  /** Whether compaction runs on its own: false with {@code CompactionOptions.none()}. */
  public boolean compactsInBackground() {
    return options.compaction().strategy() != CompactionOptions.Strategy.NONE;
  }

  /** Writer only: L0 holds the stop trigger's count of files, so flushes wait for compaction. */
  public boolean l0AtStopTrigger() {
    return compactsInBackground() && cell.peek().l0().length >= options.compaction().level0StopWritesTrigger();
  }

  /** Past the slowdown trigger, writes lose their fast path; recomputed after each L0 change. */
  private void updateSlowdown() {
    writes.slowdown(compactsInBackground()
        && cell.peek().l0().length >= options.compaction().level0SlowdownWritesTrigger());
  }

  /** Writer only: a planned compaction that will not be installed lets go of its inputs. */
  public void abandonCompaction(CompactionPlan plan) {
    plan.pinned().unref();
  }

  private void appendManifest(ManifestRecord record) throws IOException {
    manifestLog.append(record);
    manifest.apply(record);
  }

  /** Replaces a long manifest with a new one that starts from a snapshot (write, sync, switch CURRENT). */
  private void maybeRollManifest() throws IOException {
    if (manifestLog.size() < manifestRollBytes) {
      return;
    }
    long number = nextFileNumber.getAndIncrement();
    manifest.apply(new ManifestRecord.NextFileNumber(nextFileNumber.get()));
    manifest.setLastSequence(writes.lastSequence());
    ManifestLog next = ManifestLog.create(fs, FileNames.manifest(dir, number), manifest.snapshot(),
        manifest.afterSnapshot());
    ManifestLog old = manifestLog;
    try {
      fs.syncDirectory(dir);
      CurrentFile.write(fs, dir, FileNames.manifestName(number));
    } catch (IOException e) {
      closeQuietly(next, e);
      throw e;
    }
    manifestLog = next;
    old.close();
    fs.delete(old.path());
    fs.syncDirectory(dir);
    log.debug("rolled the manifest into {}", next.path());
  }

  /** Closes the retired WAL of a flushed memtable, unsynced: its SST now holds what it held. */
  private void discardRetiredWal(long number) {
    for (int i = 0; i < retiredWals.size(); i++) {
      WalWriter w = retiredWals.get(i);
      if (w.number() == number) {
        retiredWals.remove(i);
        if (i < retiredWalsSynced) {
          retiredWalsSynced--;
        }
        try {
          w.closeUnsynced();
        } catch (IOException e) {
          // Nothing it held is needed any more, and the file is deleted next: not the store's error.
          log.warn("closing WAL {}, whose memtable is flushed, failed", w.number(), e);
        }
        return;
      }
    }
  }

  /**
   * Writer only: fsyncs the retired WALs not yet synced, oldest first, and records each one's sync
   * point in the manifest (it takes no more writes, so the point is its end).
   */
  private void syncRetiredWals() {
    while (retiredWalsSynced < retiredWals.size()) {
      WalWriter w = retiredWals.get(retiredWalsSynced);
      syncOne(w);
      recordWalSynced(w);
      retiredWalsSynced++;
    }
  }

  /**
   * Records that WAL {@code w}, which takes no more writes, is synced to its end, so that recovery
   * reports damage before that point instead of dropping synced writes (see WalRecoveryMode). Not
   * in the error state: the manifest's tail may then be unknown.
   */
  private void recordWalSynced(WalWriter w) {
    if (errors.cause() != null) {
      return;
    }
    try {
      appendManifest(new ManifestRecord.WalSynced(w.number(), w.size()));
    } catch (IOException e) {
      fail(e);
      throw new StrataException("recording the sync of WAL " + w.number() + " in the manifest failed: "
          + e.getMessage(), e);
    }
  }

  private void syncOne(WalWriter w) {
    if (walSyncFailed) {
      throw new StrataException("an earlier fsync of a WAL failed; no WAL is synced again until the store reopens",
          errors.cause());
    }
    try {
      walSyncs.incrementAndGet();
      w.sync();
    } catch (IOException | RuntimeException | InternalError e) {
      // Whatever the sync threw, it is not known to have made the WAL durable: a failed sync.
      walSyncFailed = true;
      fail(e);
      throw new StrataException("sync of WAL " + w.number() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Writer only: makes every acknowledged write durable: fsyncs the retired WALs not yet synced,
   * oldest first, then the current one.
   */
  public void syncWal() {
    syncRetiredWals();
    WalWriter w = writes.currentWal();
    if (w != null) {
      syncOne(w);
    }
  }

  /** Writer only: puts the store into its read-only error state, until reopen. */
  public void fail(Throwable cause) {
    errors.fail(cause);
  }

  /**
   * Writer only: a flush or compaction failed without losing anything, for a reason that may go
   * away (the device was full); the store is read-only until a retry of the work succeeds. Returns
   * whether the store is now in that recoverable state: false when it already is in the hard one,
   * which nothing but a reopen clears.
   */
  public boolean failRecoverable(Throwable cause) {
    return errors.failRecoverable(cause);
  }

  /** Writer only: a retry succeeded; leaves a recoverable error state (returns whether it did). */
  public boolean recover() {
    return errors.recover();
  }

  /** Whether the store is in its error state for a reason that a retry may clear. */
  public boolean errorIsRecoverable() {
    return errors.isRecoverable();
  }

  /** The cause of the read-only error state, or null while the store is healthy. */
  public Throwable backgroundError() {
    return errors.cause();
  }

  // ---------------------------------------------------------------- reads

  public byte[] get(byte[] key) {
    ReadState s = cell.acquire();
    try {
      Lookup r = ReadPath.get(s, key, writes.lastSequence(), seeksExhausted);
      return r == null || r.isDelete() ? null : r.value().clone();
    } finally {
      s.unref();
    }
  }

  public StrataIterator scan(Bound lower, Bound upper) {
    return scan(lower, upper, writes.lastSequence());
  }

  /** The value of {@code key} as of {@code sequence}, or null. */
  public byte[] get(byte[] key, long sequence) {
    ReadState s = cell.acquire();
    try {
      Lookup r = ReadPath.get(s, key, sequence, seeksExhausted);
      return r == null || r.isDelete() ? null : r.value().clone();
    } finally {
      s.unref();
    }
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
    try (InternalIterator it = s.sstMaxSequence() <= sequence ? ReadPath.memtableIterator(s)
        : ReadPath.internalIterator(s)) {
      if (lower.isUnbounded()) {
        it.seekToFirst();
      } else {
        it.seek(lower.key(), InternalKey.MAX_SEQUENCE);
      }
      for (; it.isValid(); it.next()) {
        byte[] k = it.userKey();
        if (lower.kind() == Bound.Kind.EXCLUDED && InternalKey.compareUserKeys(k, lower.key()) == 0) {
          continue;
        }
        if (!upper.isUnbounded()) {
          int c = InternalKey.compareUserKeys(k, upper.key());
          if (upper.kind() == Bound.Kind.INCLUDED ? c > 0 : c >= 0) {
            break;
          }
        }
        if (it.sequence() > sequence && it.sequence() <= visible) {
          return true;
        }
      }
      return false;
    } finally {
      s.unref();
    }
  }

  public long lastSequence() {
    return writes.lastSequence();
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
      WritePath.Counters c = writes.counters();
      return StrataStats.builder()
          .memtableBytes(s.mutable().approximateBytes())
          .immutableMemtables(s.immutables().length, immBytes)
          .levels(counts, bytes)
          .userBytesWritten(c.userBytesWritten())
          .walBytesWritten(c.walBytesWritten())
          .walSyncs(walSyncs.get())
          .flushBytesWritten(flushBytesWritten.get())
          .compactionBytesWritten(compactionBytesWritten.get())
          .blockCache(cache.hits(), cache.misses())
          .lastSequence(c.lastSequence())
          .writeStallNanos(writeStallNanos.get())
          .longestWriteStallNanos(longestWriteStallNanos.get())
          .compactions(compactions.get())
          .tableMemory(s.tableIndexBytes(), s.tableFilterBytes())
          .build();
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
   * Writer only, at close: syncs and closes every WAL, so every acknowledged write is durable. If a
   * WAL sync fails now or failed before, the WALs are closed without syncing any further (see
   * {@link #walSyncFailed}); a failure now is thrown once every handle is closed.
   */
  public void closeWal() {
    StrataException failure = null;
    if (!walSyncFailed) {
      try {
        syncWal(); // the retired WALs oldest first, then the current one
        WalWriter current = writes.currentWal();
        if (current != null) {
          recordWalSynced(current); // writes are refused and drained: this is its end
        }
      } catch (StrataException e) {
        failure = e;
      }
    }
    List<WalWriter> toClose = new ArrayList<>(retiredWals);
    retiredWals.clear();
    retiredWalsSynced = 0;
    WalWriter current = writes.takeWal();
    if (current != null) {
      toClose.add(current);
    }
    for (WalWriter w : toClose) {
      try {
        w.closeUnsynced(); // synced above, unless a sync failed
      } catch (IOException e) {
        failure = closeFailure(failure, w, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private StrataException closeFailure(StrataException first, WalWriter w, IOException e) {
    fail(e);
    StrataException failure = new StrataException("closing WAL " + w.number() + " failed: " + e.getMessage(), e);
    if (first == null) {
      return failure;
    }
    first.addSuppressed(failure);
    return first;
  }

  /**
   * Releases everything the engine holds: the published state (files close once the last open
   * iterator lets go of them), the WAL and manifest handles, and the directory lock. A flush or
   * compaction still running (a close that ran out of time) changes nothing in the directory from
   * here on; one operation of it already under way is waited for a moment. Idempotent.
   */
  public synchronized void releaseResources() {
    if (released) {
      return;
    }
    released = true;
    if (!jobFence.close(JOB_FENCE_WAIT)) {
      log.warn("a flush or compaction of {} is stuck in a file operation; releasing the store anyway", dir);
    }
    writes.close();
    Exception failure = null;
    try {
      closeWal();
    } catch (RuntimeException e) {
      failure = e;
    }
    cell.close();
    try {
      manifestLog.close();
    } catch (IOException e) {
      failure = e;
    }
    try {
      lock.close();
    } catch (IOException e) {
      failure = e;
    }
    if (failure != null) {
      throw new StrataException("closing store " + dir + " failed: " + failure.getMessage(), failure);
    }
  }

  private static void closeQuietly(AutoCloseable c, Throwable into) {
    try {
      c.close();
    } catch (Exception e) {
      into.addSuppressed(e);
    }
  }
}
