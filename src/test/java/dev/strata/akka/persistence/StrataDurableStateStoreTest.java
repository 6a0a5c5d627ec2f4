package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.ActorSystem;
import akka.persistence.state.DurableStateStoreRegistry;
import akka.persistence.state.javadsl.DurableStateUpdateStore;
import akka.persistence.state.javadsl.GetObjectResult;
import akka.testkit.javadsl.TestKit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable state store's revision checks, which Akka's 2.8 test kit has no spec for. */
class StrataDurableStateStoreTest {
  @TempDir
  Path dir;

  private ActorSystem system;
  private DurableStateUpdateStore<Object> store;

  @BeforeEach
  void start() {
    system = ActorSystem.create("durable-state", PersistenceHarness.pluginConfig(dir));
    store = stateStore(system);
  }

  @AfterEach
  void stop() {
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void anUnknownIdHasNoValueAndRevisionZero() {
    assertEquals(new GetObjectResult<>(Optional.empty(), 0L), get("nobody"));
  }

  @Test
  void upsertsAtConsecutiveRevisionsStoreTheValueAndItsRevision() {
    await(store.upsertObject("cart-1", 1, "one item", ""));
    await(store.upsertObject("cart-1", 2, "two items", "carts"));
    assertEquals(new GetObjectResult<>(Optional.of("two items"), 2L), get("cart-1"));
  }

  @Test
  void aNewIdMustStartAtRevisionOne() {
    RevisionMismatchException e = mismatch(store.upsertObject("cart-1", 2, "value", ""));
    assertEquals(0, e.storedRevision());
    assertEquals(new GetObjectResult<>(Optional.empty(), 0L), get("cart-1"));
  }

  @Test
  void anUpsertRepeatingOrSkippingARevisionFailsAndWritesNothing() {
    await(store.upsertObject("cart-1", 1, "first", ""));
    await(store.upsertObject("cart-1", 2, "second", ""));
    RevisionMismatchException repeated = mismatch(store.upsertObject("cart-1", 2, "again", ""));
    assertEquals(2, repeated.storedRevision());
    assertEquals(2, repeated.requestedRevision());
    mismatch(store.upsertObject("cart-1", 4, "skipped", ""));
    mismatch(store.upsertObject("cart-1", 1, "stale", ""));
    assertEquals(new GetObjectResult<>(Optional.of("second"), 2L), get("cart-1"));
  }

  @Test
  void revisionsBelowOneAreRefused() {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> store.upsertObject("cart-1", 0, "value", "").toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertInstanceOf(IllegalArgumentException.class, e.getCause());
  }

  @Test
  void ofConcurrentUpsertsAtOneRevisionExactlyOneWins() throws Exception {
    int writers = 8;
    for (long revision = 1; revision <= 30; revision++) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      List<CompletionStage<?>> results = java.util.Collections.synchronizedList(new ArrayList<>());
      long r = revision;
      for (int w = 0; w < writers; w++) {
        String value = "writer-" + w + "@" + revision;
        Thread t = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          results.add(store.upsertObject("contended", r, value, ""));
        });
        t.start();
        threads.add(t);
      }
      start.countDown();
      for (Thread t : threads) {
        t.join();
      }
      List<String> winners = new ArrayList<>();
      int losers = 0;
      for (CompletionStage<?> result : results) {
        try {
          result.toCompletableFuture().get(10, TimeUnit.SECONDS);
          winners.add("won");
        } catch (ExecutionException e) {
          assertInstanceOf(RevisionMismatchException.class, e.getCause());
          losers++;
        }
      }
      assertEquals(1, winners.size(), "winners at revision " + revision);
      assertEquals(writers - 1, losers);
      GetObjectResult<Object> stored = get("contended");
      assertEquals(revision, stored.revision());
      assertEquals(true, stored.value().orElseThrow().toString().endsWith("@" + revision));
    }
  }

  @Test
  void aDeleteAtTheNextRevisionKeepsTheRevisionForTheNextUpsert() {
    await(store.upsertObject("cart-1", 1, "one item", ""));
    await(store.deleteObject("cart-1", 2));
    assertEquals(new GetObjectResult<>(Optional.empty(), 2L), get("cart-1"));
    mismatch(store.upsertObject("cart-1", 1, "from scratch", ""));
    await(store.upsertObject("cart-1", 3, "new item", ""));
    assertEquals(new GetObjectResult<>(Optional.of("new item"), 3L), get("cart-1"));
  }

  @Test
  void aDeleteAtAWrongRevisionFailsAndKeepsTheValue() {
    await(store.upsertObject("cart-1", 1, "one item", ""));
    RevisionMismatchException e = mismatch(store.deleteObject("cart-1", 5));
    assertEquals(1, e.storedRevision());
    assertEquals(new GetObjectResult<>(Optional.of("one item"), 1L), get("cart-1"));
  }

  @Test
  void aDeleteWithoutRevisionForgetsTheIdAltogether() {
    await(store.upsertObject("cart-1", 1, "one item", ""));
    await(store.upsertObject("cart-1", 2, "two items", ""));
    await(store.deleteObject("cart-1"));
    assertEquals(new GetObjectResult<>(Optional.empty(), 0L), get("cart-1"));
    await(store.upsertObject("cart-1", 1, "again", ""));
  }

  @Test
  void stateAndRevisionsSurviveARestart() {
    await(store.upsertObject("cart-1", 1, "one item", ""));
    await(store.upsertObject("cart-1", 2, "two items", ""));
    await(store.upsertObject("cart-2", 1, "deleted soon", ""));
    await(store.deleteObject("cart-2", 2));
    TestKit.shutdownActorSystem(system);
    start();
    assertEquals(new GetObjectResult<>(Optional.of("two items"), 2L), get("cart-1"));
    assertEquals(new GetObjectResult<>(Optional.empty(), 2L), get("cart-2"));
    mismatch(store.upsertObject("cart-1", 2, "stale", ""));
  }

  // ---------------------------------------------------------------- helpers

  @SuppressWarnings("unchecked")
  private static DurableStateUpdateStore<Object> stateStore(ActorSystem system) {
    return DurableStateStoreRegistry.get(system).getDurableStateStoreFor(DurableStateUpdateStore.class,
        "strata.persistence.state");
  }

  private GetObjectResult<Object> get(String persistenceId) {
    return await(store.getObject(persistenceId));
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static RevisionMismatchException mismatch(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
    return assertInstanceOf(RevisionMismatchException.class, e.getCause());
  }
}
