package dev.strata.akka.projection;

import static dev.strata.akka.projection.ProjectionHarness.appliedCounts;
import static dev.strata.akka.projection.ProjectionHarness.callCounts;
import static dev.strata.akka.projection.ProjectionHarness.eachOnce;
import static dev.strata.akka.projection.ProjectionHarness.envelopes;
import static dev.strata.akka.projection.ProjectionHarness.handler;
import static dev.strata.akka.projection.ProjectionHarness.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.projection.HandlerRecoveryStrategy;
import akka.projection.Projection;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.testkit.javadsl.ProjectionTestKit;
import com.typesafe.config.ConfigFactory;
import dev.strata.Strata;
import dev.strata.akka.projection.ProjectionHarness.Envelope;
import dev.strata.akka.testkit.StrataTestKit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The three kinds of Strata projection, run by Akka's {@link ProjectionTestKit} over its
 * {@code TestSourceProvider}: what each applies to the read model, and which offset it stores, across
 * handler failures and restarts.
 */
class StrataProjectionTest {
  /** Long enough that no time-based group or offset save happens during a test. */
  static final Duration NEVER = Duration.ofHours(1);
  /** An upper bound for a projection to reach what a test waits for; never a performance assertion. */
  static final Duration PATIENCE = Duration.ofSeconds(30);

  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("akka.loglevel = ERROR"));
  static final ProjectionTestKit projections = ProjectionTestKit.create(testKit.system());

  StrataTestKit strata;
  Strata store;
  StrataOffsetStore offsets;

  @BeforeEach
  void openStore() {
    strata = StrataTestKit.create(testKit.system());
    store = strata.store();
    offsets = StrataOffsetStore.create(testKit.system(), store);
  }

  @AfterEach
  void closeStore() {
    strata.close();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private Optional<Object> storedOffset(ProjectionId id) {
    return offsets.readOffset(id).toCompletableFuture().join();
  }

  /** Runs the projection until {@code assertion} holds, then stops it; Akka's test kit never restarts it. */
  private void run(Projection<?> projection, Runnable assertion) {
    projections.run(projection, PATIENCE, assertion::run);
  }

  /**
   * Runs the projection as an application does, in a {@link ProjectionBehavior} that restarts it
   * after a failure (with the projection's restart backoff), until {@code assertion} holds; then stops it.
   */
  private void runWithRestarts(Projection<?> projection, Runnable assertion) {
    ActorRef<ProjectionBehavior.Command> behavior = testKit.spawn(ProjectionBehavior.create(projection));
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(PATIENCE, () -> {
      assertion.run();
      return null;
    });
    behavior.tell(ProjectionBehavior.stopMessage());
    probe.expectTerminated(behavior, PATIENCE);
  }

  @Test
  void exactlyOnceAppliesEveryEnvelopeOnceAndStoresTheLastOffset() {
    ProjectionId id = id("exactly-once");
    Map<Long, AtomicInteger> calls = ProjectionHarness.newCalls();
    var projection = StrataProjection.exactlyOnce(id, envelopes(10), store, () -> handler(store, calls, o -> false));
    run(projection, () -> {
      assertEquals(eachOnce(10), appliedCounts(store));
      assertEquals(Optional.of(10L), storedOffset(id));
    });
  }

  @Test
  void exactlyOnceRestartedAfterAHandlerFailureResumesAfterTheLastCommittedEnvelope() {
    ProjectionId id = id("exactly-once-failure");
    Map<Long, AtomicInteger> calls = ProjectionHarness.newCalls();
    AtomicBoolean failed = new AtomicBoolean();
    // Envelope 6 fails once: the stream fails (recovery strategy "fail"), and Akka restarts it from
    // the stored offset. Nothing of envelope 6 may have been written, and 1 to 5 are not processed again.
    var projection = StrataProjection.exactlyOnce(id, envelopes(10), store,
            () -> handler(store, calls, o -> o == 6 && failed.compareAndSet(false, true)))
        .withRestartBackoff(Duration.ofMillis(10), Duration.ofMillis(50), 0.0);
    runWithRestarts(projection, () -> {
      assertEquals(eachOnce(10), appliedCounts(store));
      assertEquals(Optional.of(10L), storedOffset(id));
    });
    Map<Long, Integer> expectedCalls = new java.util.TreeMap<>();
    for (long o = 1; o <= 10; o++) {
      expectedCalls.put(o, o == 6 ? 2 : 1);
    }
    assertEquals(expectedCalls, callCounts(calls));
  }

  @Test
  void aNewRunOfAnExactlyOnceProjectionResumesFromItsStoredOffset() {
    ProjectionId id = id("exactly-once-rerun");
    // The first run sees the 5 events that exist so far, and is stopped.
    var first = StrataProjection.exactlyOnce(id, envelopes(5), store,
        () -> handler(store, ProjectionHarness.newCalls(), o -> false));
    run(first, () -> assertEquals(Optional.of(5L), storedOffset(id)));

    // Five more events later, the next run starts after the stored offset.
    Map<Long, AtomicInteger> secondCalls = ProjectionHarness.newCalls();
    var second = StrataProjection.exactlyOnce(id, envelopes(10), store, () -> handler(store, secondCalls, o -> false));
    run(second, () -> {
      assertEquals(eachOnce(10), appliedCounts(store));
      assertEquals(Optional.of(10L), storedOffset(id));
    });
    assertEquals(List.of(6L, 7L, 8L, 9L, 10L), List.copyOf(callCounts(secondCalls).keySet()));
  }

  @Test
  void exactlyOnceWithTheSkipStrategyStoresTheOffsetOfASkippedEnvelopeButNoneOfItsWrites() {
    ProjectionId id = id("exactly-once-skip");
    var projection = StrataProjection.exactlyOnce(id, envelopes(5), store,
            () -> handler(store, ProjectionHarness.newCalls(), o -> o == 3))
        .withRecoveryStrategy(HandlerRecoveryStrategy.skip());
    run(projection, () -> {
      Map<Long, Long> expected = eachOnce(5);
      expected.remove(3L);
      assertEquals(expected, appliedCounts(store));
      assertEquals(Optional.of(5L), storedOffset(id));
    });
  }

  @Test
  void atLeastOnceSavesTheOffsetEveryNEnvelopesAndProcessesTheRestAgainAfterACrash() {
    ProjectionId id = id("at-least-once");
    Map<Long, AtomicInteger> calls = ProjectionHarness.newCalls();
    AtomicBoolean failed = new AtomicBoolean();
    // Offsets are saved after envelopes 3 and 6. Envelope 8 then fails once (after the save of 6 has
    // landed, so that the test does not race it): the stream fails with 7 written but its offset not
    // saved, and the restarted stream resumes after 6.
    var projection = StrataProjection.atLeastOnce(id, envelopes(8), store, () -> handler(store, calls,
            o -> o == 8 && awaitStoredOffset(id, 6L) && failed.compareAndSet(false, true)))
        .withSaveOffset(3, NEVER)
        .withRestartBackoff(Duration.ofMillis(10), Duration.ofMillis(50), 0.0);
    Map<Long, Long> expected = eachOnce(8);
    expected.put(7L, 2L); // at least once: envelope 7 was applied again
    runWithRestarts(projection, () -> {
      assertTrue(failed.get());
      assertEquals(expected, appliedCounts(store));
    });
    assertEquals(1, calls.get(6L).get());
    assertEquals(2, calls.get(7L).get());
    assertEquals(2, calls.get(8L).get());
  }

  /** Waits until the projection's stored offset is {@code offset}; true, for use in a predicate. */
  private boolean awaitStoredOffset(ProjectionId id, long offset) {
    testKit.createTestProbe().awaitAssert(PATIENCE, () -> {
      assertEquals(Optional.of(offset), storedOffset(id));
      return null;
    });
    return true;
  }

  @Test
  void groupedWithinCommitsEachGroupWithItsLastOffsetInOneWrite() {
    ProjectionId id = id("grouped");
    List<List<Long>> groups = new CopyOnWriteArrayList<>();
    var projection = StrataProjection.groupedWithin(id, envelopes(7), store,
            () -> ProjectionHarness.groupedHandler(store, groups))
        .withGroup(3, NEVER);
    run(projection, () -> {
      assertEquals(List.of(List.of(1L, 2L, 3L), List.of(4L, 5L, 6L)), groups);
      assertEquals(eachOnce(6), appliedCounts(store));
      assertEquals(Optional.of(6L), storedOffset(id));
    });
  }

  @Test
  void aHandlerReturningNullFailsTheEnvelopeAndWritesNothing() {
    ProjectionId id = id("null-handler");
    AtomicInteger calls = new AtomicInteger();
    var projection = StrataProjection.<Long, Envelope>exactlyOnce(id, envelopes(3), store, () -> envelope -> {
      calls.incrementAndGet();
      return null;
    });
    // The failure as the stream reports it: run() with an assertion on the calls could see the
    // call and stop the projection before its failure arrived.
    projections.runWithTestSink(projection, sink -> {
      sink.request(1);
      Throwable e = sink.expectError();
      assertTrue(e instanceof NullPointerException && e.getMessage().contains("returned null"), e.toString());
    });
    assertEquals(1, calls.get());
    assertEquals(Map.of(), appliedCounts(store));
    assertEquals(Optional.empty(), storedOffset(id));
  }

  @Test
  void anOffsetOfATypeTheStoreCannotKeepFailsTheProjectionAndWritesNothing() {
    ProjectionId id = id("double-offsets");
    var doubles = akka.projection.testkit.javadsl.TestSourceProvider.<Double, Envelope>create(
        akka.stream.javadsl.Source.single(new Envelope(1, "event-1")), envelope -> 1.0d);
    var projection = StrataProjection.exactlyOnce(id, doubles, store,
        () -> handler(store, ProjectionHarness.newCalls(), o -> false));
    projections.runWithTestSink(projection, sink -> {
      sink.request(1);
      Throwable e = sink.expectError();
      assertTrue(e instanceof IllegalArgumentException && e.getMessage().contains("java.lang.Double"), e.toString());
    });
    assertEquals(Optional.empty(), storedOffset(id));
    assertEquals(Map.of(), appliedCounts(store));
  }

  @Test
  void settingsOfAnotherKindOfProjectionAreRefused() {
    var exactlyOnce = StrataProjection.exactlyOnce(id("x"), envelopes(1), store,
        () -> handler(store, ProjectionHarness.newCalls(), o -> false));
    assertThrows(IllegalStateException.class,
        () -> ((StrataProjectionImpl<?, ?>) exactlyOnce).withSaveOffset(3, Duration.ofSeconds(1)));
    assertThrows(IllegalStateException.class,
        () -> ((StrataProjectionImpl<?, ?>) exactlyOnce).withGroup(3, Duration.ofSeconds(1)));
  }
}
