package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.state.DurableStateStoreRegistry;
import akka.persistence.state.javadsl.DurableStateUpdateStore;
import akka.persistence.state.javadsl.GetObjectResult;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.akka.StrataExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StrataCleanup} on the store that the real plugins write: event-sourced and durable state
 * counters persist through the journal, snapshot store and state plugins, the cleanup deletes, and a
 * new actor of the same id recovers what is left (the event-sourced counter snapshots every 5 events).
 */
class StrataCleanupTest {
  @TempDir
  Path dir;

  ActorTestKit testKit;
  StrataCleanup cleanup;
  Strata store;

  @BeforeEach
  void startSystem() {
    testKit = ActorTestKit.create("cleanup", PersistenceHarness.pluginConfig(dir));
    cleanup = StrataCleanup.create(testKit.system());
    store = StrataExtension.get(testKit.system()).open("persistence");
  }

  @AfterEach
  void stopSystem() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  /** Persists amounts 1 to {@code events} as events of {@code id}, then stops the actor. */
  private void persistEvents(String id, int events) {
    ActorRef<EventSourcedExampleTest.Counter.Command> counter = testKit.spawn(EventSourcedExampleTest.Counter.create(id));
    for (int i = 1; i <= events; i++) {
      counter.tell(new EventSourcedExampleTest.Counter.Add(i));
    }
    assertEquals(events * (events + 1) / 2, sum(counter));
    testKit.stop(counter);
  }

  /** The state a new actor of {@code id} recovers, after adding {@code add} (0: nothing). */
  private int recover(String id, int add) {
    ActorRef<EventSourcedExampleTest.Counter.Command> counter = testKit.spawn(EventSourcedExampleTest.Counter.create(id));
    if (add != 0) {
      counter.tell(new EventSourcedExampleTest.Counter.Add(add));
    }
    int state = sum(counter);
    testKit.stop(counter);
    return state;
  }

  private int sum(ActorRef<EventSourcedExampleTest.Counter.Command> counter) {
    TestProbe<Integer> probe = testKit.createTestProbe();
    counter.tell(new EventSourcedExampleTest.Counter.Get(probe.ref()));
    return probe.receiveMessage();
  }

  /** The sequence numbers of the events the store holds for {@code id}. */
  private List<Long> eventSequenceNrs(String id) {
    List<Long> seqNrs = new java.util.ArrayList<>();
    try (StrataIterator it = store.scan(Bound.included(PersistenceKeys.event(id, 0)),
        Bound.included(PersistenceKeys.event(id, Long.MAX_VALUE)))) {
      for (; it.isValid(); it.next()) {
        seqNrs.add(PersistenceKeys.eventSequenceNr(it.key()));
      }
    }
    return seqNrs;
  }

  private List<Long> snapshotSequenceNrs(String id) {
    List<Long> seqNrs = new java.util.ArrayList<>();
    try (StrataIterator it = store.scan(Bound.included(PersistenceKeys.snapshot(id, Long.MAX_VALUE)),
        Bound.included(PersistenceKeys.snapshot(id, 0)))) {
      for (; it.isValid(); it.next()) {
        seqNrs.add(PersistenceKeys.snapshotSequenceNr(it.key()));
      }
    }
    return seqNrs;
  }

  @Test
  void deleteAllEventsKeepingSequenceNumbersLetsTheIdCarryOnAfterThem() {
    persistEvents("c-1", 3);
    await(cleanup.deleteAllEvents("c-1", false));
    assertEquals(List.of(), eventSequenceNrs("c-1"));
    assertEquals(10, recover("c-1", 10)); // nothing left to replay
    assertEquals(List.of(4L), eventSequenceNrs("c-1"));
  }

  @Test
  void deleteAllEventsResettingSequenceNumbersStartsTheIdAgainAtOne() {
    persistEvents("c-1", 3);
    await(cleanup.deleteAllEvents("c-1", true));
    assertNull(store.get(PersistenceKeys.highestSequenceNr("c-1")));
    assertEquals(10, recover("c-1", 10));
    assertEquals(List.of(1L), eventSequenceNrs("c-1"));
  }

  @Test
  void deleteAllSnapshotsLeavesTheEventsToRecoverFrom() {
    persistEvents("c-1", 7);
    assertEquals(List.of(5L), snapshotSequenceNrs("c-1"));
    await(cleanup.deleteAllSnapshots("c-1"));
    assertEquals(List.of(), snapshotSequenceNrs("c-1"));
    assertEquals(28, recover("c-1", 0));
  }

  @Test
  void deleteEventsBeforeSnapshotKeepsWhatARecoveryFromTheSnapshotNeeds() {
    persistEvents("c-1", 7); // snapshot at 5 (state 15), then events 6 and 7
    await(cleanup.deleteEventsBeforeSnapshot("c-1"));
    assertEquals(List.of(6L, 7L), eventSequenceNrs("c-1"));
    assertEquals(28, recover("c-1", 0));
  }

  @Test
  void deleteEventsBeforeSnapshotOfAnIdWithoutSnapshotsDeletesNothing() {
    persistEvents("c-1", 3);
    await(cleanup.deleteEventsBeforeSnapshot("c-1"));
    assertEquals(List.of(1L, 2L, 3L), eventSequenceNrs("c-1"));
  }

  @Test
  void deleteAllOfManyIdsRemovesTheirEventsAndSnapshotsAndNoOtherId() {
    persistEvents("c-1", 7);
    persistEvents("c-2", 6);
    persistEvents("c-3", 2);
    await(cleanup.deleteAll(List.of("c-1", "c-2"), true));
    for (String id : List.of("c-1", "c-2")) {
      assertEquals(List.of(), eventSequenceNrs(id));
      assertEquals(List.of(), snapshotSequenceNrs(id));
      assertEquals(0, recover(id, 0));
    }
    assertEquals(List.of(1L, 2L), eventSequenceNrs("c-3"));
    assertEquals(3, recover("c-3", 0));
  }

  @Test
  void deleteStateKeepingTheRevisionLetsTheIdCarryOnAfterIt() {
    DurableStateUpdateStore<Object> states = stateStore();
    await(states.upsertObject("s-1", 1, 5, ""));
    await(states.upsertObject("s-1", 2, 6, ""));
    await(cleanup.deleteState("s-1", false));
    GetObjectResult<Object> result = await(states.getObject("s-1"));
    assertEquals(Optional.empty(), result.value());
    assertEquals(3L, result.revision()); // deleted at the next revision, as DurableStateBehavior deletes

    ActorRef<DurableStateBehaviorTest.Counter.Command> counter = testKit.spawn(DurableStateBehaviorTest.Counter.create("s-1"));
    counter.tell(new DurableStateBehaviorTest.Counter.Add(4)); // revision 4: accepted only after revision 3
    TestProbe<Integer> probe = testKit.createTestProbe();
    counter.tell(new DurableStateBehaviorTest.Counter.Get(probe.ref()));
    probe.expectMessage(4);
  }

  @Test
  void deleteStatesResettingTheRevisionRemovesTheRecords() {
    DurableStateUpdateStore<Object> states = stateStore();
    await(states.upsertObject("s-1", 1, 5, ""));
    await(states.upsertObject("s-2", 1, 6, ""));
    await(states.upsertObject("s-3", 1, 7, ""));
    await(cleanup.deleteStates(List.of("s-1", "s-2"), true));
    assertNull(store.get(PersistenceKeys.state("s-1")));
    assertNull(store.get(PersistenceKeys.state("s-2")));
    assertEquals(0L, await(states.getObject("s-1")).revision());
    assertEquals(Optional.of(7), await(states.getObject("s-3")).value());
    await(states.upsertObject("s-1", 1, 8, "")); // revision 1 again
  }

  @Test
  void deletingAStateThatDoesNotExistIsFine() {
    await(cleanup.deleteState("never-written", false));
    assertNull(store.get(PersistenceKeys.state("never-written")));
  }

  @Test
  void aPluginPathThatIsNotConfiguredIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrataCleanup.create(
        testKit.system(), "my.journal", "strata.persistence.snapshot-store", "strata.persistence.state"));
    assertTrue(e.getMessage().contains("my.journal"), e.getMessage());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private DurableStateUpdateStore<Object> stateStore() {
    return DurableStateStoreRegistry.get(testKit.system()).getDurableStateStoreFor(DurableStateUpdateStore.class,
        "strata.persistence.state");
  }
}
