package dev.strata.akka.stream;

import static dev.strata.akka.stream.StreamTestHarness.STUCK_SECONDS;
import static dev.strata.akka.stream.StreamTestHarness.b;
import static dev.strata.akka.stream.StreamTestHarness.key;
import static dev.strata.akka.stream.StreamTestHarness.put;
import static dev.strata.akka.stream.StreamTestHarness.s;
import static dev.strata.akka.stream.StreamTestHarness.stallingOptions;
import static dev.strata.akka.stream.StreamTestHarness.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import dev.strata.DurabilityAccess;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import dev.strata.akka.stream.StreamTestHarness.InstrumentedFileSystem;
import dev.strata.fs.DiskFileSystem;
import dev.strata.testing.ActorSystemPerClass;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What StrataFlow and StrataSink promise on a healthy store: acknowledged before emitted, in order per key. */
class StrataFlowTest {
  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("stream-test");

  @TempDir
  Path dir;

  /** Where writes go: the fast path only, the fast path and the writer's mailbox in turn, the mailbox only. */
  enum WritePath {
    FAST, STALLING, SYNCED
  }

  private Strata open(WritePath path, InstrumentedFileSystem fs) {
    StrataOptions options = switch (path) {
      case FAST -> StrataOptions.defaults();
      case STALLING -> stallingOptions().build();
      case SYNCED -> stallingOptions().syncWrites(true).build();
    };
    return DurabilityAccess.open(SYSTEM.get(), dir, options, fs);
  }

  /** Holds flushes for the first {@code millis}, so that writes queue at the writer, then lets them go. */
  private static void holdFlushesFor(InstrumentedFileSystem fs, long millis) {
    fs.closeGate();
    CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(fs::openGate);
  }

  private static <T> List<T> await(CompletionStage<List<T>> stage) throws Exception {
    return stage.toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(WritePath.class)
  void eachElementIsEmittedOnlyOnceTheStoreReturnsIt(WritePath path) throws Exception {
    InstrumentedFileSystem fs = new InstrumentedFileSystem(DiskFileSystem.INSTANCE, 0);
    int n = path == WritePath.SYNCED ? 1000 : 3000;
    List<KeyValue> input = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      input.add(put(key(i), value(i, i)));
    }
    List<String> notYetReadable = new ArrayList<>();
    try (Strata db = open(path, fs)) {
      holdFlushesFor(fs, 300);
      StrataWriteSettings settings = StrataWriteSettings.create().withBatchSize(50).withParallelism(4);
      List<KeyValue> emitted = await(Source.from(input)
          .via(StrataFlow.write(db, settings))
          .map(kv -> {
            if (!kv.equals(KeyValue.put(kv.key(), nullToEmpty(db.get(kv.key()))))) {
              notYetReadable.add(s(kv.key()));
            }
            return kv;
          })
          .runWith(Sink.seq(), SYSTEM.get()));
      assertEquals(List.of(), notYetReadable, "emitted before the store returned them");
      assertEquals(input, emitted, "every element, in input order");
    }
  }

  private static byte[] nullToEmpty(byte[] value) {
    return value == null ? new byte[] {'?'} : value;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(WritePath.class)
  void updatesOfAKeyApplyInInputOrderSoTheLastOneWins(WritePath path) throws Exception {
    long seed = TestHarness.seed("updatesOfAKeyApplyInInputOrderSoTheLastOneWins[" + path + "]");
    Random random = new Random(seed);
    int n = path == WritePath.SYNCED ? 3000 : 20_000;
    List<KeyValue> input = new ArrayList<>();
    Map<String, String> last = new HashMap<>();
    for (int i = 0; i < n; i++) {
      int k = random.nextInt(10);
      if (random.nextInt(20) == 0) {
        input.add(KeyValue.delete(b(key(k))));
        last.put(key(k), null);
      } else {
        input.add(put(key(k), value(k, i)));
        last.put(key(k), value(k, i));
      }
    }
    InstrumentedFileSystem fs = new InstrumentedFileSystem(DiskFileSystem.INSTANCE, 0);
    try (Strata db = open(path, fs)) {
      holdFlushesFor(fs, 300);
      // Small batches, many in flight: the most chances for a later batch to overtake.
      StrataWriteSettings settings = StrataWriteSettings.create().withBatchSize(7).withParallelism(16);
      List<KeyValue> emitted = await(Source.from(input).via(StrataFlow.write(db, settings)).runWith(Sink.seq(), SYSTEM.get()));
      assertEquals(input, emitted, "emitted in input order (seed " + seed + ")");
      for (Map.Entry<String, String> e : last.entrySet()) {
        assertEquals(e.getValue(), s(db.get(b(e.getKey()))), e.getKey() + ": the last write in input order wins (seed "
            + seed + ")");
      }
    }
  }

  /**
   * Every key written twice, one batch apart (seven "old" puts, then the same seven keys "new"):
   * if any batch overtook the one before it, some key would end "old".
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(WritePath.class)
  void noBatchOvertakesTheOneBeforeIt(WritePath path) throws Exception {
    int batch = 7;
    int blocks = path == WritePath.SYNCED ? 300 : 2000;
    List<KeyValue> input = new ArrayList<>();
    for (int block = 0; block < blocks; block++) {
      for (String generation : List.of("old", "new")) {
        for (int i = block * batch; i < (block + 1) * batch; i++) {
          input.add(put(key(i), generation + "-" + i));
        }
      }
    }
    InstrumentedFileSystem fs = new InstrumentedFileSystem(DiskFileSystem.INSTANCE, 0);
    try (Strata db = open(path, fs)) {
      holdFlushesFor(fs, 300);
      StrataWriteSettings settings = StrataWriteSettings.create().withBatchSize(batch).withParallelism(16);
      await(Source.from(input).via(StrataFlow.write(db, settings)).runWith(Sink.seq(), SYSTEM.get()));
      List<String> overtaken = new ArrayList<>();
      for (int i = 0; i < blocks * batch; i++) {
        if (!("new-" + i).equals(s(db.get(b(key(i)))))) {
          overtaken.add(key(i));
        }
      }
      assertEquals(List.of(), overtaken, "keys whose first write was applied after their second");
    }
  }

  @Test
  void writesOfOneKeyInsideOneBatchKeepTheirOrder() throws Exception {
    List<KeyValue> input = List.of(put("b", "1"), put("a", "1"), KeyValue.delete(b("b")), put("c", "1"),
        put("a", "2"), put("b", "3"), KeyValue.delete(b("a")), put("c", "2"));
    try (Strata db = Strata.open(SYSTEM.get(), dir, StrataOptions.defaults())) {
      StrataWriteSettings oneBatch = StrataWriteSettings.create().withBatchSize(input.size())
          .withBatchWindow(Duration.ofSeconds(10));
      assertEquals(input, await(Source.from(input).via(StrataFlow.write(db, oneBatch)).runWith(Sink.seq(), SYSTEM.get())),
          "emitted in input order, though written sorted");
      assertNull(db.get(b("a")));
      assertEquals("3", s(db.get(b("b"))));
      assertEquals("2", s(db.get(b("c"))));
    }
  }

  @Test
  void deletesRemoveKeysAndEmptyValuesAreValues() throws Exception {
    try (Strata db = Strata.open(SYSTEM.get(), dir, StrataOptions.defaults())) {
      db.put(b("old"), b("v"));
      List<KeyValue> input = List.of(KeyValue.delete(b("old")), KeyValue.put(b("empty"), new byte[0]),
          KeyValue.delete(b("never-written")));
      await(Source.from(input).via(StrataFlow.write(db, StrataWriteSettings.create())).runWith(Sink.seq(), SYSTEM.get()));
      assertNull(db.get(b("old")));
      assertArrayEquals(new byte[0], db.get(b("empty")));
      assertNull(db.get(b("never-written")));
    }
  }

  record Order(int id, String customer) {}

  @Test
  void theGenericFlowEmitsTheElementsThemselvesOnceWritten() throws Exception {
    List<Order> orders = List.of(new Order(1, "ada"), new Order(2, "grace"), new Order(3, "edsger"));
    try (Strata db = Strata.open(SYSTEM.get(), dir, StrataOptions.defaults())) {
      List<Order> emitted = await(Source.from(orders)
          .via(StrataFlow.write(db, StrataWriteSettings.create(), (Order o) -> put("order/" + o.id(), o.customer())))
          .runWith(Sink.seq(), SYSTEM.get()));
      assertEquals(orders.size(), emitted.size());
      for (int i = 0; i < orders.size(); i++) {
        assertSame(orders.get(i), emitted.get(i));
      }
      assertEquals("grace", s(db.get(b("order/2"))));
    }
  }

  @Test
  void aNullOperationFailsTheStreamAndSaysSo() throws Exception {
    try (Strata db = Strata.open(SYSTEM.get(), dir, StrataOptions.defaults())) {
      CompletionStage<Done> done = Source.single("x")
          .runWith(StrataSink.write(db, StrataWriteSettings.create(), (String x) -> null), SYSTEM.get());
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> done.toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof NullPointerException, String.valueOf(e.getCause()));
      assertEquals("toKeyValue returned null for x", e.getCause().getMessage());
    }
  }

  @Test
  void anElementHeavierThanMaxBatchBytesIsWrittenInABatchOfItsOwn() throws Exception {
    byte[] big = new byte[10_000];
    List<KeyValue> input = List.of(put("a", "small"), KeyValue.put(b("big"), big), put("c", "small"));
    try (Strata db = Strata.open(SYSTEM.get(), dir, StrataOptions.defaults())) {
      StrataWriteSettings settings = StrataWriteSettings.create().withMaxBatchBytes(1000);
      assertEquals(input, await(Source.from(input).via(StrataFlow.write(db, settings)).runWith(Sink.seq(), SYSTEM.get())));
      assertArrayEquals(big, db.get(b("big")));
      assertEquals("small", s(db.get(b("c"))));
    }
  }

  @Test
  void theSinkCompletesOnlyOnceEveryWriteIsAcknowledged() throws Exception {
    InstrumentedFileSystem fs = new InstrumentedFileSystem(DiskFileSystem.INSTANCE, 0);
    try (Strata db = open(WritePath.STALLING, fs)) {
      fs.closeGate();
      int n = 1000; // several memtables: more than the store takes while flushes are held
      CompletionStage<Done> done = Source.range(0, n - 1)
          .map(i -> put(key(i), value(i, i)))
          .runWith(StrataSink.write(db, StrataWriteSettings.create().withBatchSize(20)), SYSTEM.get());
      CompletableFuture<Done> future = done.toCompletableFuture();
      org.junit.jupiter.api.Assertions.assertThrows(TimeoutException.class,
          () -> future.get(500, TimeUnit.MILLISECONDS), "completed while writes were held");
      assertTrue(fs.sstsWaiting.get() > 0, "a flush waits at the gate");
      fs.openGate();
      future.get(STUCK_SECONDS, TimeUnit.SECONDS);
      for (int i = 0; i < n; i++) {
        assertEquals(value(i, i), s(db.get(b(key(i)))), key(i));
      }
    }
  }

  @Test
  void anEmptyStreamCompletesTheSinkAndWritesNothing() throws Exception {
    try (Strata db = Strata.open(SYSTEM.get(), dir, StrataOptions.defaults())) {
      Source.<KeyValue>empty().runWith(StrataSink.write(db, StrataWriteSettings.create()), SYSTEM.get())
          .toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS);
      assertEquals(0, db.stats().lastSequence());
      assertFalse(db.isClosed());
    }
  }

  @Test
  void aBatchWindowWritesASlowTrickleWithoutWaitingForAFullBatch() throws Exception {
    try (Strata db = Strata.open(SYSTEM.get(), dir, StrataOptions.defaults())) {
      StrataWriteSettings settings = StrataWriteSettings.create().withBatchSize(1000)
          .withBatchWindow(Duration.ofMillis(20));
      // Never completes: only the window can close the batch.
      CompletionStage<KeyValue> first = Source.single(put("k", "v")).concat(Source.never())
          .via(StrataFlow.write(db, settings))
          .runWith(Sink.head(), SYSTEM.get());
      assertEquals(put("k", "v"), first.toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS));
      assertEquals("v", s(db.get(b("k"))));
    }
  }
}
