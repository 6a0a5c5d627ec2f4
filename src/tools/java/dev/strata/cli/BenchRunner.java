package dev.strata.cli;

import dev.strata.Bound;
import dev.strata.StrataIterator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs a {@link BenchConfig}'s workloads in order against stores from a
 * {@link KeyValueStore.Factory}, printing one result line per workload and the store's statistics
 * at the end. Fills get a fresh store in {@code dir} (whatever an earlier workload left there is
 * deleted); every other workload runs on the store the previous one left, as in db_bench.
 * Nothing is flushed between workloads. Not thread-safe: one run at a time; the runner starts
 * and joins its own worker threads.
 */
final class BenchRunner {
  /** A workload's operation threw: the message names the workload. */
  static final class BenchFailure extends RuntimeException {
    BenchFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final BenchConfig config;
  private final KeyValueStore.Factory factory;
  private final KeyValueStore.Factory syncedFactory;
  private final Path dir;
  private final PrintStream out;
  private final PrintStream progressTerminal;
  private final KeyGenerator keys;
  private final ValueGenerator values;
  private final IndexPermutation fillOrder;
  /** The YCSB items of the current store: reset with it, kept across the workloads on it. */
  private YcsbKeySpace ycsb;

  /** {@code progressTerminal} draws progress bars; null for none. */
  BenchRunner(BenchConfig config, KeyValueStore.Factory factory, Path dir, PrintStream out,
      PrintStream progressTerminal) {
    this(config, factory, factory, dir, out, progressTerminal);
  }

  /** As above; synced workloads (fillsync) open their stores with {@code syncedFactory}. */
  BenchRunner(BenchConfig config, KeyValueStore.Factory factory, KeyValueStore.Factory syncedFactory, Path dir,
      PrintStream out, PrintStream progressTerminal) {
    this.config = config;
    this.factory = factory;
    this.syncedFactory = syncedFactory;
    this.dir = dir;
    this.out = out;
    this.progressTerminal = progressTerminal;
    this.keys = new KeyGenerator(config.keySize());
    this.values = new ValueGenerator(config.valueSize(), config.seed(), config.compressionRatio());
    this.fillOrder = new IndexPermutation(config.num(), Mixing.mix64(config.seed()));
  }

  /** Runs every workload; returns their results in order. */
  List<WorkloadResult> run() throws IOException, InterruptedException {
    List<WorkloadResult> results = new ArrayList<>();
    KeyValueStore store = null;
    boolean allKeysPresent = false;
    boolean missingKeysWritten = false;
    try {
      for (int position = 0; position < config.workloads().size(); position++) {
        Workload workload = config.workloads().get(position);
        if (store == null || workload.needsFreshStore()) {
          if (store != null) {
            KeyValueStore old = store;
            store = null;
            old.close();
            Directories.deleteContents(dir);
          }
          store = workload.synced() ? syncedFactory.open(dir) : factory.open(dir);
          allKeysPresent = false;
          missingKeysWritten = false;
          ycsb = null;
        }
        WorkloadResult result;
        if (workload.usesSyncFloor()) {
          try (SyncFloor floor = SyncFloor.open(dir, config.threads())) {
            result = runWorkload(store, workload, position, floor).withSyncs(floor.syncs());
          }
        } else {
          long syncsBefore = store.syncCount();
          result = runWorkload(store, workload, position, null);
          // A negative count is an engine that does not count its fsyncs.
          result = result.withSyncs(syncsBefore < 0 ? -1 : store.syncCount() - syncsBefore);
        }
        results.add(result);
        out.println(result.format());
        String warning = workload.warning(result, allKeysPresent);
        // After YCSB E's inserts, readmissing finds the keys they added: not a store's fault.
        if (warning != null && !(workload == Workload.READMISSING && missingKeysWritten)) {
          out.println(warning);
        }
        allKeysPresent = workload.leavesAllKeysPresent() || (allKeysPresent && !workload.removesKeys());
        missingKeysWritten |= workload.writesMissingKeys();
        out.flush();
      }
      out.println();
      // Space as the last workload left it, then the settled tree: compactions the run triggered
      // finish (the store's own figures, below, are taken once they have).
      out.println(spaceReport(store, "at the end of the run"));
      long settleStart = System.nanoTime();
      store.waitForBackgroundWork();
      out.println(spaceReport(store, String.format(Locale.ROOT, "after background work settled (%.1f s)",
          (System.nanoTime() - settleStart) / 1e9)));
      out.println();
      out.println("Stats:");
      out.println(store.statsReport());
    } catch (RuntimeException | IOException | InterruptedException | Error e) {
      closeQuietly(store, e);
      throw e;
    }
    store.close();
    return results;
  }

  /**
   * Space amplification as the run leaves it: bytes of every file in the store directory (SSTs,
   * WALs with their preallocated tail, manifest) over the live bytes, the key and value lengths of
   * every key a full scan returns. Whatever the engine's own statistics claim, this is what the
   * disk holds.
   */
  private String spaceReport(KeyValueStore store, String when) throws IOException {
    long live = 0;
    long keys = 0;
    try (StrataIterator it = store.scan(Bound.unbounded(), Bound.unbounded())) {
      for (; it.isValid(); it.next()) {
        live += it.key().length + it.value().length;
        keys++;
      }
    }
    long onDisk = Directories.sizeOf(dir);
    return String.format(Locale.ROOT, "space %s: %d B on disk, %d live B in %d keys, space amplification %s",
        when, onDisk, live, keys, live == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", (double) onDisk / live));
  }

  private static void closeQuietly(KeyValueStore store, Throwable primary) {
    if (store == null) {
      return;
    }
    try {
      store.close();
    } catch (RuntimeException e) {
      primary.addSuppressed(e);
    }
  }

  /** {@code floor} is the sync floor the syncfloor workload commits to, else null. */
  private WorkloadResult runWorkload(KeyValueStore store, Workload workload, int position, SyncFloor floor)
      throws InterruptedException {
    int threads = config.threads();
    long num = config.num();
    LongAdder progress = new LongAdder();
    List<Worker> workers = new ArrayList<>(threads);
    List<Thread> running = new ArrayList<>(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    ScrambledZipfian chooser = null;
    if (workload.mixed()) {
      if (ycsb == null) {
        ycsb = new YcsbKeySpace(num, keys, Mixing.mix64(config.seed() + 1));
      }
      chooser = ycsb.chooser((long) Math.ceil(num * workload.insertProportion()));
    }
    for (int t = 0; t < threads; t++) {
      Worker worker = new Worker(store, config, keys, values, fillOrder,
          Mixing.streamSeed(config.seed(), position, t), progress);
      worker.useSyncFloor(floor);
      worker.useYcsb(ycsb, chooser);
      long from = num * t / threads;
      long to = num * (t + 1) / threads;
      workers.add(worker);
      Thread thread = new Thread(() -> {
        ready.countDown();
        try {
          go.await();
          workload.runRange(worker, from, to);
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          worker.finish();
        }
      }, "bench-" + workload.benchName() + "-" + t);
      // Daemon: an operation stuck in the store must not keep the JVM alive once the runner gave up.
      thread.setDaemon(true);
      running.add(thread);
      thread.start();
    }
    Worker writer = null;
    Thread writerThread = null;
    AtomicBoolean readersDone = new AtomicBoolean();
    if (workload.hasBackgroundWriter()) {
      // Its own stream (thread index T), its own progress counter: the bar counts the readers.
      writer = new Worker(store, config, keys, values, fillOrder, Mixing.streamSeed(config.seed(), position, threads),
          new LongAdder());
      writerThread = backgroundWriter(workload, writer, go, readersDone, failure);
    }
    ready.await();
    long start = System.nanoTime();
    go.countDown();
    ProgressBar bar = ProgressBar.start(progressTerminal, workload.benchName(), num, progress);
    try {
      for (Thread thread : running) {
        thread.join();
      }
      readersDone.set(true);
      if (writerThread != null) {
        writerThread.join();
      }
    } catch (InterruptedException e) {
      readersDone.set(true);
      running.forEach(Thread::interrupt);
      throw e;
    } finally {
      bar.close();
    }
    long elapsed = System.nanoTime() - start;
    Throwable cause = failure.get();
    if (cause != null) {
      throw new BenchFailure(workload.benchName() + " failed: " + cause, cause);
    }
    return WorkloadResult.of(workload, elapsed, workers, writer);
  }

  /**
   * Starts the thread that runs {@code workload}'s background operation once {@code go} opens
   * and until {@code done} is set (the readers finished) or an operation fails.
   */
  private static Thread backgroundWriter(Workload workload, Worker writer, CountDownLatch go, AtomicBoolean done,
      AtomicReference<Throwable> failure) {
    Thread thread = new Thread(() -> {
      try {
        go.await();
        while (!done.get() && failure.get() == null) {
          long start = System.nanoTime();
          workload.backgroundOp(writer);
          writer.finishOp(start);
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      } finally {
        writer.finish();
      }
    }, "bench-" + workload.benchName() + "-writer");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
