package dev.strata.actor;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import dev.strata.CompactionOptions;
import dev.strata.StrataOptions;
import dev.strata.WriteBatch;
import dev.strata.engine.StoreEngine;
import dev.strata.engine.WriterControl;
import dev.strata.fs.DiskFileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer actor's decisions: when to freeze, when writes wait, how flushes are installed. */
class WriterActorTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final ExecutorService pool = Executors.newSingleThreadExecutor();
  /** Flush jobs run only when a permit is released: the test decides when flushes finish. */
  private final Semaphore flushPermits = new Semaphore(0);
  private final Executor gatedFlushes = job -> pool.execute(() -> {
    flushPermits.acquireUninterruptibly();
    job.run();
  });
  private StoreEngine engine;
  /** The writer's handle, which the test reads the published state through. */
  private WriterControl control;
  private ActorRef<WriterActor.Command> writer;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    flushPermits.release(1000);
    pool.shutdown();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "held flush jobs finished");
    if (writer != null) {
      // As Strata.close does: the writer is gone before the engine lets go of its files. A flush the
      // pool just finished may still be installing, closing the retired WAL that release would sync.
      testKit.stop(writer, WAIT);
    }
    if (engine != null) {
      engine.releaseResources();
    }
  }

  private ActorRef<WriterActor.Command> start(int maxImmutable) {
    return start(maxImmutable, true);
  }

  private ActorRef<WriterActor.Command> start(int maxImmutable, boolean wal) {
    return start(maxImmutable, wal, 1);
  }

  private ActorRef<WriterActor.Command> start(int maxImmutable, boolean wal, int memtablesPerFlush) {
    StrataOptions options = StrataOptions.builder()
        .memtableSizeBytes(4096)
        .maxImmutableMemtables(maxImmutable)
        .memtablesPerFlush(memtablesPerFlush)
        .walEnabled(wal)
        .compaction(CompactionOptions.none())
        .build();
    engine = StoreEngine.open(dir, options, DiskFileSystem.INSTANCE);
    control = engine.writerControl();
    writer = testKit.spawn(WriterActor.create(control, gatedFlushes));
    engine.attach(new ActorWriterSignals(writer));
    return writer;
  }

  /** Writes on the fast path until the current memtable reaches the threshold (and no further). */
  private int fillMemtable(int from) {
    int i = from;
    var memtable = control.current().mutable();
    while (memtable.approximateBytes() < 4096) {
      assertTrue(engine.tryPut(b("key" + i), new byte[200]), "fast path accepted write " + i);
      i++;
    }
    return i;
  }

  private void awaitCondition(String what, java.util.function.BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void freezesTheMemtableWhenItReachesTheThreshold() throws Exception {
    start(4);
    var first = control.current().mutable();
    fillMemtable(0);
    awaitCondition("rotation", () -> control.current().mutable() != first);
    assertEquals(1, control.current().immutables().length);
    assertTrue(control.current().immutables()[0] == first, "the full memtable is the frozen one");
    assertTrue(control.current().mutable().isEmpty());
  }

  @Test
  void installsAFinishedFlushAsTheNewestL0File() throws Exception {
    start(4);
    int n = fillMemtable(0);
    awaitCondition("rotation", () -> control.current().immutables().length == 1);
    flushPermits.release();
    awaitCondition("flush installed", () -> control.current().l0().length == 1);
    assertEquals(0, control.current().immutables().length);
    for (int i = 0; i < n; i++) {
      assertArrayEquals(new byte[200], engine.get(b("key" + i)), "key" + i + " is read from the SST");
    }
  }

  @Test
  void writesWaitAtTheFrozenMemtableLimitAndApplyInOrderAfterAFlush() throws Exception {
    ActorRef<WriterActor.Command> writer = start(1);
    int next = fillMemtable(0);
    awaitCondition("first rotation", () -> control.current().immutables().length == 1);
    next = fillMemtable(next);
    // One frozen memtable waits for a flush that cannot finish, and the new one is full: stalled.
    assertFalse(engine.tryPut(b("stalled"), b("x")), "the fast path refuses a write while stalled");
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (int v = 0; v < 5; v++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      engine.enqueue(new WriteBatch().put(b("queued"), b("v" + v)), done);
      acks.add(done);
    }
    Thread.sleep(200);
    for (CompletableFuture<Void> a : acks) {
      assertFalse(a.isDone(), "a write waits while the store is stalled, it neither fails nor applies");
    }
    assertFalse(engine.tryPut(b("other"), b("x")), "the fast path queues behind waiting writes");
    flushPermits.release(10);
    for (CompletableFuture<Void> a : acks) {
      a.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
    assertArrayEquals(b("v4"), engine.get(b("queued")), "queued writes applied in arrival order");
    assertEquals(0, engine.queuedWrites());
    CompletableFuture<Void> flushed = new CompletableFuture<>();
    writer.tell(new WriterActor.Flush(flushed));
    flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    for (int i = 0; i < next; i++) {
      assertArrayEquals(new byte[200], engine.get(b("key" + i)));
    }
    assertTrue(engine.stats().writeStallNanos() > 0, "stall time is accounted");
  }

  @Test
  void flushRequestCompletesWhenEveryMemtableIsAnSst() throws Exception {
    ActorRef<WriterActor.Command> writer = start(4);
    engine.tryPut(b("a"), b("1"));
    CompletableFuture<Void> flushed = new CompletableFuture<>();
    writer.tell(new WriterActor.Flush(flushed));
    Thread.sleep(100);
    assertFalse(flushed.isDone(), "the flush cannot finish while its job is held");
    flushPermits.release();
    flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(1, control.current().l0().length);
    assertTrue(control.current().mutable().isEmpty());
    assertEquals(0, control.current().immutables().length);
  }

  @Test
  void flushOfAnEmptyStoreCompletesAtOnce() throws Exception {
    ActorRef<WriterActor.Command> writer = start(4);
    CompletableFuture<Void> flushed = new CompletableFuture<>();
    writer.tell(new WriterActor.Flush(flushed));
    flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(0, control.current().l0().length);
  }

  /** Fills memtables until {@code frozen} wait for flush; returns the number of keys written. */
  private int freeze(int frozen) throws InterruptedException {
    int n = 0;
    for (int i = 1; i <= frozen; i++) {
      n = fillMemtable(n);
      int expected = i;
      awaitCondition(expected + " frozen", () -> control.current().immutables().length == expected);
    }
    return n;
  }

  private long walFiles() {
    try (var files = java.nio.file.Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".wal")).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aFlushWaitsForMemtablesPerFlushFrozenMemtablesAndWritesThemAsOneL0File() throws Exception {
    start(4, true, 2);
    flushPermits.release(10); // a flush, once launched, runs at once
    int n = fillMemtable(0);
    awaitCondition("first rotation", () -> control.current().immutables().length == 1);
    Thread.sleep(200);
    assertEquals(1, control.current().immutables().length, "one frozen memtable waits for a second");
    assertEquals(0, control.current().l0().length);
    n = fillMemtable(n);
    awaitCondition("both flushed", () -> control.current().immutables().length == 0);
    assertEquals(1, control.current().l0().length, "two memtables, one L0 file");
    // The state is published before the WALs go: wait for them.
    awaitCondition("both flushed memtables' WALs deleted, the current one kept", () -> walFiles() == 1);
    for (int i = 0; i < n; i++) {
      assertArrayEquals(new byte[200], engine.get(b("key" + i)), "key" + i + " is read from the SST");
    }
    CompletableFuture<Void> closed = new CompletableFuture<>();
    engine.beginClose();
    writer.tell(new WriterActor.Close(closed));
    closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    testKit.createTestProbe().expectTerminated(writer, WAIT);
    writer = null;
    engine = StoreEngine.open(dir, engine.options(), DiskFileSystem.INSTANCE);
    assertEquals(1, engine.writerControl().current().l0().length, "the manifest's merged flush record reopens");
    for (int i = 0; i < n; i++) {
      assertArrayEquals(new byte[200], engine.get(b("key" + i)), "key" + i + " after reopening");
    }
  }

  @Test
  void aFlushAskedForWritesTheFrozenMemtablesThereAre() throws Exception {
    ActorRef<WriterActor.Command> writer = start(8, true, 4);
    flushPermits.release(10);
    int n = freeze(2);
    Thread.sleep(100);
    assertEquals(2, control.current().immutables().length, "two of four wait");
    CompletableFuture<Void> flushed = new CompletableFuture<>();
    writer.tell(new WriterActor.Flush(flushed));
    flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(0, control.current().immutables().length);
    assertEquals(1, control.current().l0().length, "the two frozen memtables, one L0 file");
    assertArrayEquals(new byte[200], engine.get(b("key" + (n - 1))));
  }

  @Test
  void waitingForCompactionsFlushesMemtablesThatWaitForCompany() throws Exception {
    ActorRef<WriterActor.Command> writer = start(8, true, 4);
    flushPermits.release(10);
    freeze(1);
    CompletableFuture<Void> idle = new CompletableFuture<>();
    writer.tell(new WriterActor.AwaitIdle(idle));
    idle.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(0, control.current().immutables().length, "idle means no flush is due");
    assertEquals(1, control.current().l0().length);
  }

  @Test
  void aFlushNeverWaitsUntilTheFrozenMemtablesAreAtTheirLimit() throws Exception {
    start(3, true, 4); // at 3 frozen memtables writes would wait: the flush starts at 2
    flushPermits.release(10);
    int n = freeze(1);
    n = fillMemtable(n);
    awaitCondition("the two frozen memtables flushed", () -> control.current().l0().length == 1);
    assertEquals(0, control.current().immutables().length);
    assertArrayEquals(new byte[200], engine.get(b("key" + (n - 1))));
  }

  /** Fills two memtables (one frozen, its flush held), queues one write behind them, and closes. */
  private void closeWithAQueuedWrite(ActorRef<WriterActor.Command> writer) throws Exception {
    fillMemtable(0);
    awaitCondition("first rotation", () -> control.current().immutables().length == 1);
    fillMemtable(1000);
    CompletableFuture<Void> queued = new CompletableFuture<>();
    engine.enqueue(new WriteBatch().put(b("late"), b("v")), queued);
    engine.beginClose();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    writer.tell(new WriterActor.Close(closed));
    flushPermits.release(100);
    closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertTrue(queued.isDone() && !queued.isCompletedExceptionally(), "the queued write was applied");
    testKit.createTestProbe().expectTerminated(writer, WAIT);
  }

  @Test
  void closeWithoutAWalAppliesQueuedWritesAndFlushesEverything() throws Exception {
    closeWithAQueuedWrite(start(1, false));
    assertTrue(control.current().mutable().isEmpty());
    assertEquals(0, control.current().immutables().length);
    // The writer released the store as its last act: it opens again without a releaseResources here.
    engine = StoreEngine.open(dir, engine.options(), DiskFileSystem.INSTANCE);
    assertArrayEquals(b("v"), engine.get(b("late")), "flushed into an SST, with no WAL to replay");
  }

  @Test
  void closeWithAWalAppliesQueuedWritesAndLeavesThemRecoverable() throws Exception {
    closeWithAQueuedWrite(start(1, true));
    // The writer released the store (WAL synced and closed, lock let go) as its last act.
    engine = StoreEngine.open(dir, engine.options(), DiskFileSystem.INSTANCE);
    assertArrayEquals(b("v"), engine.get(b("late")), "replayed from the WAL");
    assertArrayEquals(new byte[200], engine.get(b("key1000")));
  }
}
