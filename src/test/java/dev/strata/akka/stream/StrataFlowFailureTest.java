package dev.strata.akka.stream;

import static dev.strata.akka.stream.StreamTestHarness.STUCK_SECONDS;
import static dev.strata.akka.stream.StreamTestHarness.closeIgnoringErrors;
import static dev.strata.akka.stream.StreamTestHarness.key;
import static dev.strata.akka.stream.StreamTestHarness.messages;
import static dev.strata.akka.stream.StreamTestHarness.put;
import static dev.strata.akka.stream.StreamTestHarness.s;
import static dev.strata.akka.stream.StreamTestHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.japi.Pair;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.testkit.TestPublisher;
import akka.stream.testkit.TestSubscriber;
import akka.stream.testkit.javadsl.TestSink;
import akka.stream.testkit.javadsl.TestSource;
import dev.strata.CompactionOptions;
import dev.strata.DurabilityAccess;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.fs.FaultInjectingFileSystem;
import dev.strata.fs.FaultInjectingFileSystem.Op;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.testing.ActorSystemPerClass;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that fails fails the stream with the store's own exception, and nothing the flow emitted
 * before is lost: after a process crash (power loss, with synced writes) and a reopen, every
 * emitted element is in the store.
 */
class StrataFlowFailureTest {
  private static final Path DIR = Path.of("/strata-stream/db");
  private static final int N = 2000;
  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("stream-test");

  @TempDir
  Path diskDir;

  private static List<KeyValue> input() {
    List<KeyValue> input = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      input.add(put(key(i), value(i, i)));
    }
    return input;
  }

  /** 1 MiB memtables, so that the only appends and syncs are the WAL's. */
  private static StrataOptions options(boolean syncWrites) {
    return StrataOptions.builder().memtableSizeBytes(1 << 20).compaction(CompactionOptions.none())
        .syncWrites(syncWrites).build();
  }

  /** Runs the input through the flow into {@code db}; returns what was emitted and the stream's failure. */
  private static Pair<List<KeyValue>, Throwable> runToFailure(Strata db) throws Exception {
    List<KeyValue> emitted = Collections.synchronizedList(new ArrayList<>());
    StrataWriteSettings settings = StrataWriteSettings.create().withBatchSize(10).withParallelism(4);
    CompletionStage<Done> done = Source.from(input())
        .via(StrataFlow.write(db, settings))
        .map(kv -> {
          emitted.add(kv);
          return kv;
        })
        .runWith(Sink.ignore(), SYSTEM.get());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> done.toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS));
    return Pair.create(new ArrayList<>(emitted), e.getCause());
  }

  private static void assertEmittedSurvived(List<KeyValue> emitted, Strata reopened) {
    assertTrue(!emitted.isEmpty() && emitted.size() < N, emitted.size() + " of " + N + " emitted");
    for (KeyValue kv : emitted) {
      assertEquals(s(kv.value()), s(reopened.get(kv.key())), s(kv.key()) + " was emitted, so it was acknowledged");
    }
  }

  @Test
  void aWalAppendErrorFailsTheStreamWithTheStoresExceptionAndNothingEmittedIsLostInACrash() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    Strata db = DurabilityAccess.open(SYSTEM.get(), DIR, options(false), fs);
    Pair<List<KeyValue>, Throwable> result;
    try {
      fs.failAt(Op.APPEND, 50); // the WAL record of the 50th batch
      result = runToFailure(db);
      mem.killProcess();
    } finally {
      closeIgnoringErrors(db);
    }
    Throwable cause = result.second();
    assertTrue(cause instanceof StrataException, "the store's exception itself: " + cause);
    assertTrue(messages(cause).contains("injected failure: APPEND #50"), messages(cause));
    fs.clearFailures();
    try (Strata reopened = DurabilityAccess.open(SYSTEM.get(), DIR, options(false), fs)) {
      assertEmittedSurvived(result.first(), reopened);
    }
  }

  @Test
  void aWalSyncErrorFailsTheStreamAndEverySyncedElementEmittedSurvivesAPowerLoss() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    Strata db = DurabilityAccess.open(SYSTEM.get(), DIR, options(true), fs);
    Pair<List<KeyValue>, Throwable> result;
    try {
      fs.failAt(Op.SYNC, 20); // a group commit's fsync: every batch of the group fails
      result = runToFailure(db);
      mem.crash();
    } finally {
      closeIgnoringErrors(db);
    }
    Throwable cause = result.second();
    assertTrue(cause instanceof StrataException, "the store's exception itself: " + cause);
    assertTrue(messages(cause).contains("injected failure: SYNC #20"), messages(cause));
    fs.clearFailures();
    try (Strata reopened = DurabilityAccess.open(SYSTEM.get(), DIR, options(true), fs)) {
      assertEmittedSurvived(result.first(), reopened);
    }
  }

  @Test
  void aStoreClosedUnderTheStreamFailsItWithIllegalStateExceptionAndKeepsWhatWasEmitted() {
    StrataWriteSettings settings = StrataWriteSettings.create().withBatchSize(10);
    List<KeyValue> input = input();
    Strata db = Strata.open(SYSTEM.get(), diskDir, options(false));
    Pair<TestPublisher.Probe<KeyValue>, TestSubscriber.Probe<KeyValue>> probes;
    try {
      probes = TestSource.<KeyValue>create(SYSTEM.get())
          .via(StrataFlow.write(db, settings))
          .toMat(TestSink.create(SYSTEM.get()), Keep.both())
          .run(SYSTEM.get());
      probes.second().request(N);
      for (int i = 0; i < 100; i++) {
        probes.first().sendNext(input.get(i));
      }
      probes.second().expectNextN(100);
    } finally {
      db.close();
    }
    probes.first().sendNext(input.get(100));
    Throwable error = probes.second().expectError();
    assertTrue(error instanceof IllegalStateException, String.valueOf(error));
    assertEquals("store is closed", error.getMessage());
    probes.first().expectCancellation();
    try (Strata reopened = Strata.open(SYSTEM.get(), diskDir, options(false))) {
      for (int i = 0; i < 100; i++) {
        assertEquals(s(input.get(i).value()), s(reopened.get(input.get(i).key())));
      }
    }
  }

  @Test
  void aSinkOnAClosedStoreFailsAtItsFirstBatch() throws Exception {
    Strata db = Strata.open(SYSTEM.get(), diskDir, options(false));
    db.close();
    CompletionStage<Done> done = Source.from(input()).runWith(StrataSink.write(db, StrataWriteSettings.create()), SYSTEM.get());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> done.toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
  }
}
