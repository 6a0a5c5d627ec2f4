package dev.strata.akka;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import dev.strata.Strata;
import dev.strata.TestHarness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * StrataExtension: one store per configured name, clear config errors, every store of the system
 * closed by CoordinatedShutdown and recoverable afterwards. Each test has an ActorSystem of its
 * own, since several of them shut it down.
 */
class StrataExtensionTest {
  @TempDir Path dir;
  private final List<ActorTestKit> testKits = new ArrayList<>();

  @AfterEach
  void shutdownTestKits() {
    testKits.forEach(ActorTestKit::shutdownTestKit);
  }

  /** A test kit whose config adds {@code hocon} to Strata's defaults. */
  private ActorTestKit testKit(String hocon) {
    ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()));
    testKits.add(testKit);
    return testKit;
  }

  /** A test kit with one store, {@code orders}, in {@code dir/orders}, plus {@code hocon}. */
  private ActorTestKit testKitWithOrders(String hocon) {
    return testKit(storeConfig("orders", dir.resolve("orders")) + "\n" + hocon);
  }

  private ActorTestKit testKitWithOrders() {
    return testKitWithOrders("");
  }

  private static String storeConfig(String name, Path directory) {
    return "strata.stores." + name + " { directory = " + ConfigUtil.quoteString(directory.toString())
        + ", memtable-size = 64 KiB }";
  }

  @Test
  void everyCallerOfOneNameGetsTheSameStore() {
    ActorTestKit testKit = testKitWithOrders();
    Strata first = StrataExtension.get(testKit.system()).open("orders");
    Strata second = StrataExtension.get(testKit.system()).open("orders");
    assertSame(first, second);
    assertEquals(dir.resolve("orders").toAbsolutePath(), first.directory());
  }

  @Test
  void concurrentFirstOpensOfOneNameShareOneStore() throws Exception {
    ActorTestKit testKit = testKitWithOrders();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Callable<Strata> open = () -> StrataExtension.get(testKit.system()).open("orders");
      List<Future<Strata>> opens = pool.invokeAll(List.of(open, open, open, open));
      for (Future<Strata> f : opens) {
        assertSame(opens.get(0).get(), f.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aStoreBlockOverridesTheSystemsStrataBlock() {
    ActorTestKit testKit = testKitWithOrders();
    Strata orders = StrataExtension.get(testKit.system()).open("orders");
    assertEquals(64 * 1024, orders.options().memtableSizeBytes(), "from strata.stores.orders");
    assertEquals(10, orders.options().bloomBitsPerKey(), "from the strata block");
  }

  @Test
  void aNameReopensAfterItsStoreWasClosed() {
    ActorTestKit testKit = testKitWithOrders();
    Strata first = StrataExtension.get(testKit.system()).open("orders");
    first.put(b("k"), b("v"));
    first.close();
    Strata second = StrataExtension.get(testKit.system()).open("orders");
    assertNotSame(first, second);
    assertEquals("v", s(second.get(b("k"))));
  }

  @Test
  void everyCallerOfOneNameGetsTheSameActorServingTheNamedStore() {
    ActorTestKit testKit = testKitWithOrders();
    ActorRef<StrataCommand> ref = StrataExtension.get(testKit.system()).actorRef("orders");
    assertEquals(ref, StrataExtension.get(testKit.system()).actorRef("orders"));
    TestProbe<StatusReply<Done>> acks = testKit.createTestProbe();
    ref.tell(new StrataCommand.Put(b("k"), b("v"), acks.ref()));
    assertEquals(StatusReply.ack(), acks.receiveMessage());
    assertEquals("v", s(StrataExtension.get(testKit.system()).open("orders").get(b("k"))));
  }

  @Test
  void aNamedActorRepliesErrorsWhileItsStoreIsClosedAndServesItAgainOnceReopened() {
    ActorTestKit testKit = testKitWithOrders();
    StrataExtension extension = StrataExtension.get(testKit.system());
    ActorRef<StrataCommand> ref = extension.actorRef("orders");
    extension.open("orders").put(b("k"), b("v"));
    extension.open("orders").close();

    TestProbe<StatusReply<StrataCommand.GetResult>> values = testKit.createTestProbe();
    ref.tell(new StrataCommand.Get(b("k"), values.ref()));
    StatusReply<StrataCommand.GetResult> closed = values.receiveMessage();
    assertTrue(closed.isError());
    assertTrue(closed.getError().getMessage().contains("store 'orders' is closed"), closed.getError().getMessage());

    extension.open("orders");
    ref.tell(new StrataCommand.Get(b("k"), values.ref()));
    assertEquals("v", s(values.receiveMessage().getValue().value().orElseThrow()));
  }

  @Test
  void anActorRefForAnUnconfiguredNameIsAnIllegalArgument() {
    ActorTestKit testKit = testKit("");
    assertThrows(IllegalArgumentException.class, () -> StrataExtension.get(testKit.system()).actorRef("orders"));
  }

  @Test
  void anUnconfiguredNameIsAnIllegalArgumentNamingTheMissingBlock() {
    ActorTestKit testKit = testKit("");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StrataExtension.get(testKit.system()).open("orders"));
    assertTrue(e.getMessage().contains("strata.stores.orders"), e.getMessage());
  }

  @Test
  void aStoreBlockWithoutDirectoryIsAnIllegalArgument() {
    ActorTestKit testKit = testKit("strata.stores.orders { memtable-size = 1 MiB }");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StrataExtension.get(testKit.system()).open("orders"));
    assertTrue(e.getMessage().contains("strata.stores.orders.directory"), e.getMessage());
  }

  @Test
  void aStoreEntryThatIsNotABlockIsAnIllegalArgument() {
    ActorTestKit testKit = testKit("strata.stores.orders = \"data/orders\"");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StrataExtension.get(testKit.system()).open("orders"));
    assertTrue(e.getMessage().contains("strata.stores.orders"), e.getMessage());
  }

  @Test
  void aBadOptionInAStoreBlockIsAnIllegalArgumentNamingTheStore() {
    ActorTestKit testKit = testKitWithOrders("strata.stores.orders.memtable-size = lots");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StrataExtension.get(testKit.system()).open("orders"));
    assertTrue(e.getMessage().contains("strata.stores.orders"), e.getMessage());
    assertTrue(e.getMessage().contains("memtable-size"), e.getMessage());
  }

  @Test
  void shutdownClosesNamedStoresAndTheDataRecovers() {
    ActorTestKit testKit = testKitWithOrders();
    Strata orders = StrataExtension.get(testKit.system()).open("orders");
    for (int i = 0; i < 2000; i++) {
      orders.put(TestHarness.key(i), b("v" + i));
    }
    testKit.shutdownTestKit();

    assertTrue(orders.isClosed(), "CoordinatedShutdown closed the store");
    try (Strata reopened = Strata.open(dir.resolve("orders"))) {
      for (int i = 0; i < 2000; i++) {
        assertEquals("v" + i, s(reopened.get(TestHarness.key(i))));
      }
    }
  }

  @Test
  void shutdownClosesStoresOpenedDirectlyInTheSystem() {
    ActorTestKit testKit = testKit("");
    Strata a = Strata.open(testKit.system(), dir.resolve("a"), TestHarness.smallOptions());
    Strata c = Strata.open(testKit.system(), dir.resolve("c"), TestHarness.smallOptions());
    a.put(b("k"), b("in a"));
    c.put(b("k"), b("in c"));
    testKit.shutdownTestKit();

    assertTrue(a.isClosed() && c.isClosed(), "both stores closed at shutdown");
    try (Strata reopenedA = Strata.open(dir.resolve("a")); Strata reopenedC = Strata.open(dir.resolve("c"))) {
      assertEquals("in a", s(reopenedA.get(b("k"))));
      assertEquals("in c", s(reopenedC.get(b("k"))));
    }
  }

  @Test
  void shutdownFlushesAStoreWithoutWalEvenWithOneBlockingThread() {
    // Closing a store without a WAL flushes its memtable on the blocking dispatcher: the shutdown
    // task must not hold that dispatcher's only thread while it waits for the flush.
    ActorTestKit testKit = testKitWithOrders(
        "strata.stores.orders.wal-enabled = off\nstrata.blocking-dispatcher.thread-pool-executor.fixed-pool-size = 1");
    Strata orders = StrataExtension.get(testKit.system()).open("orders");
    orders.put(b("k"), b("v"));
    testKit.shutdownTestKit();

    assertTrue(orders.isClosed());
    try (Strata reopened = Strata.open(dir.resolve("orders"))) {
      assertEquals("v", s(reopened.get(b("k"))));
    }
  }

  @Test
  void noStoreOpensOnceShutdownHasBegun() {
    ActorTestKit testKit = testKitWithOrders();
    StrataExtension extension = StrataExtension.get(testKit.system());
    testKit.shutdownTestKit();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> extension.open("orders"));
    assertTrue(e.getMessage().contains("shutting down"), e.getMessage());
  }

  @Test
  void theExtensionLoadsFromConfigAtSystemStart() {
    ActorTestKit testKit = testKit("akka.actor.typed.extensions = [\"dev.strata.akka.StrataExtension$Id\"]");
    assertTrue(testKit.system().hasExtension(StrataExtension.Id.getInstance()),
        "created while the system started, before any call to StrataExtension.get");
  }

  @Test
  void aStoreOpenedThroughAConfigLoadedExtensionIsClosedAtShutdown() {
    ActorTestKit testKit = testKitWithOrders("akka.actor.typed.extensions = [\"dev.strata.akka.StrataExtension$Id\"]");
    Strata orders = StrataExtension.get(testKit.system()).open("orders");
    orders.put(b("k"), b("v"));
    testKit.shutdownTestKit();
    assertTrue(orders.isClosed());
    try (Strata reopened = Strata.open(dir.resolve("orders"))) {
      assertEquals("v", s(reopened.get(b("k"))));
    }
  }

  @Test
  void shutdownLeavesStoresOfOtherSystemsOpen() {
    ActorTestKit one = testKit("");
    ActorTestKit other = testKit("");
    Strata inOther = Strata.open(other.system(), dir.resolve("other"), TestHarness.smallOptions());
    one.shutdownTestKit();
    assertFalse(inOther.isClosed());
    inOther.put(b("k"), b("v"));
    assertEquals("v", s(inOther.get(b("k"))));
  }
}
