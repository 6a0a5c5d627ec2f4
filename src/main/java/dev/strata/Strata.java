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
import dev.strata.engine.CommitCheck;
import dev.strata.engine.StoreEngine;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FileSystem;
import dev.strata.key.KeyLimits;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
 */
public final class Strata implements AutoCloseable {
  static final String WRITER_DISPATCHER = "strata.writer-dispatcher";
  static final String BLOCKING_DISPATCHER = "strata.blocking-dispatcher";
  static final String WAL_DISPATCHER = "strata.wal-dispatcher";
  private static final AtomicLong INSTANCES = new AtomicLong();
  private static final CompletableFuture<Done> DONE = CompletableFuture.completedFuture(Done.getInstance());

  private final StoreEngine engine;
  private final ActorRef<WriterActor.Command> writer;
  private final ActorSystem<?> system;
  private final boolean ownsSystem;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Closes the store when the application's system shuts down; null when Strata owns the system. */
  private volatile CloseAtShutdown closeAtShutdown;

  private Strata(StoreEngine engine, ActorRef<WriterActor.Command> writer, ActorSystem<?> system, boolean ownsSystem) {
    this.engine = engine;
    this.writer = writer;
    this.system = system;
    this.ownsSystem = ownsSystem;
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
   * {@link StrataException} when another open store holds it.
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
   * Opens a store on another file system: the in-memory one that simulates power loss, or the
   * fault-injecting one. For Strata's own tests, hence package-private.
   */
  static Strata open(ActorSystem<?> system, Path dir, StrataOptions options, FileSystem fs) {
    return start(system, dir, options, false, fs);
  }

  /** True while the application's system would close this store at its shutdown; for tests. */
  boolean closesAtShutdown() {
    CloseAtShutdown registration = closeAtShutdown;
    return registration != null && registration.isRegistered();
  }

  private static Strata start(ActorSystem<?> system, Path dir, StrataOptions options, boolean ownsSystem) {
    return start(system, dir, options, ownsSystem, DiskFileSystem.INSTANCE);
  }

  private static Strata start(ActorSystem<?> system, Path dir, StrataOptions options, boolean ownsSystem,
      FileSystem fs) {
    for (String d : new String[] {WRITER_DISPATCHER, BLOCKING_DISPATCHER, WAL_DISPATCHER}) {
      if (!system.settings().config().hasPath(d)) {
        throw new IllegalArgumentException("the ActorSystem's config has no '" + d + "' dispatcher; build it with "
            + "ConfigFactory.load() so that Strata's reference.conf is included");
      }
    }
    Executor walPreparer = system.dispatchers().lookup(DispatcherSelector.fromConfig(WAL_DISPATCHER));
    StoreEngine engine = StoreEngine.open(dir.toAbsolutePath(), options, fs, walPreparer);
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
    ActorRef<WriterActor.Command> writer = system.systemActorOf(
        WriterActor.create(engine.writerControl(), blocking),
        "strata-writer-" + INSTANCES.incrementAndGet(),
        Props.empty().withNext(DispatcherSelector.fromConfig(WRITER_DISPATCHER)));
    engine.attach(new ActorWriterSignals(writer));
    Strata store = new Strata(engine, writer, system, ownsSystem);
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
      await(enqueue(new WriteBatch().put(key, value)));
    }
  }

  /** Deletes {@code key} (a tombstone); deleting an absent key is fine. */
  public void delete(byte[] key) {
    KeyLimits.checkKey(key);
    if (!engine.tryPut(key, null)) {
      await(enqueue(new WriteBatch().delete(key)));
    }
  }

  /** Applies every operation of {@code batch} in order, atomically: readers see all of it or none. */
  public void write(WriteBatch batch) {
    Objects.requireNonNull(batch, "batch must not be null");
    if (batch.isEmpty()) {
      checkOpen();
      return;
    }
    if (!engine.tryWrite(batch)) {
      await(enqueue(batch));
    }
  }

  /** Like {@link #put}, without blocking the caller: the stage completes when the write is acknowledged. */
  public CompletionStage<Done> putAsync(byte[] key, byte[] value) {
    KeyLimits.checkKey(key);
    KeyLimits.checkValue(value);
    return writeAsync(new WriteBatch().put(key, value));
  }

  /** Like {@link #write}, without blocking the caller. */
  public CompletionStage<Done> writeAsync(WriteBatch batch) {
    Objects.requireNonNull(batch, "batch must not be null");
    try {
      if (batch.isEmpty()) {
        checkOpen();
        return DONE;
      }
      if (engine.tryWrite(batch)) {
        return DONE;
      }
      return enqueue(batch).thenApply(v -> Done.getInstance());
    } catch (RuntimeException e) {
      if (e instanceof IllegalStateException) {
        throw e;
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
      CompletableFuture<Void> done = new CompletableFuture<>();
      engine.enqueue(batch, check, done);
      await(done);
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
    checkOpen();
    return new Transaction(this, engine, engine.options().serializable());
  }

  /**
   * From the next compaction on, drops the keys {@code filter} selects, among versions no open
   * snapshot or transaction can still read. Filters stay until the store is closed.
   */
  public void addCompactionFilter(CompactionFilter filter) {
    Objects.requireNonNull(filter, "filter must not be null");
    checkOpen();
    engine.addCompactionFilter(filter);
  }

  private CompletableFuture<Void> enqueue(WriteBatch batch) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    engine.enqueue(batch, done);
    return done;
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
    checkOpen();
    CompletableFuture<Void> done = new CompletableFuture<>();
    writer.tell(new WriterActor.Flush(done));
    await(done);
  }

  /**
   * Full compaction: flushes every memtable, then merges every SST into one sorted run at the
   * bottom level, keeping the newest version of each key and dropping tombstones; returns when the
   * result is installed. The files it replaces are deleted once no open iterator reads them.
   */
  public void compact() {
    flush();
    CompletableFuture<Void> done = new CompletableFuture<>();
    writer.tell(new WriterActor.Compact(done));
    await(done);
  }

  /**
   * Waits until background work is done: no flush or compaction runs, no frozen memtable waits,
   * and the strategy's picker wants nothing more (RocksDB's {@code WaitForCompact}). Writes that
   * arrive meanwhile may start more work, which this then waits for too. For benchmarks and tests
   * that measure a settled tree.
   */
  public void waitForCompactions() {
    checkOpen();
    CompletableFuture<Void> done = new CompletableFuture<>();
    writer.tell(new WriterActor.AwaitIdle(done));
    await(done);
  }

  /**
   * Makes every acknowledged write durable: an fsync of the WAL (with the WAL off, a flush of
   * every memtable). Needed only with {@code syncWrites(false)}, where writes survive a process
   * crash as soon as they are acknowledged but a power loss only once synced.
   */
  public void sync() {
    checkOpen();
    CompletableFuture<Void> done = new CompletableFuture<>();
    writer.tell(new WriterActor.SyncWal(done));
    await(done);
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
   * Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      engine.beginClose();
      CompletableFuture<Void> done = new CompletableFuture<>();
      writer.tell(new WriterActor.Close(done));
      await(done);
    } finally {
      engine.releaseResources();
      if (!ownsSystem) {
        // Null when registering failed, or when the shutdown closes the store before it was registered.
        CloseAtShutdown registration = closeAtShutdown;
        if (registration != null) {
          registration.cancel();
        }
      }
      if (ownsSystem) {
        system.terminate();
        try {
          system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new StrataException("the embedded ActorSystem did not terminate: " + e, e);
        }
      }
    }
  }

  /** True once {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("store is closed");
    }
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
    return "Strata(" + engine.directory() + (closed.get() ? ", closed" : "") + ")";
  }

}
