package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.key;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FaultInjectingFileSystem;
import dev.strata.fs.FaultInjectingFileSystem.Kind;
import dev.strata.fs.FaultInjectingFileSystem.Op;
import dev.strata.testing.ActorSystemPerClass;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store's {@link StrataListener}s hear of every flush and compaction it installs, with the bytes
 * its stats count, and of its error state; on the callback dispatcher, in the order things
 * happened, never on the writer's thread; and nothing a listener does (block, throw) holds up or
 * breaks the store. Waits for asynchronous delivery are bounded hang guards, never timing checks.
 */
class ListenerTest {
  /** How long a wait for an event may take before the test calls it lost (a hang guard). */
  private static final long GUARD_SECONDS = 60;

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("listener-test");

  @TempDir
  Path dir;

  /** Records every event with the thread it arrived on. */
  private static final class Recorder implements StrataListener {
    final List<FlushInfo> flushes = new CopyOnWriteArrayList<>();
    final List<CompactionInfo> compactions = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final List<String> recoveries = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void onFlushCompleted(FlushInfo info) {
      threads.add(Thread.currentThread().getName());
      flushes.add(info);
    }

    @Override
    public void onCompactionCompleted(CompactionInfo info) {
      threads.add(Thread.currentThread().getName());
      compactions.add(info);
    }

    @Override
    public void onBackgroundError(Throwable error) {
      threads.add(Thread.currentThread().getName());
      errors.add(error);
    }

    @Override
    public void onErrorRecovered() {
      threads.add(Thread.currentThread().getName());
      recoveries.add("recovered");
    }

    long flushBytes() {
      return flushes.stream().mapToLong(FlushInfo::bytesWritten).sum();
    }

    long compactionBytes() {
      return compactions.stream().mapToLong(CompactionInfo::bytesWritten).sum();
    }
  }

  /** Small memtables and an eager leveled compaction, so a short run makes many flushes and compactions. */
  private static StrataOptions.Builder busyOptions() {
    return StrataOptions.builder()
        .memtableSizeBytes(8 * 1024)
        .targetSstSizeBytes(8 * 1024)
        .blockSizeBytes(512)
        .maxImmutableMemtables(2)
        .compaction(CompactionOptions.leveled().level0FileTrigger(2).baseLevelBytes(32 * 1024));
  }

  private static void writeKeys(Strata db, int from, int to) {
    for (int i = from; i < to; i++) {
      // Keys revisited and spread, so compactions merge overlapping files rather than only move them.
      db.put(key((i * 7919) % 2000), b("value-" + i + "-".repeat(40)));
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + GUARD_SECONDS + "s: " + what);
      }
      Thread.sleep(10);
    }
  }

  private static String messages(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c).append(" / ");
    }
    return all.toString();
  }

  @Test
  void theListenerHearsEveryFlushAndCompactionWithTheBytesStatsCount() throws Exception {
    Recorder heard = new Recorder();
    try (Strata db = Strata.open(SYSTEM.get(), dir, busyOptions().listener(heard).build())) {
      writeKeys(db, 0, 6000);
      db.flush();
      db.compact();
      db.waitForCompactions();
      StrataStats stats = db.stats();
      assertTrue(stats.flushBytesWritten() > 0 && stats.compactionBytesWritten() > 0, stats.toString());
      // Every install was emitted before waitForCompactions returned; delivery may still be on its way.
      await("the listener's flush bytes reach stats' " + stats.flushBytesWritten(),
          () -> heard.flushBytes() >= stats.flushBytesWritten());
      await("the listener's compaction bytes reach stats' " + stats.compactionBytesWritten(),
          () -> heard.compactionBytes() >= stats.compactionBytesWritten());
      assertEquals(stats.flushBytesWritten(), heard.flushBytes(), "sum of FlushInfo.bytesWritten");
      assertEquals(stats.compactionBytesWritten(), heard.compactionBytes(), "sum of CompactionInfo.bytesWritten");
      assertTrue(heard.flushes.size() > 5, "flushes heard: " + heard.flushes.size());
      assertTrue(heard.compactions.size() > 1, "compactions heard: " + heard.compactions.size());
    }
    long previous = 0;
    for (FlushInfo f : heard.flushes) {
      // Flushes run one at a time, so their files are numbered in the order they were installed:
      // an event delivered out of order shows here.
      assertTrue(f.fileNumber() > previous, "flush events out of order: " + heard.flushes);
      previous = f.fileNumber();
      assertEquals(0, f.level());
      assertTrue(f.entries() > 0 && f.bytesWritten() > 0 && !f.duration().isNegative(), f.toString());
    }
    for (CompactionInfo c : heard.compactions) {
      assertEquals(c.inputFileNumbers().size(), c.inputLevels().size(), c.toString());
      assertFalse(c.inputFileNumbers().isEmpty(), c.toString());
      assertTrue(c.inputLevels().stream().allMatch(level -> level <= c.outputLevel()), c.toString());
      if (c.trivialMove()) {
        assertEquals(c.inputFileNumbers(), c.outputFileNumbers(), "a trivial move keeps its files: " + c);
        assertEquals(0, c.bytesRead());
        assertEquals(0, c.bytesWritten());
      } else {
        assertTrue(c.bytesRead() > 0, c.toString());
        assertTrue(Collections.disjoint(c.inputFileNumbers(), c.outputFileNumbers()), c.toString());
      }
    }
    // compact() ends in one sorted run at the bottom: the last compaction heard made it.
    CompactionInfo last = heard.compactions.get(heard.compactions.size() - 1);
    assertTrue(last.outputLevel() > 0, last.toString());
  }

  @Test
  void eventsArriveOnTheCallbackDispatcherNeverOnTheWritersThread() throws Exception {
    Recorder heard = new Recorder();
    try (Strata db = Strata.open(SYSTEM.get(), dir, busyOptions().listener(heard).build())) {
      writeKeys(db, 0, 3000);
      db.compact();
      await("a flush and a compaction are heard", () -> !heard.flushes.isEmpty() && !heard.compactions.isEmpty());
    }
    assertFalse(heard.threads.isEmpty());
    for (String thread : heard.threads) {
      assertFalse(thread.contains("writer-dispatcher"), "an event ran on the writer's thread " + thread);
      assertTrue(thread.contains("callback-dispatcher"), "an event ran on " + thread);
    }
  }

  @Test
  void aListenerThatBlocksDoesNotHoldUpWritesOrFlushes() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    Recorder heard = new Recorder();
    StrataListener blocking = new StrataListener() {
      @Override
      public void onFlushCompleted(FlushInfo info) {
        blocked.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    try (Strata db = Strata.open(SYSTEM.get(), dir, busyOptions().listener(blocking).listener(heard).build())) {
      try {
        // Many more flushes than maxImmutableMemtables: were the writer waiting for the listener,
        // the writes would wait for a flush that never comes, and the hang guard would fire.
        CompletableFuture<Void> work = CompletableFuture.runAsync(() -> {
          writeKeys(db, 0, 6000);
          db.flush();
        });
        work.get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertTrue(blocked.await(GUARD_SECONDS, TimeUnit.SECONDS), "the first flush event never came");
        assertEquals(1, release.getCount(), "the listener was still blocked while every write and flush finished");
        assertTrue(heard.flushes.isEmpty(), "the next listener waits its turn: events are delivered one at a time");
        assertEquals("value-5999" + "-".repeat(40), s(db.get(key((5999 * 7919) % 2000))));
      } finally {
        release.countDown();
      }
      long flushBytes = db.stats().flushBytesWritten();
      await("every flush is heard once the listener lets go", () -> heard.flushBytes() >= flushBytes);
    }
  }

  @Test
  void aListenerThatThrowsIsHarmlessToTheStoreAndToTheOtherListeners() throws Exception {
    List<String> calls = new CopyOnWriteArrayList<>();
    StrataListener throwing = new StrataListener() {
      @Override
      public void onFlushCompleted(FlushInfo info) {
        calls.add("throwing:" + info.fileNumber());
        throw new IllegalStateException("a listener's bug");
      }

      @Override
      public void onCompactionCompleted(CompactionInfo info) {
        throw new AssertionError("an Error a listener throws is contained too");
      }
    };
    Recorder heard = new Recorder();
    StrataListener next = new StrataListener() {
      @Override
      public void onFlushCompleted(FlushInfo info) {
        calls.add("next:" + info.fileNumber());
      }
    };
    try (Strata db = Strata.open(SYSTEM.get(), dir, busyOptions().listener(throwing).listener(next).listener(heard).build())) {
      writeKeys(db, 0, 4000);
      db.compact();
      db.waitForCompactions();
      long flushBytes = db.stats().flushBytesWritten();
      long compactionBytes = db.stats().compactionBytesWritten();
      await("the other listeners hear every event", () -> heard.flushBytes() >= flushBytes
          && heard.compactionBytes() >= compactionBytes);
      assertEquals(compactionBytes, heard.compactionBytes());
      assertTrue(db.errorState().isEmpty(), "a listener's exception is not the store's error");
      db.put(b("after"), b("fine"));
      assertEquals("fine", s(db.get(b("after"))));
      db.flush();
    }
    // Each event goes to the listeners in the order they were added, the thrower's failure notwithstanding.
    assertTrue(calls.size() >= 2 && calls.size() % 2 == 0, calls.toString());
    for (int i = 0; i < calls.size(); i += 2) {
      String file = calls.get(i).substring("throwing:".length());
      assertEquals(List.of("throwing:" + file, "next:" + file), calls.subList(i, i + 2));
    }
  }

  @Test
  void anInjectedIoErrorIsHeardAsABackgroundError() throws Exception {
    Recorder heard = new Recorder();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(DiskFileSystem.INSTANCE);
    Strata db = Strata.open(SYSTEM.get(), dir, busyOptions().listener(heard).build(), fs);
    try {
      db.put(b("k"), b("v"));
      fs.failAlways(Op.CREATE, Kind.IO_EXCEPTION, path -> path.getFileName().toString().endsWith(".sst.tmp"));
      assertThrows(StrataException.class, db::flush);
      await("the background error is heard", () -> !heard.errors.isEmpty());
      Throwable cause = db.errorState().orElseThrow();
      assertSame(cause, heard.errors.get(0), "the listener hears the cause the store keeps");
      assertTrue(messages(cause).contains("injected failure"), messages(cause));
      assertEquals("v", s(db.get(b("k"))), "reads keep working");
      assertTrue(heard.flushes.isEmpty(), "the failed flush is not heard as completed");
    } finally {
      fs.clearFailures();
      try {
        db.close();
      } catch (RuntimeException ignored) {
        // closing a store in its error state may report that error again
      }
    }
    assertEquals(1, heard.errors.size(), "one error state, one event: " + heard.errors);
    assertTrue(heard.recoveries.isEmpty());
  }

  @Test
  void aFullDeviceIsHeardAsABackgroundErrorThenAsRecovered() throws Exception {
    Recorder heard = new Recorder();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(DiskFileSystem.INSTANCE);
    try (Strata db = Strata.open(SYSTEM.get(), dir, busyOptions().listener(heard).build(), fs)) {
      db.put(b("k"), b("v"));
      fs.failAlways(Op.CREATE, Kind.NO_SPACE, path -> path.getFileName().toString().endsWith(".sst.tmp"));
      assertThrows(StrataException.class, db::flush);
      await("the background error is heard", () -> !heard.errors.isEmpty());
      fs.clearFailures();
      // The writer retries the flush after its back-off; once it is installed, the store recovers.
      await("the recovery is heard", () -> !heard.recoveries.isEmpty());
      assertTrue(db.errorState().isEmpty());
      assertEquals(1, heard.errors.size(), heard.errors.toString());
      assertTrue(messages(heard.errors.get(0)).contains("No space left on device"), messages(heard.errors.get(0)));
      assertEquals(1, heard.flushes.size(), "the retried flush is heard, before the recovery");
      db.put(b("k2"), b("v2"));
      assertEquals("v2", s(db.get(b("k2"))));
    }
  }

  @Test
  void listenersAreAnOptionThatKeepsEveryOneInOrder() {
    StrataListener first = new StrataListener() {};
    StrataListener second = new StrataListener() {};
    StrataOptions options = StrataOptions.builder().listener(first).listener(second).listener(first).build();
    assertEquals(List.of(first, second, first), options.listeners());
    assertEquals(options.listeners(), options.toBuilder().build().listeners(), "toBuilder keeps the listeners");
    assertThrows(UnsupportedOperationException.class, () -> options.listeners().add(second));
    assertTrue(StrataOptions.defaults().listeners().isEmpty());
    NullPointerException npe = assertThrows(NullPointerException.class, () -> StrataOptions.builder().listener(null));
    assertTrue(npe.getMessage().contains("listener"), npe.getMessage());
    List<StrataListener> more = new ArrayList<>(options.listeners());
    more.add(second);
    assertEquals(more, options.toBuilder().listener(second).build().listeners());
    assertEquals(3, options.listeners().size(), "adding to a builder from toBuilder leaves the options alone");
  }
}
