package dev.strata.akka;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.key;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.DispatcherSelector;
import akka.pattern.StatusReply;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.TestHarness;
import dev.strata.WriteBatch;
import dev.strata.akka.StrataCommand.Delete;
import dev.strata.akka.StrataCommand.Entry;
import dev.strata.akka.StrataCommand.Get;
import dev.strata.akka.StrataCommand.GetResult;
import dev.strata.akka.StrataCommand.Page;
import dev.strata.akka.StrataCommand.Put;
import dev.strata.akka.StrataCommand.Scan;
import dev.strata.akka.StrataCommand.Write;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The actor protocol: every command, scan paging, ordering, where the work runs. Errors: StrataActorErrorRepliesTest. */
class StrataActorTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @TempDir Path dir;
  private Strata store;
  private ActorRef<StrataCommand> actor;
  private TestProbe<StatusReply<Done>> acks;
  private TestProbe<StatusReply<GetResult>> values;
  private TestProbe<StatusReply<Page>> pages;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void open() {
    store = Strata.open(testKit.system(), dir, TestHarness.smallOptions());
    actor = testKit.spawn(StrataActor.create(store));
    acks = testKit.createTestProbe();
    values = testKit.createTestProbe();
    pages = testKit.createTestProbe();
  }

  @AfterEach
  void close() {
    testKit.stop(actor);
    store.close();
  }

  private void put(String k, String v) {
    actor.tell(new Put(b(k), b(v), acks.ref()));
    assertEquals(StatusReply.ack(), acks.receiveMessage());
  }

  private Optional<String> get(String k) {
    actor.tell(new Get(b(k), values.ref()));
    StatusReply<GetResult> reply = values.receiveMessage();
    assertTrue(reply.isSuccess(), () -> "get failed: " + reply.getError());
    return reply.getValue().value().map(TestHarness::s);
  }

  private static Entry entry(byte[] k, String v) {
    return new Entry(k, b(v));
  }

  // ---------------------------------------------------------------- each command

  @Test
  void aPutIsAcknowledgedThenVisible() {
    put("k", "v");
    assertEquals(Optional.of("v"), get("k"));
    assertEquals("v", s(store.get(b("k"))), "the same store, seen directly");
  }

  @Test
  void aGetRepliesTheKeyAskedForAndItsValue() {
    store.put(b("k"), b("v"));
    actor.tell(new Get(b("k"), values.ref()));
    assertEquals(StatusReply.success(new GetResult(b("k"), Optional.of(b("v")))), values.receiveMessage());
  }

  @Test
  void aGetOfAnAbsentKeyRepliesEmpty() {
    assertEquals(Optional.empty(), get("absent"));
  }

  @Test
  void anEmptyValueIsPresentNotAbsent() {
    put("k", "");
    assertEquals(Optional.of(""), get("k"));
  }

  @Test
  void aDeleteIsAcknowledgedThenTheKeyIsAbsent() {
    put("k", "v");
    actor.tell(new Delete(b("k"), acks.ref()));
    assertEquals(StatusReply.ack(), acks.receiveMessage());
    assertEquals(Optional.empty(), get("k"));
  }

  @Test
  void deletingAnAbsentKeyIsAcknowledged() {
    actor.tell(new Delete(b("never written"), acks.ref()));
    assertEquals(StatusReply.ack(), acks.receiveMessage());
  }

  @Test
  void aWriteAppliesTheWholeBatchThenIsAcknowledged() {
    put("gone", "soon");
    actor.tell(new Write(new WriteBatch().put(b("a"), b("1")).delete(b("gone")).put(b("b"), b("2")), acks.ref()));
    assertEquals(StatusReply.ack(), acks.receiveMessage());
    assertEquals(List.of("a=1", "b=2"), TestHarness.scanAll(store));
  }

  @Test
  void anEmptyWriteIsAcknowledged() {
    actor.tell(new Write(new WriteBatch(), acks.ref()));
    assertEquals(StatusReply.ack(), acks.receiveMessage());
  }

  @Test
  void aCommandCopiesItsArraysSoTheSenderMayReuseThem() {
    byte[] k = b("k");
    byte[] v = b("v");
    Put put = new Put(k, v, acks.ref());
    k[0] = 'x';
    v[0] = 'x';
    actor.tell(put);
    assertEquals(StatusReply.ack(), acks.receiveMessage());
    assertEquals(Optional.of("v"), get("k"));
  }

  @Test
  void writesAreAppliedInTheOrderReceivedThroughStalls() {
    // Small memtables: many of these puts wait at the writer actor, and later ones must not overtake them.
    byte[] filler = new byte[512];
    for (int i = 0; i < 2000; i++) {
      actor.tell(new Put(b("k"), b("v" + i), acks.ref()));
      actor.tell(new Put(key(i), filler, acks.ref()));
    }
    for (int i = 0; i < 4000; i++) {
      assertEquals(StatusReply.ack(), acks.receiveMessage());
    }
    assertEquals(Optional.of("v1999"), get("k"));
  }

  // ---------------------------------------------------------------- scans

  private List<Page> scanAllPages(Scan first) {
    List<Page> result = new ArrayList<>();
    Optional<Scan> next = Optional.of(first);
    while (next.isPresent()) {
      actor.tell(next.get());
      StatusReply<Page> reply = pages.receiveMessage();
      assertTrue(reply.isSuccess(), () -> "scan failed: " + reply.getError());
      result.add(reply.getValue());
      next = reply.getValue().next();
    }
    return result;
  }

  @Test
  void aScanPagesThroughARangeLargerThanOnePageByItsContinuations() {
    for (int i = 0; i < 1000; i++) {
      store.put(key(i), b("v" + i));
    }
    store.flush(); // part of the range on disk, part in the memtable
    for (int i = 1000; i < 1100; i++) {
      store.put(key(i), b("v" + i));
    }
    List<Page> result = scanAllPages(new Scan(Bound.included(key(100)), Bound.excluded(key(1050)), 300, pages.ref()));

    assertEquals(List.of(300, 300, 300, 50), result.stream().map(p -> p.entries().size()).toList());
    List<Entry> expected = new ArrayList<>();
    for (int i = 100; i < 1050; i++) {
      expected.add(entry(key(i), "v" + i));
    }
    assertEquals(expected, result.stream().flatMap(p -> p.entries().stream()).toList());
    assertTrue(result.get(3).isLast());
    assertEquals(Optional.of(new Scan(Bound.included(key(400)), Bound.excluded(key(1050)), 300, pages.ref())),
        result.get(0).next(), "a continuation starts at the first key the page did not hold");
  }

  @Test
  void aRangeOfExactlyFullPagesEndsWithoutAnEmptyPage() {
    for (int i = 0; i < 20; i++) {
      store.put(key(i), b("v"));
    }
    List<Page> result = scanAllPages(Scan.all(10, pages.ref()));
    assertEquals(2, result.size());
    assertTrue(result.get(1).isLast());
  }

  @Test
  void aScanOfAnEmptyRangeRepliesOneEmptyLastPage() {
    store.put(b("a"), b("1"));
    actor.tell(new Scan(Bound.excluded(b("a")), Bound.unbounded(), 10, pages.ref()));
    assertEquals(StatusReply.success(new Page(List.of(), Optional.empty())), pages.receiveMessage());
  }

  @Test
  void aScanNeverYieldsDeletedKeys() {
    put("a", "1");
    put("b", "2");
    actor.tell(new Delete(b("a"), acks.ref()));
    acks.receiveMessage();
    actor.tell(Scan.all(10, pages.ref()));
    assertEquals(List.of(entry(b("b"), "2")), pages.receiveMessage().getValue().entries());
  }

  @Test
  void aContinuationCanBeSentElsewhereWithReplyTo() {
    for (int i = 0; i < 5; i++) {
      store.put(key(i), b("v"));
    }
    actor.tell(Scan.all(3, pages.ref()));
    Scan next = pages.receiveMessage().getValue().next().orElseThrow();
    TestProbe<StatusReply<Page>> elsewhere = testKit.createTestProbe();
    actor.tell(next.withReplyTo(elsewhere.ref()));
    assertEquals(2, elsewhere.receiveMessage().getValue().entries().size());
    pages.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void scansCloseTheirIteratorsSoCompactionCanDeleteTheFilesTheyRead() throws IOException {
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 300; i++) {
        store.put(key(i), b("round " + round));
      }
      store.flush();
    }
    for (int i = 0; i < 10; i++) {
      actor.tell(Scan.all(5, pages.ref())); // pages that stop mid-range, iterator still valid
      assertFalse(pages.receiveMessage().getValue().isLast());
    }
    store.compact();
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.filter(f -> f.toString().endsWith(".sst")).count(),
          "only the compacted SST is left: no open iterator pins the replaced ones");
    }
  }

  // ---------------------------------------------------------------- where the work runs

  @Test
  void readsRunOnTheBlockingDispatcherWhileWritesDoNot() throws InterruptedException {
    Executor blocking = testKit.system().dispatchers().lookup(DispatcherSelector.fromConfig(StrataActor.READ_DISPATCHER));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch occupied = new CountDownLatch(2);
    for (int i = 0; i < 2; i++) { // strata.blocking-dispatcher has two threads: hold both
      blocking.execute(() -> {
        occupied.countDown();
        awaitQuietly(release);
      });
    }
    try {
      assertTrue(occupied.await(10, TimeUnit.SECONDS));
      actor.tell(new Get(b("k"), values.ref()));
      actor.tell(Scan.all(10, pages.ref()));
      values.expectNoMessage(Duration.ofMillis(200));
      pages.expectNoMessage(Duration.ZERO);
      put("k", "v"); // the actor's own thread is free: a write is still acknowledged
    } finally {
      release.countDown();
    }
    assertTrue(values.receiveMessage().isSuccess());
    assertTrue(pages.receiveMessage().isSuccess());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
