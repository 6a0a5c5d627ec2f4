package dev.strata.akka.stream;

import static dev.strata.akka.stream.StreamTestHarness.feed;
import static dev.strata.akka.stream.StreamTestHarness.key;
import static dev.strata.akka.stream.StreamTestHarness.millis;
import static dev.strata.akka.stream.StreamTestHarness.put;
import static dev.strata.akka.stream.StreamTestHarness.s;
import static dev.strata.akka.stream.StreamTestHarness.stallingOptions;
import static dev.strata.akka.stream.StreamTestHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.japi.Pair;
import akka.stream.testkit.TestPublisher;
import akka.stream.testkit.TestSubscriber;
import akka.stream.testkit.javadsl.TestSink;
import akka.stream.testkit.javadsl.TestSource;
import dev.strata.DurabilityAccess;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.akka.stream.StreamTestHarness.InstrumentedFileSystem;
import dev.strata.fs.DiskFileSystem;
import dev.strata.testing.ActorSystemPerClass;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A store that acknowledges late slows the stream down instead of letting elements pile up: the
 * flow pulls from upstream only while fewer than about (parallelism + 2) batches are unacknowledged,
 * and every element still arrives.
 */
class StrataFlowBackPressureTest {
  private static final int BATCH = 20;
  private static final int PARALLELISM = 3;
  /**
   * Elements between publisher and acknowledgement at most: a batch being grouped, the batches in
   * flight, the batch being emitted, and the 16-element input buffer of the stream's boundary with
   * the probe, plus a few single-element stages.
   */
  private static final long BOUND = (PARALLELISM + 2L) * BATCH + 16 + 4;

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("stream-test");

  @TempDir
  Path dir;

  private static List<KeyValue> input(int n) {
    List<KeyValue> input = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      input.add(put(key(i), value(i, i)));
    }
    return input;
  }

  /** Publisher probe, flow, a counter of acknowledged elements, subscriber probe. */
  private static Pair<TestPublisher.Probe<KeyValue>, TestSubscriber.Probe<KeyValue>> run(Strata db,
      AtomicLong acknowledged) {
    StrataWriteSettings settings = StrataWriteSettings.create().withBatchSize(BATCH).withParallelism(PARALLELISM);
    return TestSource.<KeyValue>create(SYSTEM.get())
        .via(StrataFlow.write(db, settings))
        .map(kv -> {
          acknowledged.incrementAndGet();
          return kv;
        })
        .toMat(TestSink.create(SYSTEM.get()), akka.stream.javadsl.Keep.both())
        .run(SYSTEM.get());
  }

  private static void assertAllStored(Strata db, List<KeyValue> input) {
    for (KeyValue kv : input) {
      assertEquals(s(kv.value()), s(db.get(kv.key())), s(kv.key()));
    }
  }

  @Test
  void aStalledStoreStopsThePullingUntilAFlushMakesRoomThenEveryElementArrives() {
    int n = 5000; // 500 KiB: many times what two 16 KiB memtables hold
    List<KeyValue> input = input(n);
    InstrumentedFileSystem fs = new InstrumentedFileSystem(DiskFileSystem.INSTANCE, 0);
    try (Strata db = DurabilityAccess.open(SYSTEM.get(), dir, stallingOptions().build(), fs)) {
      fs.closeGate(); // flushes wait: once both memtables are full, writes wait at the writer
      AtomicLong acknowledged = new AtomicLong();
      var probes = run(db, acknowledged);
      TestPublisher.Probe<KeyValue> publisher = probes.first();
      TestSubscriber.Probe<KeyValue> subscriber = probes.second();
      subscriber.request(n); // downstream never holds anything back: only the store can

      Iterator<KeyValue> it = input.iterator();
      long sent = feed(publisher, it, 0, acknowledged::get, BOUND, 1000);
      assertTrue(sent < n, "the stream kept pulling from a stalled store: all " + n + " elements taken");
      assertTrue(fs.sstsWaiting.get() > 0, "a flush waits at the gate");
      publisher.expectNoMessage(millis(500)); // still no demand: back-pressured, not merely slow
      long stalledAt = acknowledged.get();
      assertTrue(sent - stalledAt <= BOUND, (sent - stalledAt) + " elements in flight");
      assertEquals(stalledAt, acknowledged.get(), "nothing acknowledged while flushes are held");

      fs.openGate();
      sent = feed(publisher, it, sent, acknowledged::get, BOUND, 10_000);
      assertEquals(n, sent);
      publisher.sendComplete();
      List<KeyValue> emitted = new ArrayList<>(CollectionConverters.asJava(subscriber.expectNextN(n)));
      subscriber.expectComplete();
      assertEquals(input, emitted);
      assertAllStored(db, input);
      assertTrue(db.stats().writeStallNanos() > 0, "the store recorded the stall");
    }
  }

  @Test
  void aSlowStoreKeepsAtMostTheBoundInFlightAndGetsEveryElement() {
    int n = 2000;
    List<KeyValue> input = input(n);
    // Every write is synced, and every sync takes 20 ms: about (parallelism x batch) per 20 ms.
    InstrumentedFileSystem fs = new InstrumentedFileSystem(DiskFileSystem.INSTANCE, 20);
    StrataOptions options = stallingOptions().memtableSizeBytes(1 << 20).syncWrites(true).build();
    try (Strata db = DurabilityAccess.open(SYSTEM.get(), dir, options, fs)) {
      AtomicLong acknowledged = new AtomicLong();
      var probes = run(db, acknowledged);
      TestPublisher.Probe<KeyValue> publisher = probes.first();
      TestSubscriber.Probe<KeyValue> subscriber = probes.second();
      subscriber.request(n);
      long start = System.nanoTime();
      assertEquals(n, feed(publisher, input.iterator(), 0, acknowledged::get, BOUND, 10_000));
      publisher.sendComplete();
      List<KeyValue> emitted = new ArrayList<>(CollectionConverters.asJava(subscriber.expectNextN(n)));
      subscriber.expectComplete();
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(input, emitted);
      assertAllStored(db, input);
      // Sanity: the syncs really were the bottleneck, so the bound above was tested under pressure.
      assertTrue(millis >= 20L * n / (PARALLELISM * BATCH) / 2, "took only " + millis + " ms");
    }
  }
}
