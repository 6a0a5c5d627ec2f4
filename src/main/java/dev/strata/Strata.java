package dev.strata;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.strata.actor.ActorWriterSignals;
import dev.strata.actor.WriterActor;
import dev.strata.actor.WriterReplies;
import dev.strata.engine.CommitCheck;
import dev.strata.engine.StoreEngine;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FileSystem;
import dev.strata.key.KeyLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open Strata store: an LSM-tree of byte-array keys and values in one directory.
 *
 * <p>Thread-safe: every method may be called from any thread. Reads never wait for writes or
 * for the writer actor; a write commits on the caller's thread unless the store is stalled, in
 * which case it waits, in order, at the writer actor until a flush makes room.
 *
 * <p>Keys and values are {@code byte[]}; keys are ordered by unsigned lexicographic byte order.
 * Keys may be empty and are at most 64 KiB, values at most 16 MiB; an empty value is a legal value
 * and differs from absent, and deletes are tombstones, never empty values.
 *
 * <p>A synchronous write returns once it is acknowledged: it is then visible to every later read
 * and, with the WAL on, recoverable after a crash of the process (and after a power loss too with
 * {@code syncWrites(true)}, or once {@link #sync()} or {@link #close()} has returned).
 *
 * <p>Errors: misuse gets the standard exceptions, with a message that says what was wrong:
 * {@link NullPointerException} for a null key, value, bound or batch,
 * {@link IllegalArgumentException} for a key, value or batch over its size limit, and
 * {@link IllegalStateException} for a read, write or maintenance call on a closed store. Storage
 * failures are unchecked {@link StrataException}s: {@link CorruptionException} when a checksum or
 * format check fails (a corrupt file never yields a wrong answer silently),
 * {@link TransactionConflictException} when a transaction loses at commit.
 *
 * <p><b>Threading of callbacks.</b> No user code ever runs on the writer actor's thread. A stage
 * returned by {@link #putAsync} or {@link #writeAsync} is either complete when returned (the
 * write committed on the caller's thread, so callbacks attached to it run on the attaching
 * thread) or completes on {@code strata.callback-dispatcher}, a dispatcher of its own, neither
 * the writer's nor the one flushes and compactions run on. So a callback may block, write
 * synchronously, flush, sync or even close the store: the writer and the flushes go on
 * meanwhile. Callbacks that block for long still hold a thread of that dispatcher; move such
 * work to an executor of the application's ({@code thenAcceptAsync(..., executor)}).
 *
 * <p><b>Closing.</b> Any call racing {@link #close()} returns: normally if it got in before the
 * close, else with {@code IllegalStateException("store is closed")}; a write the close refused
 * may also fail with a {@link StrataException} in the read-only error state. None is left waiting.
 * {@link #close(Duration)} bounds how long a close waits for the writer.
 *
 * <p><b>Read-only.</b> A store opened with {@link #openReadOnly(Path, StrataOptions)} has no
 * writer: it reads what the directory held at the open, WALs included, and never changes a file
 * there. Its reads, scans, snapshots, {@link #stats()} and {@link #close()} work as above; every
 * call that would change the store throws {@link UnsupportedOperationException}.
 */
public final class Strata implements AutoCloseable {
  static final String WRITER_DISPATCHER = "strata.writer-dispatcher";
  static final String BLOCKING_DISPATCHER = "strata.blocking-dispatcher";
  static final String WAL_DISPATCHER = "strata.wal-dispatcher";
  static final String CALLBACK_DISPATCHER = "strata.callback-dispatcher";
  static final String CLOSE_TIMEOUT = "strata.close-timeout";
  /**
   * After a close ran out of time and told the writer to stop at once: how long to wait for it to
   * stop before releasing its files anyway (it answers in microseconds unless its thread is stuck
   * in a system call), and the least time an embedded ActorSystem gets to terminate.
   */
  private static final Duration ABORT_GRACE = Duration.ofSeconds(1);
  private static final Duration TERMINATE_GRACE = Duration.ofSeconds(2);
  private static final Logger log = LoggerFactory.getLogger(Strata.class);
  private static final AtomicLong INSTANCES = new AtomicLong();
  private static final CompletableFuture<Done> DONE = CompletableFuture.completedFuture(Done.getInstance());

  private final StoreEngine engine;
  private final ActorRef<WriterActor.Command> writer;
  private final ActorSystem<?> system;
  private final boolean ownsSystem;
  private final AtomicBoolean closed;
  /** Closes the store when the application's system shuts down; null when Strata owns the system. */
  private volatile CloseAtShutdown closeAtShutdown;
  /** What callers wait for from the writer, failed if the writer stops under them. */
  private final WriterReplies replies;
  /** Where async writes' stages complete: never the writer's thread (see the class comment). */
  private final Executor callbacks;
  /** What {@link #close()} gives the writer: strata.close-timeout of the system's config. */
  private final Duration closeTimeout;
  /** The store's MBean while registered; null with jmxEnabled off or when registering failed. */
  private volatile StrataJmx jmx;

  private Strata(StoreEngine engine, ActorRef<WriterActor.Command> writer, ActorSystem<?> system, boolean ownsSystem,
      AtomicBoolean closed, WriterReplies replies) {
    this.engine = engine;
    this.writer = writer;
    this.system = system;
    this.ownsSystem = ownsSystem;
    this.closed = closed;
    this.replies = replies;
    // A read-only store (no writer) runs no callback and waits for no writer: it needs nothing of a system.
    this.callbacks = writer == null ? null
        : system.dispatchers().lookup(DispatcherSelector.fromConfig(CALLBACK_DISPATCHER));
    this.closeTimeout = writer == null ? Duration.ZERO : system.settings().config().getDuration(CLOSE_TIMEOUT);
  }

  /**
   * Opens (creating when missing) the store in {@code dir} with default options and an embedded
   * ActorSystem. Opening recovers whatever a previous process left in the directory (WALs,
   * manifest, SSTs); a directory that another open store holds fails with a
   * {@link StrataException} (the directory is locked).
   */
  public static Strata open(Path dir) {
    return open(dir, StrataOptions.defaults());
  }

  /**
   * Opens the store in {@code dir} with its own embedded ActorSystem, terminated by {@link #close()}.
   * Creates the directory when missing, recovers what it holds, and fails with a
   * {@link StrataException} when another open store holds it, when it holds no store and
   * {@link StrataOptions#createIfMissing()} is false, or when it holds one and
   * {@link StrataOptions#errorIfExists()} is true (a refused open creates and changes nothing).
   */
  public static Strata open(Path dir, StrataOptions options) {
    Objects.requireNonNull(dir, "dir must not be null");
    Objects.requireNonNull(options, "options must not be null");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "strata", ConfigFactory.load());
    try {
      return start(system, dir, options, true);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /**
   * Opens the store in {@code dir}, spawning its actors in {@code system}; {@link #close()} stops
   * only those, and the system's shutdown closes the store if the application did not. The
   * system's config must hold Strata's dispatchers ({@code ConfigFactory.load()} includes them
   * from {@code reference.conf}). Creates, recovers and locks the directory as
   * {@link #open(Path, StrataOptions)} does.
   */
  public static Strata open(ActorSystem<?> system, Path dir, StrataOptions options) {
    Objects.requireNonNull(system, "system must not be null");
    Objects.requireNonNull(dir, "dir must not be null");
    Objects.requireNonNull(options, "options must not be null");
    return start(system, dir, options, false, DiskFileSystem.INSTANCE);
  }

  /**
   * Repairs the store in {@code dir}, which must not be open, as LevelDB's {@code RepairDB} does,
   * so that it opens again holding every write whose data is still readable. Takes the store's
   * lock; verifies every SST (a damaged one has the entries of its sound blocks written into a new
   * SST), replays every WAL skipping damaged records (each into a new SST), and writes a fresh
   * manifest and CURRENT: the tables where the old manifest had them when it reads whole, else all
   * in level 0 (those whose key and sequence ranges overlap rewritten as one). Nothing is deleted:
   * every file the repaired store does not use (damaged SSTs, the WALs read, old manifests,
   * orphans) is moved into {@code lost/repair-N} inside {@code dir}.
   *
   * <p>Without a readable manifest every SST in the directory is taken, as in LevelDB: an SST a
   * crash left behind after it had been compacted away may then bring back versions the store had
   * dropped.
   *
   * @return what was kept, rebuilt and moved aside
   * @throws StrataException when {@code dir} holds no store, the store is open (here or in another
   *     process), or reading or writing fails
   */
  public static RepairReport repair(Path dir) {
    Objects.requireNonNull(dir, "dir must not be null");
    return dev.strata.engine.StoreRepair.repair(dir);
  }

  /**
   * Opens a store on another file system: the in-memory one that simulates power loss, or the
   * fault-injecting one. For Strata's own tests, hence package-private.
   */
  static Strata open(ActorSystem<?> system, Path dir, StrataOptions options, FileSystem fs) {
    return start(system, dir, options, false, fs);
  }

  /** Opens the store in {@code dir} read-only, with default options; see {@link #openReadOnly(Path, StrataOptions)}. */
  public static Strata openReadOnly(Path dir) {
    return openReadOnly(dir, StrataOptions.defaults());
  }

  /**
   * Opens the existing store in {@code dir} read-only, after RocksDB's {@code OpenForReadOnly}:
   * it reads CURRENT, the manifest and the SSTs, and replays every live WAL into memory, as
   * {@code options}' {@link StrataOptions#walRecoveryMode()} says (by default a damaged or torn
   * tail is just where replay stops), so that reads see every write the files hold. It never
   * creates, writes, renames or deletes a file: no directory lock is taken, nothing is flushed,
   * compacted or set aside in {@code lost/}, no manifest, CURRENT or OPTIONS file is written. So
   * any number of read-only opens may share a directory, beside one read-write process too; the
   * store's later writes are not seen (open it again for them). It starts no actor and no
   * ActorSystem.
   *
   * <p>Reads, scans, snapshots, {@link #stats()}, {@link #errorState()} (always empty) and
   * {@link #close()} work; {@link #waitForCompactions()} returns at once. Every call that would
   * change the store throws {@link UnsupportedOperationException} saying it was opened read-only:
   * {@link #put}, {@link #delete}, {@link #write} and {@link #writeAsync} (an empty batch too),
   * {@link #putAsync}, {@link #begin()}, {@link #flush()}, {@link #compact()}, {@link #sync()},
   * {@link #checkpoint(Path)} and {@link #addCompactionFilter}.
   *
   * <p>Of {@code options}, what reads use applies (the WAL recovery mode, the block cache, the
   * mapped-file bound); {@link StrataOptions#createIfMissing()} and
   * {@link StrataOptions#errorIfExists()} do not (a read-only open never creates a store, and
   * opens only an existing one).
   *
   * @throws StrataException when {@code dir} holds no store (nothing is created, whatever
   *     {@link StrataOptions#createIfMissing()} says), or when a file it reads is damaged
   */
  public static Strata openReadOnly(Path dir, StrataOptions options) {
    Objects.requireNonNull(dir, "dir must not be null");
    Objects.requireNonNull(options, "options must not be null");
    return startReadOnly(null, dir, options, DiskFileSystem.INSTANCE);
  }

  /**
   * As {@link #openReadOnly(Path, StrataOptions)}, for an Akka application: the system's shutdown
   * closes the store if the application did not. It spawns nothing in {@code system}.
   */
  public static Strata openReadOnly(ActorSystem<?> system, Path dir, StrataOptions options) {
    Objects.requireNonNull(system, "system must not be null");
    Objects.requireNonNull(dir, "dir must not be null");
    Objects.requireNonNull(options, "options must not be null");
    return startReadOnly(system, dir, options, DiskFileSystem.INSTANCE);
  }

  /** Opens a store read-only on another file system ({@code system} may be null); for Strata's own tests. */
  static Strata openReadOnly(ActorSystem<?> system, Path dir, StrataOptions options, FileSystem fs) {
    return startReadOnly(system, dir, options, fs);
  }

  private static Strata startReadOnly(ActorSystem<?> system, Path dir, StrataOptions options, FileSystem fs) {
    StoreEngine engine = StoreEngine.openReadOnly(dir.toAbsolutePath(), options, fs);
    // No writer: nothing changes a read-only store after its open (see StoreEngine#openReadOnly).
    Strata store = new Strata(engine, null, system, false, new AtomicBoolean(), new WriterReplies());
    if (system != null) {
      try {
        store.closeAtShutdown = CloseAtShutdown.register(system, store);
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }
    return store;
  }

  /** True while the application's system would close this store at its shutdown; for tests. */
  boolean closesAtShutdown() {
    CloseAtShutdown registration = closeAtShutdown;
    return registration != null && registration.isRegistered();
  }

  private static Strata start(ActorSystem<?> system, Path dir, StrataOptions options, boolean ownsSystem) {
    return start(system, dir, options, ownsSystem, DiskFileSystem.INSTANCE);
  }

  /**
   * Compactions that may run at once: the blocking dispatcher's threads less one, which stays for
   * flushes (a flush waiting behind compactions would stall writes), and at least one. With the
   * default pool of 2, one at a time; a larger {@code fixed-pool-size} lets the leveled strategy
   * run compactions of disjoint key ranges side by side (RocksDB's max_background_jobs).
   */
  static int maxBackgroundCompactions(ActorSystem<?> system) {
    String poolSize = BLOCKING_DISPATCHER + ".thread-pool-executor.fixed-pool-size";
    com.typesafe.config.Config config = system.settings().config();
    return config.hasPath(poolSize) ? Math.max(1, config.getInt(poolSize) - 1) : 1;
  }

  private static Strata start(ActorSystem<?> system, Path dir, StrataOptions options, boolean ownsSystem,
      FileSystem fs) {
    for (String d : new String[] {WRITER_DISPATCHER, BLOCKING_DISPATCHER, WAL_DISPATCHER, CALLBACK_DISPATCHER,
        CLOSE_TIMEOUT}) {
      if (!system.settings().config().hasPath(d)) {
        throw new IllegalArgumentException("the ActorSystem's config has no '" + d + "'; build it with "
            + "ConfigFactory.load() so that Strata's reference.conf is included");
      }
    }
    Executor walPreparer = system.dispatchers().lookup(DispatcherSelector.fromConfig(WAL_DISPATCHER));
    StoreEngine engine = StoreEngine.open(dir.toAbsolutePath(), options, fs, walPreparer);
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
    // Listeners are user code: their events go to the callback dispatcher, never the writer's thread.
    engine.deliverEventsOn(system.dispatchers().lookup(DispatcherSelector.fromConfig(CALLBACK_DISPATCHER)));
    AtomicBoolean closed = new AtomicBoolean();
    WriterReplies replies = new WriterReplies();
    // A writer stopping unexpectedly puts the store into its error state itself (see WriterActor).
    Runnable onWriterStop = replies::writerStopped;
    ActorRef<WriterActor.Command> writer = system.systemActorOf(
        WriterActor.create(engine.writerControl(), blocking, maxBackgroundCompactions(system), onWriterStop),
        "strata-writer-" + INSTANCES.incrementAndGet(),
        Props.empty().withNext(DispatcherSelector.fromConfig(WRITER_DISPATCHER)));
    engine.attach(new ActorWriterSignals(writer));
    Strata store = new Strata(engine, writer, system, ownsSystem, closed, replies);
    if (options.jmxEnabled()) {
      store.jmx = StrataJmx.register(store, INSTANCES.get()); // unregistered by close, whichever way it goes
    }
    if (!ownsSystem) {
      try {
        store.closeAtShutdown = CloseAtShutdown.register(system, store); // the application's system closes it at shutdown
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }
    return store;
  }

  // ---------------------------------------------------------------- writes

  /** Stores {@code value} under {@code key}; returns once the write is acknowledged. */
  public void put(byte[] key, byte[] value) {
    KeyLimits.checkKey(key);
    KeyLimits.checkValue(value);
    // The memtable copies key and value into its arena; only a queued write needs its own copy,
    // which WriteBatch makes.
    if (!engine.tryPut(key, value)) {
      awaitQueued(new WriteBatch().put(key, value));
    }
  }

  /** Deletes {@code key} (a tombstone); deleting an absent key is fine. */
  public void delete(byte[] key) {
    KeyLimits.checkKey(key);
    if (!engine.tryPut(key, null)) {
      awaitQueued(new WriteBatch().delete(key));
    }
  }

  /** Applies every operation of {@code batch} in order, atomically: readers see all of it or none. */
  public void write(WriteBatch batch) {
    Objects.requireNonNull(batch, "batch must not be null");
    if (batch.isEmpty()) {
      checkWritable("write");
      return;
    }
    if (!engine.tryWrite(batch)) {
      awaitQueued(batch);
    }
  }

  /**
   * Like {@link #put}, without blocking the caller: the stage completes when the write is
   * acknowledged. It is complete on return when the write committed on the caller's thread, else
   * it completes on {@code strata.callback-dispatcher}, never on the writer's thread (see the
   * class comment): callbacks may block and may call this store. A store closed before the write
   * was accepted throws {@code IllegalStateException}; other failures complete the stage
   * exceptionally.
   */
  public CompletionStage<Done> putAsync(byte[] key, byte[] value) {
    KeyLimits.checkKey(key);
    KeyLimits.checkValue(value);
    return writeAsync(new WriteBatch().put(key, value));
  }

  /**
   * Like {@link #write}, without blocking the caller; the stage completes as {@link #putAsync}'s
   * does, never on the writer's thread.
   */
  public CompletionStage<Done> writeAsync(WriteBatch batch) {
    Objects.requireNonNull(batch, "batch must not be null");
    try {
      if (batch.isEmpty()) {
        checkWritable("write");
        return DONE;
      }
      if (engine.tryWriteWithoutWaiting(batch)) {
        return DONE;
      }
      return handOff(enqueue(batch));
    } catch (RuntimeException e) {
      if (e instanceof IllegalStateException || e instanceof UnsupportedOperationException) {
        throw e; // misuse (closed, or opened read-only): thrown, as by the synchronous calls
      }
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Commits {@code batch} only if {@code check} passes at the moment of commit, in the same step:
   * on the caller's thread when the fast path is open, else at the writer actor. For transactions.
   */
  void writeChecked(WriteBatch batch, CommitCheck check) {
    if (!engine.tryWrite(batch, check)) {
      CompletableFuture<Void> done = replies.register(new CompletableFuture<>());
      try {
        engine.enqueue(batch, check, done);
        await(done);
      } finally {
        replies.forget(done);
      }
    }
  }

  // ---------------------------------------------------------------- MVCC

  /**
   * A read view at the latest committed write. It pins the versions it sees against compaction
   * until closed; reads through it cost what a plain read does.
   */
  public Snapshot snapshot() {
    checkOpen();
    return new Snapshot(this, engine);
  }

  /**
   * Starts a transaction reading a snapshot taken now; serializable when the store's options say
   * {@code serializable(true)}, else snapshot isolation. Close it (a close without commit rolls
   * back).
   */
  public Transaction begin() {
    checkWritable("begin a transaction");
    return new Transaction(this, engine, engine.options().serializable());
  }

  /**
   * From the next compaction on, drops the keys {@code filter} selects, among versions no open
   * snapshot or transaction can still read. Filters stay until the store is closed.
   */
  public void addCompactionFilter(CompactionFilter filter) {
    Objects.requireNonNull(filter, "filter must not be null");
    checkWritable("add a compaction filter");
    engine.addCompactionFilter(filter);
  }

  /** Hands {@code batch} to the writer; the caller must {@link WriterReplies#forget} the future once answered. */
  private CompletableFuture<Void> enqueue(WriteBatch batch) {
    CompletableFuture<Void> done = replies.register(new CompletableFuture<>());
    try {
      engine.enqueue(batch, done);
    } catch (RuntimeException e) {
      replies.forget(done);
      throw e;
    }
    return done;
  }

  /** A synchronous write that must go through the writer: no user code is attached, so no handoff. */
  private void awaitQueued(WriteBatch batch) {
    CompletableFuture<Void> done = enqueue(batch);
    try {
      await(done);
    } finally {
      replies.forget(done);
    }
  }

  /**
   * The stage a user gets for {@code done}, which the writer completes on its own thread: it
   * completes on the callback dispatcher instead, so that the user's callbacks never run on the
   * writer's thread (one blocking there would stop the store). Already answered: at once.
   */
  private CompletionStage<Done> handOff(CompletableFuture<Void> done) {
    CompletableFuture<Done> result = new CompletableFuture<>();
    if (done.isDone()) {
      replies.forget(done);
      completeFrom(done, result);
      return result;
    }
    done.whenComplete((v, err) -> runCallback(() -> {
      replies.forget(done);
      completeFrom(done, result);
    }));
    return result;
  }

  private static void completeFrom(CompletableFuture<Void> done, CompletableFuture<Done> result) {
    try {
      done.join();
      result.complete(Done.getInstance());
    } catch (CompletionException e) {
      result.completeExceptionally(e.getCause() != null ? e.getCause() : e);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  private void runCallback(Runnable task) {
    try {
      callbacks.execute(task);
    } catch (RejectedExecutionException e) {
      // The ActorSystem is gone (Akka's dispatchers refuse only then): still not the writer's thread.
      ForkJoinPool.commonPool().execute(task);
    }
  }

  // ---------------------------------------------------------------- reads

  /** The value of {@code key}, or null when it is absent or deleted. */
  public byte[] get(byte[] key) {
    KeyLimits.checkKey(key);
    checkOpen();
    return engine.get(key);
  }

  /**
   * An iterator over the keys between {@code lower} and {@code upper}, in ascending order, as the
   * store is now: it never yields a deleted key, and writes, flushes and compactions that happen
   * while it is open do not change what it sees. Close it: an open iterator pins the files it reads.
   */
  public StrataIterator scan(Bound lower, Bound upper) {
    Objects.requireNonNull(lower, "lower bound must not be null (use Bound.unbounded())");
    Objects.requireNonNull(upper, "upper bound must not be null (use Bound.unbounded())");
    checkOpen();
    return engine.scan(lower, upper);
  }

  // ---------------------------------------------------------------- maintenance

  /** Freezes the current memtable and writes every memtable to level 0; returns when done. */
  public void flush() {
    checkWritable("flush");
    ask(WriterActor.Flush::new);
  }

  /**
   * Full compaction: flushes every memtable, then merges every SST into one sorted run at the
   * bottom level, keeping the newest version of each key and dropping tombstones; returns when the
   * result is installed. The files it replaces are deleted once no open iterator reads them.
   */
  public void compact() {
    checkWritable("compact");
    flush();
    ask(WriterActor.Compact::new);
  }

  /**
   * Waits until background work is done: no flush or compaction runs, no frozen memtable waits,
   * and the strategy's picker wants nothing more (RocksDB's {@code WaitForCompact}). Writes that
   * arrive meanwhile may start more work, which this then waits for too. For benchmarks and tests
   * that measure a settled tree.
   */
  public void waitForCompactions() {
    checkOpen();
    if (writer == null) {
      return; // opened read-only: no flush or compaction ever runs
    }
    ask(WriterActor.AwaitIdle::new);
  }

  /**
   * Makes every acknowledged write durable: an fsync of the WAL (with the WAL off, a flush of
   * every memtable). Needed only with {@code syncWrites(false)}, where writes survive a process
   * crash as soon as they are acknowledged but a power loss only once synced.
   */
  public void sync() {
    checkWritable("sync");
    ask(WriterActor.SyncWal::new);
  }

  /**
   * Writes an openable copy of the store, as of this call, into {@code target}, a directory that
   * must not exist (its parent is created when missing). It holds every write acknowledged before
   * the call and nothing written after it returns; writes concurrent with the call may or may not
   * be in it. SSTs are hard-linked when {@code target} is on the same file system (an SST never
   * changes, so the store's later compactions cannot touch the checkpoint), copied otherwise; the
   * WALs of unflushed memtables are copied up to the moment of the call, and a fresh manifest
   * describes the copy. With the WAL off the memtables are flushed first, since acknowledged writes
   * are then only in memory. Open the checkpoint like any store; it is independent of this one.
   *
   * @throws IllegalArgumentException when {@code target} exists
   * @throws IllegalStateException when the store is closed
   * @throws StrataException when the copy fails (a partial target then holds no CURRENT file)
   */
  public void checkpoint(Path target) {
    Objects.requireNonNull(target, "checkpoint target is null");
    checkWritable("checkpoint");
    if (!engine.options().walEnabled()) {
      flush();
    }
    ask(done -> new WriterActor.Checkpoint(target, done));
  }

  /**
   * Tells the writer a request and waits for its answer. Registered first: if the writer stops
   * (a close raced this call) before answering, the call fails with "store is closed" instead of
   * waiting for a message that went to dead letters.
   */
  private void ask(java.util.function.Function<CompletableFuture<Void>, WriterActor.Command> request) {
    CompletableFuture<Void> done = replies.register(new CompletableFuture<>());
    try {
      writer.tell(request.apply(done));
      await(done);
    } finally {
      replies.forget(done);
    }
  }

  /**
   * Why the store is read-only, or empty while it is healthy.
   *
   * <p>A failed I/O call of a write, a sync, a flush, a compaction or a manifest update puts the
   * store in its read-only error state (RocksDB's background error): from then on every write
   * fails fast with a {@link StrataException} whose cause is the one returned here, while reads,
   * scans and snapshots keep working on what the store holds. Most errors stay until the store is
   * closed and reopened, whose recovery restores every acknowledged write: in particular a failed
   * WAL sync or append, since on Linux a failed writeback is reported once and a later sync that
   * succeeds proves nothing, and a failed manifest write. One kind clears by itself: a flush or
   * compaction that found the device full ("No space left on device") lost nothing, and is retried
   * in the background with a growing back-off (100 ms doubling up to 5 s, for as long as the device
   * stays full); once a retry succeeds, this is empty again and writes are accepted, without a
   * reopen. Writes during that time fail rather than wait.
   *
   * @return the cause of the read-only state (an {@code IOException}, or a {@link StrataException}
   *     around it), or empty while the store accepts writes
   * @throws IllegalStateException if the store is closed
   */
  public Optional<Throwable> errorState() {
    checkOpen();
    return Optional.ofNullable(engine.backgroundError());
  }

  /**
   * Whether the store serves reads and writes now: it is open and not in its read-only error
   * state ({@link #errorState()}). For readiness probes; never throws, a closed store is simply
   * not healthy.
   */
  public boolean isHealthy() {
    return !closed.get() && engine.backgroundError() == null;
  }

  /** The name of the store's {@link StrataMXBean} while it is registered; for Strata's own tests. */
  Optional<javax.management.ObjectName> mbeanName() {
    StrataJmx bean = jmx;
    return bean == null || closed.get() ? Optional.empty() : Optional.of(bean.name());
  }

  /** A consistent picture of the store at this moment. */
  public StrataStats stats() {
    checkOpen();
    return engine.stats();
  }

  /** The directory this store lives in. */
  public Path directory() {
    return engine.directory();
  }

  /** The options this store was opened with. */
  public StrataOptions options() {
    return engine.options();
  }

  /**
   * Waits for in-flight writes, leaves every acknowledged write recoverable (the WAL synced, or
   * with the WAL off every memtable flushed), and releases what the store holds: files, the
   * directory lock, every thread and actor it created and, when it started it, its ActorSystem.
   * Idempotent. A running compaction is cancelled (a {@link #compact()} waiting for it fails with
   * {@code IllegalStateException}). Waits for the writer at most {@code strata.close-timeout} of
   * the ActorSystem's config (see {@link #close(Duration)}).
   */
  @Override
  public void close() {
    close(closeTimeout);
  }

  /**
   * As {@link #close()}, waiting for the writer at most {@code timeout} (for a
   * {@code CoordinatedShutdown} phase, say). When the time runs out, the writer is stopped where
   * it is: queued writes, flushes and compactions still waiting fail with
   * {@code IllegalStateException("store is closed")}, and the store's files, threads and
   * directory lock are released all the same, so the store can be opened again at once.
   * Acknowledged writes are not lost by a timeout when the WAL is on: the WAL holds every one of
   * them and is synced as the store lets go of it, and the next open replays it (a flush cut
   * short leaves only an orphan file, which the next open deletes). With the WAL off, writes not
   * yet flushed when the time runs out are lost. The call returns within about {@code timeout};
   * a writer whose thread is stuck in a system call is waited for at most a second more, and an
   * embedded ActorSystem gets at least two seconds to terminate.
   *
   * @throws StrataException when syncing or closing a file failed (the store is released anyway)
   */
  public void close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout must not be null");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("close timeout must not be negative, got " + timeout);
    }
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException failure = null;
    try {
      engine.beginClose();
      if (writer != null) { // null: opened read-only, there is no writer to wait for
        CompletableFuture<Void> done = replies.register(new CompletableFuture<>());
        writer.tell(new WriterActor.Close(done));
        failure = awaitClose(done, timeout, deadline);
      }
    } finally {
      // Whatever the writer left unanswered (stuck, or dead before it could answer) fails now.
      replies.writerStopped();
      StrataJmx bean = jmx;
      if (bean != null) {
        bean.unregister();
      }
      failure = releaseIfTheWriterDidNot(failure);
      if (!ownsSystem) {
        // Null when registering failed, or when the shutdown closes the store before it was registered.
        CloseAtShutdown registration = closeAtShutdown;
        if (registration != null) {
          registration.cancel();
        }
      }
      if (ownsSystem) {
        system.terminate();
        Duration wait = max(remaining(deadline), TERMINATE_GRACE);
        try {
          system.getWhenTerminated().toCompletableFuture().get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
          failure = addTo(failure, new StrataException("the embedded ActorSystem did not terminate within "
              + wait + ": " + e, e));
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Waits for the writer's orderly close until the deadline, then stops it at once. Returns the
   * close's failure, if it had one worth reporting.
   */
  private RuntimeException awaitClose(CompletableFuture<Void> done, Duration timeout, long deadline) {
    try {
      done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return null;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IllegalStateException) {
        return null; // the writer was gone already: release below syncs the WAL itself
      }
      return c instanceof RuntimeException re ? re : new StrataException(String.valueOf(c), c);
    } catch (TimeoutException e) {
      log.warn("closing the store in {} took longer than {}: stopping its writer where it is; the WAL holds "
          + "every acknowledged write", engine.directory(), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("closing the store in {} was interrupted: stopping its writer where it is", engine.directory());
    }
    writer.tell(WriterActor.Abort.INSTANCE);
    try {
      if (!replies.awaitWriterStopped(ABORT_GRACE)) {
        log.warn("the writer of {} did not stop within {} (its thread is stuck); releasing the store's files anyway",
            engine.directory(), ABORT_GRACE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }

  /**
   * The writer releases the store's resources as its last act; this thread does it only when the
   * writer is gone or did not answer in time, and does not wait long for a writer stuck releasing.
   */
  private RuntimeException releaseIfTheWriterDidNot(RuntimeException failure) {
    try {
      if (!engine.releaseResources(ABORT_GRACE)) {
        log.warn("the writer of {} is still releasing the store (stuck in a file operation); not waiting for it",
            engine.directory());
      }
    } catch (RuntimeException e) {
      return addTo(failure, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return failure;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static RuntimeException addTo(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }

  /** True once {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** The writer actor, for Strata's own tests of a writer that stops unasked. */
  ActorRef<WriterActor.Command> writer() {
    return writer;
  }

  void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("store is closed");
    }
  }

  /** For a call that would change the store: open, and not opened read-only ({@code operation} names it). */
  private void checkWritable(String operation) {
    checkOpen();
    engine.refuseIfReadOnly(operation);
  }

  private static void await(CompletableFuture<Void> f) {
    try {
      f.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new StrataException(String.valueOf(c), c);
    }
  }

  @Override
  public String toString() {
    return "Strata(" + engine.directory() + (writer == null ? ", read-only" : "") + (closed.get() ? ", closed" : "")
        + ")";
  }

}
