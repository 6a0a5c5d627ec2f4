package dev.strata.engine;

import dev.strata.CompactionBeginInfo;
import dev.strata.CompactionFilter;
import dev.strata.CompactionInfo;
import dev.strata.CompactionOptions;
import dev.strata.FlushBeginInfo;
import dev.strata.FlushInfo;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.StrataStats;
import dev.strata.TableFileInfo;
import dev.strata.WriteBatch;
import dev.strata.WriteStallCause;
import dev.strata.manifest.ManifestRecord;
import dev.strata.memtable.Memtable;
import dev.strata.mvcc.SnapshotRegistry;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.SstFile;
import dev.strata.wal.WalWriter;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The writer actor's handle on its store: every operation that changes the store's shape
 * (freezing the memtable and starting a new one with its WAL, installing flushes and compactions,
 * syncing and closing the WALs, deleting obsolete files, entering the error state) is reachable
 * only through this object, and {@link StoreEngine#writerControl()} hands it out once, to the
 * writer. So the rule that the writer alone changes the store is held by the compiler, not by a
 * comment (LevelDB holds it with {@code EXCLUSIVE_LOCKS_REQUIRED(mutex_)} on DBImpl's
 * transitions), and {@code ArchitectureTest} fails if a class outside the engine other than the
 * writer actor names this one.
 *
 * <p>Thread-safety: none of its own: the writer actor serializes every call. {@link #writeSst}
 * and {@link #runCompaction} are the exception: the writer runs them on the blocking dispatcher,
 * and they touch no shared state.
 */
public final class WriterControl {
  /** A compaction of this many target SST sizes of input is split even when it reads no L0 file. */
  static final int SUBCOMPACTION_MIN_INPUT_TARGETS = 4;

  private final StrataOptions options;
  private final VersionSet versions;
  private final WalSet wals;
  private final WritePath writes;
  private final CallerSync callerSync;
  private final ErrorState errors;
  private final FileReleaser releaser;
  private final EngineStats counters;
  private final FlushJob flushJob;
  private final CompactionJob compactionJob;
  private final SnapshotRegistry snapshots;
  private final List<CompactionFilter> filters;
  private final Runnable releaseResources;
  private final StoreEvents events;
  private final Supplier<StrataStats> stats;
  /** The reason the last compaction begun was planned for, for the log line of compactionCompleted(info). */
  private String compactionReason;
  /** System.nanoTime() when L0 reached the slowdown trigger, or 0 while it is under it. */
  private long slowdownSince;

  WriterControl(StrataOptions options, VersionSet versions, WalSet wals, WritePath writes, CallerSync callerSync,
      ErrorState errors,
      FileReleaser releaser, EngineStats counters, SstWriter sstWriter, SnapshotRegistry snapshots,
      List<CompactionFilter> filters, Runnable releaseResources, StoreEvents events, Supplier<StrataStats> stats) {
    this.options = options;
    this.versions = versions;
    this.wals = wals;
    this.writes = writes;
    this.callerSync = callerSync;
    this.errors = errors;
    this.releaser = releaser;
    this.counters = counters;
    this.flushJob = new FlushJob(sstWriter);
    this.compactionJob = new CompactionJob(sstWriter);
    this.snapshots = snapshots;
    this.filters = filters;
    this.releaseResources = releaseResources;
    this.events = events;
    this.stats = stats;
  }

  // ---------------------------------------------------------------- what the writer decides on

  public StrataOptions options() {
    return options;
  }

  /** The published state (no reference taken; the writer alone replaces it). */
  public ReadState current() {
    return versions.current();
  }

  /** Whether another frozen memtable fits under the limit. */
  public boolean canRotate() {
    return versions.current().immutables().length < options.maxImmutableMemtables();
  }

  /** L0 holds the stop trigger's count of files, so flushes wait for compaction. */
  public boolean l0AtStopTrigger() {
    return compactsInBackground() && versions.current().l0().length >= options.compaction().level0StopWritesTrigger();
  }

  /** The cause of the read-only error state, or null. */
  public Throwable backgroundError() {
    return errors.cause();
  }

  /** Writes handed to the writer and not yet applied or abandoned. */
  public int queuedWrites() {
    return writes.queuedWrites();
  }

  // ---------------------------------------------------------------- queued writes

  /**
   * Applies a queued batch, or returns false while the store is still stalled (the batch then
   * stays queued). Queued batches were accepted before any close, so they apply even on a closing
   * store. With {@code syncWrites} the writer syncs the WAL before acknowledging.
   */
  public boolean applyQueued(WriteBatch batch, CommitCheck check) {
    return writes.applyQueued(batch, check);
  }

  /** A queued write failed and leaves the queue unapplied. */
  public void abandonQueued() {
    writes.abandonQueued();
  }

  /** Writes were held for {@code nanos}. */
  public void recordStall(long nanos) {
    counters.recordStall(nanos);
  }

  /** Writes began to wait at the writer for {@code cause}: logged and told to the listeners. */
  public void writeStallBegan(WriteStallCause cause) {
    events.writeStallBegin(cause);
  }

  /** The stall that began for {@code cause} is over after {@code nanos}: logged and told to the listeners. */
  public void writeStallEnded(WriteStallCause cause, long nanos) {
    events.writeStallEnd(cause, nanos);
  }

  /** Logs the one-line summary of the store (see {@code strata.stats-log-interval}). */
  public void logStats() {
    events.logStats(stats.get());
  }

  // ---------------------------------------------------------------- memtables and WALs

  /**
   * Freezes the mutable memtable and starts a new one with a new WAL; returns the frozen one. The
   * old WAL receives no more writes; it stays open, unsynced, until a sync needs it or its
   * memtable is flushed (see {@link WalSet}). With {@code syncWrites} a sync needs it at once:
   * synced writes committing into the new WAL wait for their callers' fsyncs, which cover only
   * that WAL, so the old one's tail is synced here (see {@link CallerSync}).
   */
  public Memtable rotate() {
    long number = versions.newFileNumber();
    WalWriter nextWal;
    try {
      nextWal = options.walEnabled() ? wals.create(number) : null;
    } catch (IOException e) {
      fail(e);
      throw new StrataException("starting a new memtable and WAL failed: " + e.getMessage(), e);
    }
    Memtable frozen = versions.current().mutable();
    WalWriter old;
    try {
      // The retired WAL's last sequence is in the manifest, synced, before the first write reaches
      // the new WAL (the commit lock holds writes off for that one fsync per rotation): however
      // the kernel orders its write-back, recovery can tell a WAL that lost its unsynced tail.
      old = writes.swap(new Memtable(number, options.memtableSizeBytes()), nextWal, (retiring, lastSequence) ->
          versions.logAndApply(new ManifestRecord.WalRetired(retiring.number(), lastSequence)));
    } catch (IOException e) {
      fail(e);
      if (nextWal != null) {
        StoreEngine.closeQuietly(nextWal::closeUnsynced, e); // empty; live in the manifest, which recovery allows
      }
      throw new StrataException("recording the retirement of the WAL in the manifest failed: " + e.getMessage(), e);
    }
    if (old != null) {
      wals.retire(old);
      if (options.syncWrites()) {
        try {
          wals.syncRetired(writes);
        } catch (StrataException e) {
          // Not this rotation's failure: the store is in its error state (logged there), the
          // waiting callers have it, and the frozen memtable is handed on as any other.
        }
      }
    }
    return frozen;
  }

  /**
   * Makes every acknowledged write durable: fsyncs the retired WALs not yet synced, oldest first,
   * then the current one. After a failed fsync it always throws (see {@link WalSet}).
   */
  public void syncWal() {
    wals.sync(writes);
  }

  /** The writer has stopped: synced writes' callers no longer wait for it (see {@link CallerSync}). */
  public void writerStopped() {
    callerSync.writerStopped();
  }

  /**
   * At close: syncs and closes every WAL, so every acknowledged write is durable. After a failed
   * fsync the WALs are closed without syncing; a failure now is thrown once every handle is closed.
   */
  public void closeWal() {
    wals.closeAll(writes);
  }

  /**
   * The writer's last act: releases everything the store holds, WALs synced and closed, files,
   * manifest and directory lock (see {@link StoreEngine#releaseResources()}). Idempotent.
   */
  public void releaseResources() {
    if (slowdownSince != 0) {
      // Writes are refused from here on: the slowdown is over with the store, and its listeners hear so.
      events.writeStallEnd(WriteStallCause.L0_SLOWDOWN, System.nanoTime() - slowdownSince);
      slowdownSince = 0;
    }
    releaseResources.run();
  }

  // ---------------------------------------------------------------- checkpoint

  /**
   * Captures the store as of now for a checkpoint into {@code target}, which the returned
   * {@link Checkpointer} writes on the blocking dispatcher: syncs the WALs (so the copied bytes are
   * complete), cuts the current one under the commit lock, pins the published state and holds WAL
   * deletions until {@link #checkpointFinished()}.
   */
  public Checkpointer checkpoint(java.nio.file.Path target) {
    if (options.walEnabled()) {
      syncWal();
    }
    WritePath.Cut cut = writes.cut();
    Checkpointer job = versions.checkpoint(target, cut.lastSequence(),
        wal -> wal == cut.walNumber() ? cut.walBytes() : wals.retiredSize(wal));
    wals.holdDeletions();
    return job;
  }

  /** A checkpoint's file work is over: the WALs discarded meanwhile may go. */
  public void checkpointFinished() {
    try {
      wals.releaseDeletions();
    } catch (IOException e) {
      // Only files nothing needs are left behind: the next open deletes them as orphans.
      throw new StrataException("deleting WALs flushed while a checkpoint ran failed: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- flush

  /** Builds the SST for a frozen memtable; runs on the blocking dispatcher, touches no shared state. */
  public SstFile writeSst(Memtable frozen) {
    return writeSst(List.of(frozen));
  }

  /** As {@link #writeSst(Memtable)} for the oldest frozen memtables, oldest first, merged into one SST. */
  public SstFile writeSst(List<Memtable> frozen) {
    counters.runningFlushes.incrementAndGet();
    try {
      return flushJob.run(frozen, counters.flushBytesWritten);
    } finally {
      counters.runningFlushes.decrementAndGet();
    }
  }

  /**
   * Installs a finished flush: the manifest records it, the new state is published, and the
   * memtable's WAL, now redundant, is deleted.
   */
  public void installFlush(Memtable flushed, SstFile file) {
    installFlush(List.of(flushed), file);
  }

  /** As {@link #installFlush(Memtable, SstFile)} for memtables flushed together; each one's WAL is deleted. */
  public void installFlush(List<Memtable> flushed, SstFile file) {
    versions.installFlush(flushed, file);
    events.tableFileCreated(new TableFileInfo(file.number(), file.fileSize(), TableFileInfo.Reason.FLUSH));
    updateSlowdown();
    try {
      if (options.walEnabled()) {
        for (Memtable m : flushed) {
          wals.discard(m.id());
        }
      }
      versions.maybeRollManifest(writes.lastSequence());
    } catch (IOException e) {
      fail(e);
      throw new StrataException("cleaning up after the flush of " + flushed + " failed: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- compaction

  /**
   * Plans the compaction the strategy wants now, or with {@code full} a compaction of every SST
   * into one sorted run at the bottom level (for {@code compact()}); null when there is nothing to do.
   */
  public CompactionPlan planCompaction(boolean full) {
    return versions.planCompaction(full, -1);
  }

  /**
   * As {@link #planCompaction(boolean)}; when the strategy wants nothing and {@code readTriggered}
   * names a file lookups asked to compact (see {@link WriterSignals#compactionWanted}), that file.
   */
  public CompactionPlan planCompaction(boolean full, long readTriggered) {
    return versions.planCompaction(full, readTriggered);
  }

  /**
   * The compaction the strategy wants now that may run beside {@code running} (planned here, not
   * yet installed; see {@link dev.strata.compaction.CompactionPicker#pick(dev.strata.compaction.LevelShape, List)}),
   * or null.
   */
  public CompactionPlan planCompactionBeside(List<CompactionPlan> running) {
    return versions.planCompaction(false, -1, running.stream().map(CompactionPlan::task).toList());
  }

  /**
   * Runs a planned compaction; on the blocking dispatcher, touching no shared state. An output for
   * L0 (a tiered merge of L0 files) is not split: each L0 file is one sorted run to the picker.
   */
  public List<SstFile> runCompaction(CompactionPlan plan) {
    return runCompaction(plan, Runnable::run, 1);
  }

  /**
   * How many threads {@code plan} should merge on when {@code free} threads of the blocking
   * dispatcher are left for compactions (the writer keeps one for flushes out of that count): up to
   * {@code maxSubcompactions} for a compaction worth splitting, 1 for any other. Worth splitting:
   * one that reads L0 (every L0 file spans about every key, so no other compaction can run beside
   * it), a full one, or one of at least {@link #SUBCOMPACTION_MIN_INPUT_TARGETS} target SST sizes;
   * never a trivial move, nor one whose output goes to L0 (a single L0 output must stay one file).
   */
  public int compactionThreads(CompactionPlan plan, int free) {
    int most = Math.min(options.maxSubcompactions(), Math.max(1, free));
    if (most == 1 || plan.trivialMove() || plan.outputLevel() == 0) {
      return 1;
    }
    boolean readsL0 = plan.inputLevels().contains(0);
    boolean large = plan.task().inputBytes() >= SUBCOMPACTION_MIN_INPUT_TARGETS * options.targetSstSizeBytes();
    return readsL0 || plan.full() || large ? most : 1;
  }

  /**
   * Runs {@code plan}, split into up to {@code threads} key ranges merged at once (the calling
   * thread and helper tasks on {@code helpers}; see {@link Subcompactions}) when {@code threads}
   * is above 1. The outputs are installed as one compaction's, whichever way it ran.
   */
  public List<SstFile> runCompaction(CompactionPlan plan, Executor helpers, int threads) {
    if (plan.trivialMove()) {
      return plan.inputs();
    }
    long target = plan.outputLevel() == 0 ? Long.MAX_VALUE : options.targetSstSizeBytes();
    // The filters first, then the horizon: every reader the horizon leaves out began after every
    // filter the job runs was added. Taken as the job starts: a snapshot opened later reads at or
    // above the watermark, so it loses no version (filters: see CompactionJob).
    List<CompactionFilter> active = List.copyOf(filters);
    SnapshotRegistry.Horizon horizon = snapshots.horizon();
    counters.runningCompactions.incrementAndGet();
    try {
      CompactionJob.Spec spec = new CompactionJob.Spec(plan.inputs(), plan.inputLevels(), plan.task().bottommost(),
          horizon.watermark(), horizon.newestOpen(), active, target, plan.cancelled()::get, plan.outputLevel());
      List<byte[]> splits = threads > 1 ? SubcompactionRanges.splitKeys(plan.inputs(), threads) : List.of();
      if (splits.isEmpty()) {
        return compactionJob.run(spec, counters.compactionBytesWritten);
      }
      return new Subcompactions(compactionJob, spec, splits, counters.compactionBytesWritten).run(helpers, threads);
    } finally {
      counters.runningCompactions.decrementAndGet();
    }
  }

  /**
   * Installs a finished compaction: one manifest record, one new published state; the inputs are
   * deleted once the last reader of them lets go (a moved file is not deleted).
   */
  public void installCompaction(CompactionPlan plan, List<SstFile> outputs) {
    versions.installCompaction(plan, outputs);
    if (!plan.trivialMove()) {
      for (SstFile f : outputs) {
        events.tableFileCreated(new TableFileInfo(f.number(), f.fileSize(), TableFileInfo.Reason.COMPACTION));
      }
    }
    updateSlowdown();
    deleteObsoleteFiles(); // the inputs no reader held were released just now, on this thread
    try {
      versions.maybeRollManifest(writes.lastSequence());
    } catch (IOException e) {
      fail(e);
      throw new StrataException("rolling the manifest failed: " + e.getMessage(), e);
    }
  }

  /** Logs a flush about to start and tells the listeners, on their own thread (see {@link ListenerEvents}). */
  public void flushBegin(List<Memtable> frozen) {
    long entries = 0;
    long bytes = 0;
    for (Memtable m : frozen) {
      entries += m.entryCount();
      bytes += m.approximateBytes();
    }
    events.flushBegin(new FlushBeginInfo(frozen.get(0).id(), entries, bytes));
  }

  /** Logs an installed flush and tells the listeners, on their own thread (see {@link ListenerEvents}). */
  public void flushCompleted(FlushInfo info) {
    events.flushCompleted(info);
  }

  /** Logs a compaction about to start and tells the listeners, on their own thread. */
  public void compactionBegin(CompactionPlan plan) {
    compactionReason = plan.task().reason();
    events.compactionBegin(new CompactionBeginInfo(plan.inputs().stream().map(SstFile::number).toList(),
        plan.inputLevels(), plan.outputLevel(), plan.inputs().stream().mapToLong(SstFile::fileSize).sum(),
        plan.task().reason(), plan.trivialMove()));
  }

  /** Logs an installed compaction and tells the listeners, on their own thread. */
  public void compactionCompleted(CompactionInfo info) {
    events.compactionCompleted(info, compactionReason);
  }

  /** As {@link #compactionCompleted(CompactionInfo)}, for a compaction planned for {@code reason}. */
  public void compactionCompleted(CompactionInfo info, String reason) {
    events.compactionCompleted(info, reason);
  }

  /** A planned compaction that will not be installed lets go of its inputs. */
  public void abandonCompaction(CompactionPlan plan) {
    versions.abandonCompaction(plan);
  }

  // ---------------------------------------------------------------- files and errors

  /**
   * Deletes the SSTs compactions made obsolete whose last reader has let go since the last call
   * (see {@link WriterSignals#obsoleteFilesReleased}); returns how many.
   */
  public int deleteObsoleteFiles() {
    return releaser.deleteObsolete();
  }

  /** Puts the store into its read-only error state, until reopen. */
  public void fail(Throwable cause) {
    errors.fail(cause);
  }

  /**
   * A flush or compaction failed without losing anything, for a reason that may go away (the
   * device was full); the store is read-only until a retry of the work succeeds. Returns whether
   * the store is now in that recoverable state: false when it already is in the hard one, which
   * nothing but a reopen clears.
   */
  public boolean failRecoverable(Throwable cause) {
    return errors.failRecoverable(cause);
  }

  /** A retry succeeded; leaves a recoverable error state (returns whether it did). */
  public boolean recover() {
    return errors.recover();
  }

  /** Whether the store is in its error state for a reason that a retry may clear. */
  public boolean errorIsRecoverable() {
    return errors.isRecoverable();
  }

  /** Whether compaction runs on its own: false with {@code CompactionOptions.none()}. */
  private boolean compactsInBackground() {
    return options.compaction().strategy() != CompactionOptions.Strategy.NONE;
  }

  /** Past the slowdown trigger, writes lose their fast path; recomputed after each L0 change. */
  void updateSlowdown() {
    boolean on = compactsInBackground()
        && versions.current().l0().length >= options.compaction().level0SlowdownWritesTrigger();
    writes.slowdown(on);
    if (on && slowdownSince == 0) {
      slowdownSince = System.nanoTime();
      events.writeStallBegin(WriteStallCause.L0_SLOWDOWN);
    } else if (!on && slowdownSince != 0) {
      events.writeStallEnd(WriteStallCause.L0_SLOWDOWN, System.nanoTime() - slowdownSince);
      slowdownSince = 0;
    }
  }
}
