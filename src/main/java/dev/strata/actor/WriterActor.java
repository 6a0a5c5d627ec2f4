package dev.strata.actor;

import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.strata.CompactionInfo;
import dev.strata.FlushInfo;
import dev.strata.StrataException;
import dev.strata.WriteBatch;
import dev.strata.WriteStallCause;
import dev.strata.engine.Checkpointer;
import dev.strata.engine.CommitCheck;
import dev.strata.engine.CompactionCancelledException;
import dev.strata.engine.CompactionPlan;
import dev.strata.engine.WriterControl;
import dev.strata.fs.IoFailures;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.SstFile;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single owner of every state transition of one store: it decides when the memtable freezes
 * and a new one starts, runs flushes one at a time (oldest frozen memtables first, {@code
 * memtablesPerFlush} of them into one SST, fewer when a flush is asked for) on the blocking
 * dispatcher, installs their results, and publishes each new read state. Its mailbox is the queue
 * of writes that could not take the fast path: while the store is stalled they wait here, in
 * arrival order, and apply as soon as a flush makes room.
 *
 * <p><b>Compaction.</b> After every flush and every compaction the writer asks the strategy's
 * picker for the next task and runs it on the blocking dispatcher; {@code compact()} requests go
 * first, alone. Up to {@code maxCompactions} run at once, each picked beside the running ones (no
 * shared file, no key range of a level written by two), and each result is installed here. A
 * compaction worth splitting (one reading L0, a full one, a large one) takes up to
 * {@code maxSubcompactions} of those {@code maxCompactions} threads and merges that many key
 * ranges at once; its parts' outputs are installed together, as one compaction's. Write
 * stalls follow from L0: past the slowdown trigger writes lose their fast path (the engine refuses
 * it) and come through here one by one; at the stop trigger flushes wait for the running
 * compactions, so the frozen memtables fill and writes wait in the mailbox until a compaction's
 * result is installed. Held, never dropped or failed; the time shows in stats.
 *
 * <p><b>Group commit.</b> With {@code syncWrites}, a synchronous write that takes the fast path
 * is synced on its caller's thread, in groups the callers lead themselves
 * ({@code dev.strata.engine.CallerSync}); the writer's part there is to sync a WAL's tail when it
 * retires it. Every other synced write (one queued behind a stall, a {@code writeAsync}, any with
 * the WAL off) comes through the mailbox. The writer applies it (WAL append and memtable insert), holds its acknowledgement, and sends itself
 * a {@link SyncNow} if none is on its way. That message queues behind every write already in the
 * mailbox, so when it arrives one fsync covers all of them, and writes that arrive while an fsync
 * runs share the next one. If, when it arrives, more writes have been handed to the writer but
 * not applied yet, it goes to the back of the mailbox once more (up to a bound on the group),
 * so that they join the group instead of waiting for the next fsync.
 *
 * <p><b>Errors.</b> A failed flush or compaction puts the store in its read-only error state. When
 * the device was full, nothing was lost, and the state is recoverable (RocksDB's automatic recovery
 * from a no-space background error, a hard error that clears itself): the writer retries the work
 * after a back-off, {@value #FIRST_RETRY_MILLIS} ms doubling up to {@value #MAX_RETRY_MILLIS} ms, on
 * its timers (never by sleeping), for as long as the device stays full, and the store accepts
 * writes again once a retry is installed. Meanwhile writes fail fast, as in any error state: a
 * write that waited could wait for as long as the device stays full. Any other error, and one that
 * may have lost data (a WAL append or sync, a manifest write), stays until the store is reopened.
 *
 * <p>Replies are {@link CompletableFuture}s rather than actor refs: the callers are plain threads
 * outside the actor system (a synchronous {@code put} or {@code flush}), their waits have no
 * natural timeout, and a future spares a temporary ask actor per call. The writer completes them
 * on its own thread, so a future it completes must never carry user code: callers that hand one to
 * users ({@code writeAsync}) complete the user's stage on another executor.
 *
 * <p><b>Stopping.</b> Once {@link Close} arrives, requests that need a live store ({@link Flush},
 * {@link Compact}, {@link AwaitIdle}) fail with {@code IllegalStateException("store is closed")},
 * a {@link SyncWal} is answered by the close's own sync, and a running compaction, full or not, is
 * cancelled. Whenever the writer stops (after a close, an {@link Abort}, or a failure), every
 * future it still holds fails with that exception before the stop hook runs: no caller is left
 * waiting on a writer that is gone. After a {@link Close} or an {@link Abort} the writer releases
 * the store's resources (WALs, files, manifest, directory lock) as its last act; stopped unasked,
 * it puts the store into its error state and leaves the release to {@code close()}.
 */
public final class WriterActor extends AbstractBehavior<WriterActor.Command> {
  private static final Logger log = LoggerFactory.getLogger(WriterActor.class);

  /** The writer's protocol. */
  public sealed interface Command
      permits MemtableFull, Write, Flush, SyncWal, Compact, AwaitIdle, Close, Abort, FlushCompleted, FlushFailed,
          SyncNow, CompactionFinished, CompactionWanted, RetryBackgroundWork, ObsoleteFilesReleased, Checkpoint,
          CheckpointFinished, LogStats {}

  /** The memtable reached its size limit: freeze it when there is room. */
  public record MemtableFull(Memtable memtable) implements Command {}

  /** A write that could not take the fast path; {@code check}, when not null, is verified as it commits. */
  public record Write(WriteBatch batch, CommitCheck check, CompletableFuture<Void> done) implements Command {
    public Write(WriteBatch batch, CompletableFuture<Void> done) {
      this(batch, null, done);
    }
  }

  /**
   * Lookups keep consulting this SST in vain on their way to a deeper one: compact it when the
   * strategy has nothing more pressing (LevelDB's seek-triggered compaction).
   */
  public record CompactionWanted(long fileNumber) implements Command {}

  /**
   * SSTs a compaction made obsolete were let go by their last reader: delete them here, not on
   * the reader's thread.
   */
  public enum ObsoleteFilesReleased implements Command { INSTANCE }

  /** Freeze the current memtable and flush every memtable; complete when they are all SSTs. */
  public record Flush(CompletableFuture<Void> done) implements Command {}

  /**
   * Compact every SST into one sorted run at the bottom level (tombstones gone); complete when the
   * result is installed. The caller flushes first if memtables should be included.
   */
  public record Compact(CompletableFuture<Void> done) implements Command {}

  /**
   * Write an openable copy of the store as of this message into {@code target}, a directory that
   * must not exist: the writer captures the store's shape and the WALs' lengths here, and the
   * files are linked and copied on the blocking dispatcher, which completes {@code done}.
   */
  public record Checkpoint(java.nio.file.Path target, CompletableFuture<Void> done) implements Command {}

  /** A checkpoint's file work is over (done or failed): the WALs it held may be deleted. */
  private enum CheckpointFinished implements Command { INSTANCE }

  /** Complete once no flush or compaction runs or is due. */
  public record AwaitIdle(CompletableFuture<Void> done) implements Command {}

  /** Make every acknowledged write durable: fsync the WAL (with the WAL off: flush every memtable). */
  public record SyncWal(CompletableFuture<Void> done) implements Command {}

  /**
   * Apply queued writes and finish the running flush; then, with the WAL on, sync and close it
   * (recovery replays it), or with the WAL off, flush every memtable; then release the store's
   * files, manifest and directory lock (the writer's last act), answer, and stop.
   */
  public record Close(CompletableFuture<Void> done) implements Command {}

  /**
   * Stop now, whatever is still running or queued: a close ran out of time. Everything waiting
   * here fails with {@code IllegalStateException("store is closed")}; a running flush or
   * compaction finishes (or notices its cancellation) on its own, and its result is let go.
   */
  public enum Abort implements Command { INSTANCE }

  private record FlushCompleted(List<Memtable> memtables, SstFile file) implements Command {}

  private record FlushFailed(List<Memtable> memtables, Throwable cause) implements Command {}

  private enum SyncNow implements Command { INSTANCE }

  /** Time for the periodic stats line (strata.stats-log-interval), on the writer's own timer. */
  private enum LogStats implements Command { INSTANCE }

  /** The back-off after a recoverable background error is over: retry the work that failed. */
  private enum RetryBackgroundWork implements Command { INSTANCE }

  private record CompactionFinished(CompactionPlan plan, List<SstFile> outputs, Throwable failure)
      implements Command {}

  private record FlushWaiter(long memtableId, CompletableFuture<Void> done) {}

  private static final long FIRST_RETRY_MILLIS = 100;
  private static final long MAX_RETRY_MILLIS = 5_000;

  /** The writer's handle on the store, through which alone its shape changes. */
  private final WriterControl control;
  private final Executor blocking;
  private final TimerScheduler<Command> timers;
  /** The back-off before the next retry of background work that found the device full. */
  private Duration retryDelay = Duration.ofMillis(FIRST_RETRY_MILLIS);
  /** The running flush, or compaction, retries work that failed recoverably: its success ends the error. */
  private boolean flushIsRetry;
  /** A full compaction (compact()) failed recoverably: the retry is a full compaction too. */
  private boolean retryFullCompaction;
  /** Runs once the writer has stopped and failed everything it held. */
  private final Runnable onStop;
  /** The running flush's job, so that a writer stopping under it can close the file it writes. */
  private CompletableFuture<SstFile> flushJob;
  private final ArrayDeque<Write> queue = new ArrayDeque<>();
  private final List<FlushWaiter> flushWaiters = new ArrayList<>();
  /** Applied synced writes whose acknowledgement waits for the next fsync. */
  private final List<CompletableFuture<Void>> awaitingSync = new ArrayList<>();
  private boolean syncScheduled;
  /**
   * The compactions running on the blocking dispatcher, oldest first: at most
   * {@link #maxCompactions}, and more than one only when the strategy picked each beside the
   * others (disjoint files and key ranges; see CompactionPicker#pick(LevelShape, List)).
   */
  private final List<RunningCompaction> running = new ArrayList<>();
  /** The most compactions that run at once; 1 keeps the blocking dispatcher's other threads for flushes. */
  private final int maxCompactions;
  /** compact() requests waiting for the next full compaction to start. */
  private final List<CompletableFuture<Void>> compactRequests = new ArrayList<>();
  /** compact() requests answered when the running compaction is installed. */
  private final List<CompletableFuture<Void>> compacting = new ArrayList<>();
  /** waitForCompactions() calls, answered when no flush or compaction runs or is due. */
  private final List<CompletableFuture<Void>> idleWaiters = new ArrayList<>();
  /** A group of synced writes stops growing at this size, so that its fsync is never put off for long. */
  private static final int MAX_SYNC_GROUP = 1024;
  private boolean flushRunning;
  /** System.nanoTime() when the running flush started, for its listeners' duration. */
  private long flushStarted;
  /** Checkpoints whose file work runs on the blocking dispatcher; a close waits for them. */
  private int checkpointsRunning;
  /** SSTs lookups asked to compact (CompactionWanted), oldest request first. */
  private final Set<Long> readTriggered = new LinkedHashSet<>();
  /** Freeze the mutable memtable as soon as the frozen-memtable limit allows. */
  private boolean rotateWanted;
  private CompletableFuture<Void> closeRequest;
  /** A close ran out of time and stopped the writer where it was ({@link Abort}). */
  private boolean aborted;
  private long stallStartNanos;
  /** Why the writes queued here wait, while {@link #stallStartNanos} is set. */
  private WriteStallCause stallCause;

  /** The writer of the store that {@code control} controls (see StoreEngine#writerControl), running jobs on {@code blocking}. */
  public static Behavior<Command> create(WriterControl control, Executor blocking) {
    return create(control, blocking, () -> {});
  }

  /** As {@link #create(WriterControl, Executor)}; {@code onStop} runs on the writer's thread once it stopped. */
  public static Behavior<Command> create(WriterControl control, Executor blocking, Runnable onStop) {
    return create(control, blocking, 1, onStop);
  }

  /**
   * As {@link #create(WriterControl, Executor, Runnable)}, running up to {@code maxCompactions}
   * background compactions at once when the strategy finds tasks that can run side by side.
   */
  public static Behavior<Command> create(WriterControl control, Executor blocking, int maxCompactions,
      Runnable onStop) {
    if (maxCompactions < 1) {
      throw new IllegalArgumentException("maxCompactions must be at least 1: " + maxCompactions);
    }
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new WriterActor(ctx, timers, control, blocking, maxCompactions, onStop)));
  }

  private WriterActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, WriterControl control,
      Executor blocking, int maxCompactions, Runnable onStop) {
    super(ctx);
    this.control = control;
    this.blocking = blocking;
    this.maxCompactions = maxCompactions;
    this.timers = timers;
    this.onStop = onStop;
    Duration statsInterval = control.options().statsLogInterval();
    if (!statsInterval.isZero()) {
      timers.startTimerWithFixedDelay(LogStats.INSTANCE, LogStats.INSTANCE, statsInterval);
    }
    startCompaction(); // a recovered tree may already be out of its strategy's bounds
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(MemtableFull.class, this::onMemtableFull)
        .onMessage(Write.class, this::onWrite)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(SyncWal.class, this::onSyncWal)
        .onMessage(SyncNow.class, msg -> onSyncNow())
        .onMessage(Compact.class, this::onCompact)
        .onMessage(AwaitIdle.class, msg -> {
          if (refuseWhileClosing(msg.done())) {
            return this;
          }
          idleWaiters.add(msg.done());
          startFlush(); // frozen memtables waiting for company are due now
          return settle();
        })
        .onMessage(CompactionFinished.class, this::onCompactionFinished)
        .onMessage(CompactionWanted.class, msg -> {
          readTriggered.add(msg.fileNumber());
          startCompaction();
          return settle();
        })
        .onMessage(ObsoleteFilesReleased.class, msg -> {
          control.deleteObsoleteFiles();
          return this;
        })
        .onMessage(Checkpoint.class, this::onCheckpoint)
        .onMessage(CheckpointFinished.class, msg -> {
          checkpointsRunning--;
          control.checkpointFinished();
          return settle();
        })
        .onMessage(Close.class, this::onClose)
        .onMessage(Abort.class, msg -> {
          aborted = true;
          return Behaviors.stopped();
        })
        .onSignal(PostStop.class, signal -> onPostStop())
        .onMessage(FlushCompleted.class, this::onFlushCompleted)
        .onMessage(FlushFailed.class, this::onFlushFailed)
        .onMessage(RetryBackgroundWork.class, msg -> onRetryBackgroundWork())
        .onMessage(LogStats.class, msg -> {
          control.logStats();
          return this;
        })
        .build();
  }

  private Behavior<Command> onMemtableFull(MemtableFull msg) {
    if (control.current().mutable() == msg.memtable()) {
      rotateWanted = true;
      rotateIfRoom();
    }
    return settle();
  }

  private Behavior<Command> onWrite(Write w) {
    queue.add(w);
    drainQueue();
    return settle();
  }

  private Behavior<Command> onFlush(Flush msg) {
    if (refuseWhileClosing(msg.done())) {
      return this;
    }
    ReadState s = control.current();
    if (!s.mutable().isEmpty()) {
      flushWaiters.add(new FlushWaiter(s.mutable().id(), msg.done()));
      rotateWanted = true;
      rotateIfRoom();
    } else if (s.immutables().length > 0) {
      flushWaiters.add(new FlushWaiter(s.immutables()[0].id(), msg.done()));
      startFlush(); // frozen memtables waiting for company are due now
    } else {
      msg.done().complete(null);
    }
    return settle();
  }

  private Behavior<Command> onSyncWal(SyncWal msg) {
    if (closeRequest != null) {
      // The close makes every acknowledged write durable (syncs the WAL, or flushes every
      // memtable) and answers this with it.
      awaitingSync.add(msg.done());
      return settle();
    }
    if (!control.options().walEnabled()) {
      return onFlush(new Flush(msg.done()));
    }
    try {
      control.syncWal();
      completeAwaitingSync(null);
      msg.done().complete(null);
    } catch (RuntimeException e) {
      completeAwaitingSync(e);
      msg.done().completeExceptionally(e);
    }
    return settle();
  }

  private Behavior<Command> onSyncNow() {
    if (control.queuedWrites() > 0 && queue.isEmpty() && awaitingSync.size() < MAX_SYNC_GROUP) {
      // Writes are on their way into the mailbox (queued, not yet applied): let them join.
      getContext().getSelf().tell(SyncNow.INSTANCE);
      return this;
    }
    syncScheduled = false;
    if (!awaitingSync.isEmpty()) {
      try {
        control.syncWal();
        completeAwaitingSync(null);
      } catch (RuntimeException e) {
        completeAwaitingSync(e);
      }
    }
    return settle();
  }

  private void completeAwaitingSync(RuntimeException failure) {
    for (CompletableFuture<Void> done : awaitingSync) {
      if (failure == null) {
        done.complete(null);
      } else {
        done.completeExceptionally(failure);
      }
    }
    awaitingSync.clear();
  }

  private void acknowledge(Write w) {
    if (control.options().syncWrites()) {
      awaitingSync.add(w.done());
      if (!syncScheduled) {
        syncScheduled = true;
        getContext().getSelf().tell(SyncNow.INSTANCE);
      }
    } else {
      w.done().complete(null);
    }
  }

  private Behavior<Command> onCompact(Compact msg) {
    if (refuseWhileClosing(msg.done())) {
      return this;
    }
    compactRequests.add(msg.done());
    startCompaction();
    return settle();
  }

  /**
   * Starts the next compaction when none runs: a full one when {@code compact()} calls wait, else
   * whatever the strategy picks. Then, up to {@link #maxCompactions}, more that the strategy picks
   * beside the running ones (never beside a full compaction, nor while a full one waits to start).
   * Runs after every flush and every compaction, so the tree is brought back within its bounds.
   * None starts while closing, or in the error state.
   */
  private void startCompaction() {
    if (control.backgroundError() != null) {
      return;
    }
    if (running.isEmpty()) {
      startFirstCompaction();
    }
    while (!running.isEmpty() && compactionThreadsInUse() < maxCompactions && compactRequests.isEmpty()
        && closeRequest == null && !running.get(0).plan().full() && control.backgroundError() == null) {
      CompactionPlan plan;
      try {
        plan = control.planCompactionBeside(running.stream().map(RunningCompaction::plan).toList());
      } catch (RuntimeException e) {
        control.fail(e);
        return;
      }
      if (plan == null) {
        return;
      }
      launchCompaction(plan, false);
    }
  }

  /** Starts a full compaction for waiting compact() calls, else what the strategy wants, else a read-triggered one. */
  private void startFirstCompaction() {
    CompactionPlan plan;
    try {
      if (!compactRequests.isEmpty()) {
        compacting.addAll(compactRequests);
        compactRequests.clear();
        plan = control.planCompaction(true);
        if (plan == null) {
          compacting.forEach(done -> done.complete(null));
          compacting.clear();
        }
      } else {
        plan = null;
      }
      if (plan == null && closeRequest == null) {
        plan = control.planCompaction(false);
        // Only when the strategy wants nothing: each request in turn, dropped once served or
        // no longer wanted (the file is gone, or the strategy declines it).
        Iterator<Long> requests = readTriggered.iterator();
        while (plan == null && requests.hasNext()) {
          long file = requests.next();
          requests.remove();
          plan = control.planCompaction(false, file);
        }
      }
    } catch (RuntimeException e) {
      control.fail(e);
      return;
    }
    if (plan == null) {
      return;
    }
    launchCompaction(plan, false);
  }

  /**
   * A compaction on the blocking dispatcher: its plan, its job (so that a writer stopping under it
   * can let its inputs go), System.nanoTime() when it started (its listeners' duration), and
   * whether it retries work that failed recoverably (its success ends the error).
   */
  private record RunningCompaction(CompactionPlan plan, CompletableFuture<List<SstFile>> job, long startedNanos,
      boolean retry, int threads) {}

  /**
   * Blocking threads the running compactions hold: one each, and a split one (sub-compactions)
   * as many as it was given. Never above {@link #maxCompactions}, so a flush always finds a thread.
   */
  private int compactionThreadsInUse() {
    int sum = 0;
    for (RunningCompaction r : running) {
      sum += r.threads();
    }
    return sum;
  }

  private void launchCompaction(CompactionPlan plan, boolean retry) {
    long started = System.nanoTime();
    control.compactionBegin(plan);
    CompactionPlan job = plan;
    int threads = control.compactionThreads(plan, maxCompactions - compactionThreadsInUse());
    CompletableFuture<List<SstFile>> outputs =
        CompletableFuture.supplyAsync(() -> control.runCompaction(job, blocking, threads), blocking);
    running.add(new RunningCompaction(plan, outputs, started, retry, threads));
    getContext().pipeToSelf(outputs, (files, err) ->
        new CompactionFinished(job, files, err == null ? null : unwrap(err)));
  }

  private Behavior<Command> onCompactionFinished(CompactionFinished msg) {
    RunningCompaction finished = null;
    for (Iterator<RunningCompaction> it = running.iterator(); it.hasNext(); ) {
      RunningCompaction r = it.next();
      if (r.plan() == msg.plan()) {
        finished = r;
        it.remove();
      }
    }
    if (finished == null) {
      throw new IllegalStateException("a compaction finished that the writer did not run: " + msg.plan().task());
    }
    boolean retry = finished.retry();
    RuntimeException failure = null;
    if (msg.failure() instanceof CompactionCancelledException) {
      control.abandonCompaction(msg.plan());
      if (closeRequest != null) {
        failure = closed("the full compaction was cancelled by close()");
      }
    } else if (msg.failure() != null) {
      control.abandonCompaction(msg.plan());
      retryFullCompaction |= msg.plan().full();
      backgroundWorkFailed(msg.failure());
      failure = msg.failure() instanceof RuntimeException re ? re
          : new StrataException("compaction failed: " + msg.failure().getMessage(), msg.failure());
    } else {
      try {
        control.installCompaction(msg.plan(), msg.outputs());
        control.compactionCompleted(compactionInfo(msg.plan(), msg.outputs(), finished.startedNanos()),
            msg.plan().task().reason());
        if (retry) {
          recovered();
        }
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    if (msg.plan().full()) {
      for (CompletableFuture<Void> done : compacting) {
        if (failure == null) {
          done.complete(null);
        } else {
          done.completeExceptionally(failure);
        }
      }
      compacting.clear();
    }
    // Pick the next compaction first: while one runs, a flush at the L0 stop trigger stays held,
    // so L0 never passes the trigger. Then flushes held back may go (L0 may have dropped under
    // it), and after them the writes waiting for room.
    startCompaction();
    rotateIfRoom();
    drainQueue();
    return settle();
  }

  /** What the listeners hear of an installed compaction; a trivial move reads and writes nothing. */
  private CompactionInfo compactionInfo(CompactionPlan plan, List<SstFile> outputs, long startedNanos) {
    boolean moved = plan.trivialMove();
    long read = moved ? 0 : plan.inputs().stream().mapToLong(SstFile::fileSize).sum();
    long written = moved ? 0 : outputs.stream().mapToLong(SstFile::fileSize).sum();
    return new CompactionInfo(plan.inputs().stream().map(SstFile::number).toList(), plan.inputLevels(),
        outputs.stream().map(SstFile::number).toList(), plan.outputLevel(), read, written,
        Duration.ofNanos(System.nanoTime() - startedNanos), moved);
  }

  /**
   * Captures the store for a checkpoint here, where its shape cannot change, and leaves the file
   * work to the blocking dispatcher, whose thread answers the caller (never this one).
   */
  private Behavior<Command> onCheckpoint(Checkpoint msg) {
    if (refuseWhileClosing(msg.done())) {
      return this;
    }
    Checkpointer job;
    try {
      job = control.checkpoint(msg.target());
    } catch (RuntimeException e) {
      msg.done().completeExceptionally(e);
      return settle();
    }
    CompletableFuture<Void> files;
    try {
      files = CompletableFuture.runAsync(job::run, blocking);
    } catch (RuntimeException e) { // the dispatcher refused the job: the system is shutting down
      job.abandon();
      control.checkpointFinished();
      msg.done().completeExceptionally(e);
      return settle();
    }
    checkpointsRunning++;
    files.whenComplete((ignored, err) -> {
      if (err == null) {
        msg.done().complete(null);
      } else {
        msg.done().completeExceptionally(unwrap(err));
      }
    });
    getContext().pipeToSelf(files, (ignored, err) -> CheckpointFinished.INSTANCE);
    return settle();
  }

  private Behavior<Command> onClose(Close msg) {
    closeRequest = msg.done();
    // A background compaction can wait for the next open, and a full one (compact()) would hold
    // the close for as long as it takes: the compact() call fails instead.
    running.forEach(r -> r.plan().cancel());
    compactRequests.forEach(done -> done.completeExceptionally(closed("compact() was not started before close()")));
    compactRequests.clear();
    return settle();
  }

  /** Fails {@code done} when the store is closing; true if it did. */
  private boolean refuseWhileClosing(CompletableFuture<Void> done) {
    if (closeRequest == null) {
      return false;
    }
    done.completeExceptionally(closed(null));
    return true;
  }

  private static IllegalStateException closed(String detail) {
    return new IllegalStateException(detail == null ? "store is closed" : "store is closed: " + detail);
  }

  /**
   * The writer stopped (closed, aborted, or failed): nothing that waits here can be answered any
   * more, so everything fails with the exception of a closed store. A compaction still running
   * lets go of its inputs, and of its outputs (orphans that recovery deletes), when it ends.
   */
  private Behavior<Command> onPostStop() {
    IllegalStateException failure = closed(null);
    if (closeRequest != null) {
      closeRequest.completeExceptionally(failure); // no-op after an orderly close
    }
    for (Write w : queue) {
      control.abandonQueued();
      w.done().completeExceptionally(failure);
    }
    queue.clear();
    flushWaiters.forEach(w -> w.done().completeExceptionally(failure));
    flushWaiters.clear();
    compactRequests.forEach(done -> done.completeExceptionally(failure));
    compactRequests.clear();
    compacting.forEach(done -> done.completeExceptionally(failure));
    compacting.clear();
    idleWaiters.forEach(done -> done.completeExceptionally(failure));
    idleWaiters.clear();
    completeAwaitingSync(failure);
    for (RunningCompaction r : running) {
      CompactionPlan plan = r.plan();
      plan.cancel();
      r.job().whenComplete((outputs, err) -> {
        control.abandonCompaction(plan);
        if (outputs != null && !plan.trivialMove()) {
          outputs.forEach(WriterActor::closeReader);
        }
      });
    }
    running.clear();
    if (flushRunning) {
      // Its SST is an orphan, which the next open deletes; only its handle is left to close here.
      flushJob.thenAccept(WriterActor::closeReader);
    }
    if (closeRequest != null || aborted) {
      // After an orderly close this is done already; after an abort, this is the writer's last act.
      RuntimeException releaseFailure = releaseResources(null);
      if (releaseFailure != null) {
        log.warn("releasing the store after its writer was stopped failed", releaseFailure);
      }
    } else {
      // Stopped unasked: nothing would freeze, flush or take queued writes any more. The store
      // stays readable; writes fail fast from here, and close() releases it.
      control.fail(new StrataException("the writer actor stopped unexpectedly"));
    }
    control.writerStopped(); // synced writes' callers that need the writer stop waiting for it
    onStop.run();
    return this;
  }

  /**
   * Releases the store's resources (its WALs, files, manifest and directory lock) as the writer's
   * last act, rather than leaving it to the closing thread; returns {@code failure} with a failure
   * of the release added (as itself when {@code failure} is null).
   */
  private RuntimeException releaseResources(RuntimeException failure) {
    try {
      control.releaseResources();
      return failure;
    } catch (RuntimeException e) {
      if (failure == null) {
        return e;
      }
      failure.addSuppressed(e);
      return failure;
    }
  }

  private static void closeReader(SstFile file) {
    try {
      file.reader().close();
    } catch (IOException | RuntimeException e) {
      log.warn("closing {}, written by a flush or compaction the stopped writer abandoned, failed", file, e);
    }
  }

  private Behavior<Command> onFlushCompleted(FlushCompleted msg) {
    flushRunning = false;
    boolean retry = flushIsRetry;
    try {
      control.installFlush(msg.memtables(), msg.file());
    } catch (RuntimeException e) {
      return onFlushFailed(new FlushFailed(msg.memtables(), e));
    }
    flushIsRetry = false;
    SstFile file = msg.file();
    control.flushCompleted(new FlushInfo(file.number(), 0, file.properties().entryCount(), file.fileSize(),
        Duration.ofNanos(System.nanoTime() - flushStarted)));
    if (retry) {
      recovered();
    }
    rotateIfRoom();
    drainQueue();
    completeFlushWaiters();
    startCompaction();
    return settle();
  }

  private Behavior<Command> onFlushFailed(FlushFailed msg) {
    flushRunning = false;
    flushIsRetry = false;
    backgroundWorkFailed(msg.cause());
    return settle();
  }

  /**
   * A flush or compaction failed. Its inputs are intact, so when the device was full the error is
   * recoverable and the work is retried after the back-off; any other failure stays until reopen.
   */
  private void backgroundWorkFailed(Throwable cause) {
    if (IoFailures.isNoSpace(cause) && control.failRecoverable(cause)) {
      timers.startSingleTimer(RetryBackgroundWork.INSTANCE, RetryBackgroundWork.INSTANCE, retryDelay);
      retryDelay = retryDelay.multipliedBy(2);
      if (retryDelay.toMillis() > MAX_RETRY_MILLIS) {
        retryDelay = Duration.ofMillis(MAX_RETRY_MILLIS);
      }
    } else {
      control.fail(cause);
    }
  }

  /**
   * Retries, in a recoverable error state, the oldest work that can have failed: the flush of the
   * oldest frozen memtable, else the full compaction that failed, else whatever compaction the
   * strategy wants. With nothing left to redo, nothing failed that matters any more, and the store
   * recovers at once.
   */
  private Behavior<Command> onRetryBackgroundWork() {
    if (!control.errorIsRecoverable() || closeRequest != null) {
      return settle(); // recovered, or a hard error came, or the store is closing
    }
    if (flushRunning || !running.isEmpty()) {
      // A job started before the error is still running: retry after it, one back-off from now.
      timers.startSingleTimer(RetryBackgroundWork.INSTANCE, RetryBackgroundWork.INSTANCE, retryDelay);
      return this;
    }
    List<Memtable> oldest = control.current().oldestImmutables(memtablesPerFlush());
    if (!oldest.isEmpty()) {
      flushIsRetry = true;
      launchFlush(oldest);
      return settle();
    }
    CompactionPlan plan;
    try {
      plan = control.planCompaction(retryFullCompaction);
    } catch (RuntimeException e) {
      control.fail(e);
      return settle();
    }
    if (plan == null) {
      retryFullCompaction = false;
      recovered();
      rotateIfRoom();
      drainQueue();
      startCompaction();
    } else {
      launchCompaction(plan, true);
    }
    return settle();
  }

  /** A retry succeeded: the store leaves its recoverable error state, and the back-off starts over. */
  private void recovered() {
    retryFullCompaction = false;
    if (control.recover()) {
      retryDelay = Duration.ofMillis(FIRST_RETRY_MILLIS);
    }
  }

  /** Freezes the mutable memtable if wanted and the frozen-memtable limit allows it. */
  private void rotateIfRoom() {
    if (rotateWanted && control.canRotate() && control.backgroundError() == null) {
      rotateWanted = false;
      if (!control.current().mutable().isEmpty()) {
        try {
          control.rotate();
          // The writes awaiting a sync went to the WAL just retired: rotation does not sync it.
          if (!awaitingSync.isEmpty()) {
            control.syncWal();
          }
          completeAwaitingSync(null);
        } catch (RuntimeException e) {
          completeAwaitingSync(e);
        }
      }
    }
    startFlush();
  }

  private void startFlush() {
    ReadState s = control.current();
    if (flushRunning || s.immutables().length == 0 || control.backgroundError() != null) {
      return;
    }
    int perFlush = memtablesPerFlush();
    if (s.immutables().length < perFlush && !flushAskedFor()) {
      return; // more memtables to come: the flush writes them together
    }
    // At the L0 stop trigger, flushes wait for the running compaction; memtables then fill up and
    // writes queue here. Only while a compaction runs, which will pick again when it finishes: if
    // the strategy wants none, holding would wait forever. A closing store flushes regardless.
    if (!running.isEmpty() && closeRequest == null && control.l0AtStopTrigger()) {
      return;
    }
    launchFlush(s.oldestImmutables(perFlush));
  }

  /**
   * The frozen memtables a flush waits for: never so many that the frozen-memtable limit is reached
   * first, where writes would wait for a flush that has not started.
   */
  private int memtablesPerFlush() {
    int limit = control.options().maxImmutableMemtables();
    return Math.max(1, Math.min(control.options().memtablesPerFlush(), limit - 1));
  }

  /**
   * Whether someone waits for the frozen memtables to be flushed, so that a flush takes those there
   * are rather than wait for {@code memtablesPerFlush} of them: a flush() or a sync with the WAL
   * off, waitForCompactions(), a close. (Writes held at the frozen-memtable limit need no case of
   * their own: a flush never waits for that many.)
   */
  private boolean flushAskedFor() {
    return !flushWaiters.isEmpty() || !idleWaiters.isEmpty() || closeRequest != null;
  }

  private void launchFlush(List<Memtable> oldest) {
    flushRunning = true;
    flushStarted = System.nanoTime();
    control.flushBegin(oldest);
    CompletableFuture<SstFile> job = CompletableFuture.supplyAsync(() -> control.writeSst(oldest), blocking);
    flushJob = job;
    getContext().pipeToSelf(job, (file, err) ->
        err == null ? new FlushCompleted(oldest, file) : new FlushFailed(oldest, unwrap(err)));
  }

  /** Applies queued writes in order until one finds the store still stalled. */
  private void drainQueue() {
    while (!queue.isEmpty()) {
      Write w = queue.peek();
      try {
        if (!control.applyQueued(w.batch(), w.check())) {
          // Stalled: the memtable is full and cannot take more until it is frozen.
          Memtable before = control.current().mutable();
          rotateWanted = true;
          rotateIfRoom();
          if (control.current().mutable() == before) {
            // The frozen memtables are at their limit: wait for a flush. The stall is timed
            // from here to the moment the queue drains.
            if (stallStartNanos == 0) {
              stallStartNanos = System.nanoTime();
              // The flush that would make room is held at the L0 stop trigger (see startFlush), or runs.
              stallCause = !running.isEmpty() && control.l0AtStopTrigger()
                  ? WriteStallCause.TOO_MANY_L0_FILES : WriteStallCause.TOO_MANY_IMMUTABLE_MEMTABLES;
              control.writeStallBegan(stallCause);
            }
            return;
          }
          continue;
        }
        acknowledge(w);
      } catch (RuntimeException e) {
        control.abandonQueued();
        w.done().completeExceptionally(e);
      }
      queue.poll();
    }
    if (stallStartNanos != 0) {
      long held = System.nanoTime() - stallStartNanos;
      control.recordStall(held);
      control.writeStallEnded(stallCause, held);
      stallStartNanos = 0;
    }
  }

  private void completeFlushWaiters() {
    ReadState s = control.current();
    long oldestUnflushed = s.immutables().length > 0 ? s.oldestImmutable().id() : s.mutable().id();
    Iterator<FlushWaiter> it = flushWaiters.iterator();
    while (it.hasNext()) {
      FlushWaiter w = it.next();
      if (w.memtableId() < oldestUnflushed) {
        w.done().complete(null);
        it.remove();
      }
    }
  }

  /**
   * After every message: when closing, wait until queued writes are applied and no flush runs
   * (and, with the WAL off, until every memtable is an SST); then make the WAL durable, release
   * the store's resources, answer and stop.
   */
  private Behavior<Command> settle() {
    Throwable err = control.backgroundError();
    if (err != null) {
      failEverythingWaiting(err);
    }
    if (!idleWaiters.isEmpty() && running.isEmpty() && !flushRunning && compactRequests.isEmpty()
        && control.current().immutables().length == 0) {
      // startCompaction ran after the last install and found nothing to pick: the tree is settled.
      idleWaiters.forEach(done -> done.complete(null));
      idleWaiters.clear();
    }
    if (closeRequest == null) {
      return this;
    }
    ReadState s = control.current();
    boolean flushAll = !control.options().walEnabled();
    // A recoverable error lost nothing: with the WAL on, the store closes as a healthy one does.
    if (err == null || control.errorIsRecoverable() && !flushAll) {
      if (flushAll && !s.mutable().isEmpty()) {
        rotateWanted = true;
        rotateIfRoom();
        s = control.current();
      }
      boolean memtablesLeft = flushAll && (s.immutables().length > 0 || !s.mutable().isEmpty());
      if (!queue.isEmpty() || flushRunning || !running.isEmpty() || memtablesLeft || checkpointsRunning > 0) {
        return this;
      }
      RuntimeException failure = null;
      try {
        control.closeWal();
      } catch (RuntimeException e) {
        failure = e;
      }
      completeAwaitingSync(failure);
      failure = releaseResources(failure);
      if (failure == null) {
        closeRequest.complete(null);
      } else {
        closeRequest.completeExceptionally(failure);
      }
    } else {
      if (flushRunning || !running.isEmpty()) {
        return this;
      }
      closeRequest.completeExceptionally(releaseResources(new StrataException("store closed in read-only error state; "
          + (flushAll ? "writes since the last flush are lost: " : "reopen to recover from the WAL: ")
          + err.getMessage(), err)));
    }
    idleWaiters.forEach(done -> done.completeExceptionally(new IllegalStateException("store is closed")));
    idleWaiters.clear();
    return Behaviors.stopped();
  }

  /**
   * In the read-only error state nothing that waits here can succeed: queued writes, flush
   * requests and synced writes awaiting their fsync all fail with the original cause, at once,
   * rather than hang.
   */
  private void failEverythingWaiting(Throwable err) {
    if (queue.isEmpty() && flushWaiters.isEmpty() && awaitingSync.isEmpty() && compactRequests.isEmpty()
        && idleWaiters.isEmpty()) {
      return;
    }
    StrataException failure = new StrataException("store is in read-only error state: " + err.getMessage(), err);
    for (Write w : queue) {
      control.abandonQueued();
      w.done().completeExceptionally(failure);
    }
    queue.clear();
    for (FlushWaiter w : flushWaiters) {
      w.done().completeExceptionally(failure);
    }
    flushWaiters.clear();
    compactRequests.forEach(done -> done.completeExceptionally(failure));
    compactRequests.clear();
    idleWaiters.forEach(done -> done.completeExceptionally(failure));
    idleWaiters.clear();
    if (!control.errorIsRecoverable()) {
      completeAwaitingSync(failure); // else they are in the WAL, healthy, and the SyncNow on its way syncs them
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
