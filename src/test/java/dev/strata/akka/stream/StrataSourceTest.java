package dev.strata.akka.stream;

import static dev.strata.akka.stream.StreamTestHarness.STUCK_SECONDS;
import static dev.strata.akka.stream.StreamTestHarness.b;
import static dev.strata.akka.stream.StreamTestHarness.key;
import static dev.strata.akka.stream.StreamTestHarness.put;
import static dev.strata.akka.stream.StreamTestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.stream.javadsl.Sink;
import akka.stream.testkit.TestSubscriber;
import akka.stream.testkit.javadsl.TestSink;
import dev.strata.Bound;
import dev.strata.CompactionFilter;
import dev.strata.CompactionOptions;
import dev.strata.DurabilityAccess;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.akka.stream.StreamTestHarness.InstrumentedFileSystem;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FaultInjectingFileSystem;
import dev.strata.fs.FaultInjectingFileSystem.Op;
import dev.strata.testing.ActorSystemPerClass;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/** StrataSource.scan: exactly the range, from a snapshot taken as it starts, and nothing held once it ends. */
class StrataSourceTest {
  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("stream-test");

  @TempDir
  Path dir;

  /** Small blocks, no block cache, no automatic compaction: scans read files, compactions run when asked. */
  private static StrataOptions options() {
    return StrataOptions.builder().blockSizeBytes(512).blockCacheBytes(0).compaction(CompactionOptions.none()).build();
  }

  private static void fill(Strata db, int n) {
    for (int i = 0; i < n; i++) {
      db.put(b(key(i)), b("v" + i));
    }
  }

  private static List<String> keys(int fromInclusive, int toExclusive) {
    return IntStream.range(fromInclusive, toExclusive).mapToObj(StreamTestHarness::key).toList();
  }

  private static List<String> scanKeys(Strata db, Bound lower, Bound upper) throws Exception {
    return StrataSource.scan(db, lower, upper).map(kv -> s(kv.key()))
        .runWith(Sink.seq(), SYSTEM.get()).toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void aScanStreamsExactlyItsRangeInKeyOrder() throws Exception {
    try (Strata db = Strata.open(SYSTEM.get(), dir, options())) {
      fill(db, 100);
      db.flush();
      db.put(b(key(15)), b("newer")); // one key in the memtable over its flushed version
      db.delete(b(key(16)));
      List<String> expected = new ArrayList<>(keys(10, 20));
      expected.remove(key(16));
      assertEquals(expected, scanKeys(db, Bound.included(b(key(10))), Bound.excluded(b(key(20)))));
      expected.remove(key(10));
      expected.add(key(20));
      assertEquals(expected, scanKeys(db, Bound.excluded(b(key(10))), Bound.included(b(key(20)))));
      assertEquals(99, scanKeys(db, Bound.unbounded(), Bound.unbounded()).size());
      assertEquals(List.of(), scanKeys(db, Bound.included(b("zzz")), Bound.unbounded()));
      KeyValue first = StrataSource.scan(db, Bound.included(b(key(15))), Bound.unbounded())
          .runWith(Sink.head(), SYSTEM.get()).toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS);
      assertEquals(put(key(15), "newer"), first);
    }
  }

  @Test
  void aScanSeesTheStoreAsItWasWhenItStartedWhateverIsWrittenAfter() throws Exception {
    try (Strata db = Strata.open(SYSTEM.get(), dir, options())) {
      fill(db, 200);
      db.flush();
      TestSubscriber.Probe<KeyValue> probe = StrataSource.scan(db, Bound.unbounded(), Bound.unbounded())
          .runWith(TestSink.create(SYSTEM.get()), SYSTEM.get());
      assertEquals(put(key(0), "v0"), probe.requestNext()); // the snapshot exists from here on
      for (int i = 0; i < 200; i += 2) {
        db.put(b(key(i)), b("overwritten"));
        db.delete(b(key(i + 1)));
        db.put(b(key(1000 + i)), b("added"));
      }
      db.flush();
      db.compact(); // the files the scan started on are replaced
      probe.request(1000);
      List<KeyValue> rest = CollectionConverters.asJava(probe.expectNextN(199));
      probe.expectComplete();
      for (int i = 1; i < 200; i++) {
        assertEquals(put(key(i), "v" + i), rest.get(i - 1));
      }
    }
  }

  /** Writes the key {@link #snapshotOpen} looks for; before the scan whose snapshot it probes. */
  private static void writeProbe(Strata db) {
    db.put(b("tmp/probe"), b("x"));
  }

  /**
   * A compaction filter spares a version an open snapshot reads and drops it once none does, so the
   * probe, written before the scan began, survives a full compaction while the scan's snapshot is
   * open and goes at the first one after it closed.
   */
  private static boolean snapshotOpen(Strata db) {
    db.compact();
    return db.get(b("tmp/probe")) != null;
  }

  @Test
  void cancellingTheScanClosesItsSnapshotAndIteratorSoTheStoreClosesCleanly() throws Exception {
    Strata db = Strata.open(SYSTEM.get(), dir, options());
    try {
      db.addCompactionFilter(CompactionFilter.prefix(b("tmp/")));
      fill(db, 100);
      writeProbe(db);
      TestSubscriber.Probe<KeyValue> probe = StrataSource.scan(db, Bound.unbounded(), Bound.unbounded())
          .runWith(TestSink.create(SYSTEM.get()), SYSTEM.get());
      assertNotNull(probe.requestNext());
      assertTrue(snapshotOpen(db), "the running scan holds a snapshot");
      probe.cancel();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STUCK_SECONDS);
      while (snapshotOpen(db)) { // the stage closes it asynchronously, just after the cancel
        assertTrue(System.nanoTime() < deadline, "the snapshot is still open " + STUCK_SECONDS + " s after the cancel");
        Thread.sleep(20);
      }
    } finally {
      db.close();
    }
    try (Strata reopened = Strata.open(SYSTEM.get(), dir, options())) {
      assertEquals("v7", s(reopened.get(b(key(7)))));
    }
  }

  @Test
  void aScanRunToTheEndClosesItsSnapshotBeforeItCompletes() throws Exception {
    try (Strata db = Strata.open(SYSTEM.get(), dir, options())) {
      db.addCompactionFilter(CompactionFilter.prefix(b("tmp/")));
      fill(db, 100);
      writeProbe(db);
      assertEquals(101, scanKeys(db, Bound.unbounded(), Bound.unbounded()).size());
      assertTrue(!snapshotOpen(db), "the finished scan left a snapshot open");
    }
  }

  @Test
  void aFailedReadFailsTheStreamWithTheStoresExceptionAndClosesTheSnapshot() throws Exception {
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(DiskFileSystem.INSTANCE);
    try (Strata db = DurabilityAccess.open(SYSTEM.get(), dir, options(), fs)) {
      db.addCompactionFilter(CompactionFilter.prefix(b("tmp/")));
      fill(db, 500);
      writeProbe(db);
      db.flush();
      TestSubscriber.Probe<KeyValue> probe = StrataSource.scan(db, Bound.unbounded(), Bound.unbounded())
          .runWith(TestSink.create(SYSTEM.get()), SYSTEM.get());
      assertNotNull(probe.requestNext());
      fs.failAlways(Op.READ); // the next data block the iterator needs
      probe.request(1000);
      Throwable error = null;
      for (int i = 1; i < 500 && error == null; i++) {
        var next = probe.expectNextOrError();
        error = next.isLeft() ? next.swap().toOption().get() : null;
      }
      assertTrue(error instanceof StrataException, "the store's exception: " + error);
      assertTrue(StreamTestHarness.messages(error).contains("injected failure: READ"), StreamTestHarness.messages(error));
      fs.clearFailures();
      assertTrue(!snapshotOpen(db), "the failed scan left a snapshot open");
    }
  }

  @Test
  void theScanReadsOnTheBlockingDispatcher() throws Exception {
    InstrumentedFileSystem fs = new InstrumentedFileSystem(DiskFileSystem.INSTANCE, 0);
    try (Strata db = DurabilityAccess.open(SYSTEM.get(), dir, options(), fs)) {
      fill(db, 1000);
      db.flush();
      fs.readerThreads.clear();
      assertEquals(1000, scanKeys(db, Bound.unbounded(), Bound.unbounded()).size());
      assertTrue(!fs.readerThreads.isEmpty(), "the scan read blocks from the SST");
      assertTrue(fs.readerThreads.stream().allMatch(t -> t.contains("strata.blocking-dispatcher")),
          String.join(", ", fs.readerThreads));
    }
  }

  @Test
  void aScanThatIsNeverRunTakesNoSnapshot() {
    try (Strata db = Strata.open(SYSTEM.get(), dir, options())) {
      db.addCompactionFilter(CompactionFilter.prefix(b("tmp/")));
      writeProbe(db);
      StrataSource.scan(db, Bound.unbounded(), Bound.unbounded());
      assertTrue(!snapshotOpen(db));
    }
  }
}
