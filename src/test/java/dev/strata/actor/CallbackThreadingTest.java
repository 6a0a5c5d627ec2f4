package dev.strata.actor;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.key;
import static dev.strata.TestHarness.s;
import static dev.strata.actor.ShutdownHarness.HANG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.strata.CompactionOptions;
import dev.strata.DurabilityAccess;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.GatedFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User code attached to a write's acknowledgement never runs on the writer actor's thread: a
 * callback may block, write, flush, sync or even close the store, and the writer keeps going.
 */
class CallbackThreadingTest {
  private static final byte[] VALUE = new byte[200];

  @TempDir Path dir;
  private ActorSystem<Void> system;

  @BeforeEach
  void startSystem() {
    system = ActorSystem.create(Behaviors.empty(), "callbacks", ConfigFactory.load());
  }

  @AfterEach
  void stopSystem() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static StrataOptions syncWrites() {
    return StrataOptions.builder().syncWrites(true).compaction(CompactionOptions.none()).build();
  }

  /** The smallest memtable and one frozen memtable at most: a held flush stalls writes quickly. */
  private static StrataOptions stallsEarly() {
    return StrataOptions.builder().memtableSizeBytes(4096).maxImmutableMemtables(1)
        .compaction(CompactionOptions.none()).build();
  }

  /** Writes asynchronously until a write is not acknowledged at once: the store is stalled. */
  private static CompletionStage<Done> writeUntilStalled(Strata db) {
    for (int i = 0; ; i++) {
      CompletionStage<Done> stage = db.putAsync(key(i), VALUE);
      if (!stage.toCompletableFuture().isDone()) {
        return stage;
      }
    }
  }

  @Test
  void aCallbackThatWritesSynchronouslyUnderSyncWritesDoesNotBlockTheWriter() {
    Strata db = Strata.open(system, dir, syncWrites());
    try {
      assertTimeoutPreemptively(HANG, () -> {
        db.putAsync(b("a"), b("1")).thenAccept(d -> db.put(b("b"), b("2"))).toCompletableFuture().join();
        db.put(b("c"), b("3"));
        db.flush();
        assertEquals("2", s(db.get(b("b"))));
        assertEquals("3", s(db.get(b("c"))));
      });
    } finally {
      ShutdownHarness.closeQuietly(db);
    }
  }

  @Test
  void aCallbackOnAWriteHeldByAStallMayWriteSynchronouslyBehindTheWritesQueuedAfterIt() throws Exception {
    GatedFileSystem fs = GatedFileSystem.holdingSsts(DiskFileSystem.INSTANCE);
    Strata db = DurabilityAccess.open(system, dir, stallsEarly(), fs);
    try {
      assertTimeoutPreemptively(HANG, () -> {
        CompletionStage<Done> held = writeUntilStalled(db);
        CompletionStage<Done> behind = db.putAsync(b("behind"), b("queued"));
        CompletableFuture<Void> chained = held.thenAccept(d -> db.put(b("from-callback"), b("written")))
            .toCompletableFuture();
        fs.open();
        chained.join();
        behind.toCompletableFuture().join();
        db.flush();
        assertEquals("written", s(db.get(b("from-callback"))));
      });
    } finally {
      fs.open();
      ShutdownHarness.closeQuietly(db);
    }
  }

  @Test
  void callbacksNeverRunOnTheWriterThread() throws Exception {
    Set<String> callbackThreads = ConcurrentHashMap.newKeySet();
    Strata synced = Strata.open(system, dir.resolve("synced"), syncWrites());
    try {
      assertTimeoutPreemptively(HANG, () -> {
        List<CompletableFuture<?>> callbacks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          callbacks.add(synced.putAsync(key(i), VALUE)
              .thenRun(() -> callbackThreads.add(Thread.currentThread().getName())).toCompletableFuture());
        }
        CompletableFuture.allOf(callbacks.toArray(CompletableFuture[]::new)).join();
      });
    } finally {
      ShutdownHarness.closeQuietly(synced);
    }
    GatedFileSystem fs = GatedFileSystem.holdingSsts(DiskFileSystem.INSTANCE);
    Strata stalled = DurabilityAccess.open(system, dir.resolve("stalled"), stallsEarly(), fs);
    try {
      assertTimeoutPreemptively(HANG, () -> {
        List<CompletableFuture<?>> callbacks = new ArrayList<>();
        callbacks.add(writeUntilStalled(stalled)
            .thenRun(() -> callbackThreads.add(Thread.currentThread().getName())).toCompletableFuture());
        for (int i = 0; i < 50; i++) {
          callbacks.add(stalled.putAsync(b("held" + i), VALUE)
              .thenRun(() -> callbackThreads.add(Thread.currentThread().getName())).toCompletableFuture());
        }
        fs.open();
        CompletableFuture.allOf(callbacks.toArray(CompletableFuture[]::new)).join();
      });
    } finally {
      fs.open();
      ShutdownHarness.closeQuietly(stalled);
    }
    assertFalse(callbackThreads.isEmpty());
    for (String name : callbackThreads) {
      assertFalse(name.contains("writer-dispatcher"), "a callback ran on the writer's thread " + name);
    }
  }

  @Test
  void aCallbackMayFlushSyncAndCloseTheStore() {
    Strata db = Strata.open(system, dir, syncWrites());
    try {
      assertTimeoutPreemptively(HANG, () -> {
        db.putAsync(b("a"), b("1")).thenRun(() -> {
          db.flush();
          db.sync();
          db.close();
        }).toCompletableFuture().join();
        assertTrue(db.isClosed());
      });
    } finally {
      ShutdownHarness.closeQuietly(db);
    }
    try (Strata reopened = Strata.open(system, dir, syncWrites())) {
      assertEquals("1", s(reopened.get(b("a"))));
    }
  }
}
