package dev.strata.actor;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import dev.strata.CompactionOptions;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.WriteBatch;
import dev.strata.engine.StoreEngine;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.ForwardingWritableFile;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Synced writes that wait in the writer's mailbox together share one fsync. */
class GroupCommitActorTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void syncedWritesQueuedTogetherShareAnFsyncAndEachIsAcknowledgedAfterIt() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    // The writer's first WAL sync waits until all 500 writes are in its mailbox, so that they do
    // wait there together whatever the scheduler does: with the machine busy (the whole suite on
    // two cores) the writer used to drain the mailbox while this thread was still filling it.
    CountDownLatch allQueued = new CountDownLatch(1);
    AtomicBoolean gated = new AtomicBoolean();
    FileSystem gate = new ForwardingFileSystem(fs) {
      @Override
      public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
        return new ForwardingWritableFile(delegate.createMapped(path, segmentBytes, preparer)) {
          @Override
          public void sync() throws IOException {
            if (gated.get()) {
              try {
                allQueued.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            super.sync();
          }
        };
      }
    };
    StrataOptions options = StrataOptions.builder().syncWrites(true).compaction(CompactionOptions.none()).build();
    StoreEngine engine = StoreEngine.open(Path.of("/group-commit"), options, gate);
    ActorRef<WriterActor.Command> writer = testKit.spawn(WriterActor.create(engine.writerControl(), ForkJoinPool.commonPool()));
    engine.attach(new ActorWriterSignals(writer));
    long syncsBefore = fs.syncCount();
    gated.set(true);

    // 500 writes reach the mailbox before the writer can sync the first of them.
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      assertTrue(!engine.tryWriteWithoutWaiting(new WriteBatch().put(b("k" + i), b("v" + i))),
          "a synced write whose caller must not wait never takes the fast path");
      CompletableFuture<Void> done = new CompletableFuture<>();
      engine.enqueue(new WriteBatch().put(b("k" + i), b("v" + i)), done);
      acks.add(done);
    }
    allQueued.countDown();
    for (CompletableFuture<Void> ack : acks) {
      ack.get(10, TimeUnit.SECONDS);
    }
    long syncs = fs.syncCount() - syncsBefore;
    System.out.println("500 synced writes, " + syncs + " fsyncs");
    assertTrue(syncs >= 1 && syncs < 50, "fsyncs shared by the queued writes: " + syncs);

    // Everything acknowledged survives a power loss.
    fs.crash();
    StoreEngine crashed = engine;
    // The WAL handle died with the power: closing reports it, after releasing what it holds.
    assertThrows(StrataException.class, crashed::releaseResources);
    engine = StoreEngine.open(Path.of("/group-commit"), options, fs);
    for (int i = 0; i < 500; i++) {
      assertArrayEquals(b("v" + i), engine.get(b("k" + i)));
    }
    engine.releaseResources();
  }
}
