package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ActorSystem;
import akka.persistence.query.DeletedDurableState;
import akka.persistence.query.DurableStateChange;
import akka.persistence.query.Offset;
import akka.persistence.query.Sequence;
import akka.persistence.query.UpdatedDurableState;
import akka.persistence.state.DurableStateStoreRegistry;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.testkit.javadsl.TestKit;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable state queries through Akka's registry: {@code changes} and {@code currentChanges} by tag
 * (each id's latest change, Sequence offsets) and paged {@code currentPersistenceIds}. The refresh
 * interval is an hour: a live query that sees a later change was woken by the commit.
 */
class StrataDurableStateQueryTest {
  @TempDir
  Path dir;

  @Test
  void currentChangesYieldEachTaggedIdsLatestChangeInCommitOrder() throws Exception {
    withStore((system, store) -> {
      await(store.upsertObject("a", 1, "a1", "carts"));
      await(store.upsertObject("b", 1, "b1", "carts"));
      await(store.upsertObject("c", 1, "c1", "other"));
      await(store.upsertObject("a", 2, "a2", "carts"));
      List<DurableStateChange<Object>> changes = run(system, store.currentChanges("carts", Offset.noOffset()));
      assertEquals(List.of("b:1:b1", "a:2:a2"), describe(changes), "a's first change was replaced by its second");
      assertTrue(offset(changes.get(0)) < offset(changes.get(1)));
      assertEquals(List.of("a:2:a2"), describe(run(system, store.currentChanges("carts", changes.get(0).offset()))),
          "resumed strictly after b's offset");
      assertEquals(List.of("c:1:c1"), describe(run(system, store.currentChanges("other", Offset.noOffset()))));
    });
  }

  @Test
  void aDeleteIsAChangeUnderTheStatesTagAndAHardDeleteLeavesTheQuery() throws Exception {
    withStore((system, store) -> {
      await(store.upsertObject("a", 1, "a1", "carts"));
      await(store.upsertObject("b", 1, "b1", "carts"));
      await(store.deleteObject("a", 2));
      await(store.deleteObject("b"));
      List<DurableStateChange<Object>> changes = run(system, store.currentChanges("carts", Offset.noOffset()));
      assertEquals(1, changes.size());
      DeletedDurableState<Object> deleted = assertInstanceOf(DeletedDurableState.class, changes.get(0));
      assertEquals("a", deleted.persistenceId());
      assertEquals(2, deleted.revision());
    });
  }

  @Test
  void aLiveChangesQuerySeesAChangeMadeAfterItStarted() throws Exception {
    withStore((system, store) -> {
      await(store.upsertObject("a", 1, "a1", "carts"));
      // The query must have read a1 before a2 replaces it: a changes query gives each id's latest
      // change, so a query that starts reading after a2 never sees a1 (a race the test would lose).
      CompletableFuture<Void> sawFirst = new CompletableFuture<>();
      CompletionStage<List<DurableStateChange<Object>>> live = store.changes("carts", Offset.noOffset())
          .wireTap(change -> sawFirst.complete(null)).take(3).runWith(Sink.seq(), system);
      await(sawFirst);
      await(store.upsertObject("b", 1, "b1", "carts"));
      await(store.upsertObject("c", 1, "c1", "elsewhere"));
      await(store.upsertObject("a", 2, "a2", "carts"));
      assertEquals(List.of("a:1:a1", "b:1:b1", "a:2:a2"), describe(await(live)));
    });
  }

  @Test
  void theStateOrderingContinuesAfterARestart() throws Exception {
    long[] last = new long[1];
    withStore((system, store) -> {
      await(store.upsertObject("a", 1, "a1", "t"));
      await(store.upsertObject("b", 1, "b1", "t"));
      last[0] = offset(run(system, store.currentChanges("t", Offset.noOffset())).get(1));
    });
    withStore((system, store) -> {
      await(store.upsertObject("c", 1, "c1", "t"));
      List<DurableStateChange<Object>> after = run(system, store.currentChanges("t", Offset.sequence(last[0])));
      assertEquals(List.of("c:1:c1"), describe(after));
      assertTrue(offset(after.get(0)) > last[0]);
    });
  }

  @Test
  void currentPersistenceIdsPagesInIdOrder() throws Exception {
    withStore((system, store) -> {
      for (String id : List.of("d", "b", "e", "a", "c")) {
        await(store.upsertObject(id, 1, id, ""));
      }
      assertEquals(List.of("a", "b", "c"), run(system, store.currentPersistenceIds(Optional.empty(), 3)));
      assertEquals(List.of("d", "e"), run(system, store.currentPersistenceIds(Optional.of("c"), 3)));
      assertEquals(List.of(), run(system, store.currentPersistenceIds(Optional.of("e"), 3)));
    });
  }

  // ---------------------------------------------------------------- helpers

  private interface Body {
    void run(ActorSystem system, StrataDurableStateStore store) throws Exception;
  }

  private void withStore(Body body) throws Exception {
    ActorSystem system = ActorSystem.create("state-query", ConfigFactory.load(ConfigFactory.parseString("""
        strata.persistence.query.refresh-interval = 1h
        strata.persistence.query.page-size = 2
        """).withFallback(PersistenceHarness.pluginConfig(dir))));
    try {
      body.run(system, DurableStateStoreRegistry.get(system)
          .getDurableStateStoreFor(StrataDurableStateStore.class, "strata.persistence.state"));
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  private static <T> List<T> run(ActorSystem system, Source<T, ?> source) throws Exception {
    return await(source.runWith(Sink.seq(), system));
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static long offset(DurableStateChange<Object> change) {
    return ((Sequence) change.offset()).value();
  }

  private static List<String> describe(List<DurableStateChange<Object>> changes) {
    return changes.stream().map(c -> {
      UpdatedDurableState<Object> u = (UpdatedDurableState<Object>) c;
      return u.persistenceId() + ":" + u.revision() + ":" + u.value();
    }).toList();
  }
}
