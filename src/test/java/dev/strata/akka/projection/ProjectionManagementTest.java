package dev.strata.akka.projection;

import static dev.strata.akka.projection.ProjectionHarness.appliedCounts;
import static dev.strata.akka.projection.ProjectionHarness.eachOnce;
import static dev.strata.akka.projection.ProjectionHarness.envelopes;
import static dev.strata.akka.projection.ProjectionHarness.handler;
import static dev.strata.akka.projection.ProjectionHarness.id;
import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.javadsl.ProjectionManagement;
import com.typesafe.config.ConfigFactory;
import dev.strata.Strata;
import dev.strata.akka.testkit.StrataTestKit;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Akka Projections' management API on a running Strata projection: it reads the offset Strata
 * stored, and pausing, resuming, setting and clearing the offset act on the projection and are kept
 * in the store.
 */
class ProjectionManagementTest {
  static final Duration PATIENCE = Duration.ofSeconds(30);
  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("akka.loglevel = ERROR"));

  StrataTestKit strata;
  Strata store;
  StrataOffsetStore offsets;
  ProjectionManagement management;

  @BeforeEach
  void openStore() {
    strata = StrataTestKit.create(testKit.system());
    store = strata.store();
    offsets = StrataOffsetStore.create(testKit.system(), store);
    management = ProjectionManagement.get(testKit.system());
  }

  @AfterEach
  void closeStore() {
    strata.close();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static void eventually(Runnable assertion) {
    testKit.createTestProbe().awaitAssert(PATIENCE, () -> {
      assertion.run();
      return null;
    });
  }

  private ActorRef<ProjectionBehavior.Command> start(ProjectionId id, long envelopes) {
    return testKit.spawn(ProjectionBehavior.create(StrataProjection.exactlyOnce(id, envelopes(envelopes), store,
        () -> handler(store, ProjectionHarness.newCalls(), o -> false))));
  }

  private void stop(ActorRef<ProjectionBehavior.Command> projection) {
    TestProbe<Object> probe = testKit.createTestProbe();
    projection.tell(ProjectionBehavior.stopMessage());
    probe.expectTerminated(projection, PATIENCE);
  }

  @Test
  void getOffsetAnswersTheOffsetStrataStored() {
    ProjectionId id = id("management-offset");
    ActorRef<ProjectionBehavior.Command> projection = start(id, 5);
    eventually(() -> assertEquals(eachOnce(5), appliedCounts(store)));
    assertEquals(Optional.of(5L), await(management.<Long>getOffset(id)));
    stop(projection);
  }

  @Test
  void settingTheOffsetMakesTheProjectionReprocessFromThere() {
    ProjectionId id = id("management-set");
    ActorRef<ProjectionBehavior.Command> projection = start(id, 5);
    eventually(() -> assertEquals(Optional.of(5L), await(offsets.readOffset(id))));

    await(management.updateOffset(id, 2L));
    // The projection was restarted from offset 2: envelopes 3 to 5 are applied a second time.
    eventually(() -> assertEquals(Map.of(1L, 1L, 2L, 1L, 3L, 2L, 4L, 2L, 5L, 2L), appliedCounts(store)));
    assertEquals(Optional.of(5L), await(management.<Long>getOffset(id)));
    stop(projection);
  }

  @Test
  void clearingTheOffsetMakesTheProjectionStartFromTheBeginning() {
    ProjectionId id = id("management-clear");
    ActorRef<ProjectionBehavior.Command> projection = start(id, 3);
    eventually(() -> assertEquals(Optional.of(3L), await(offsets.readOffset(id))));

    await(management.clearOffset(id));
    eventually(() -> assertEquals(Map.of(1L, 2L, 2L, 2L, 3L, 2L), appliedCounts(store)));
    assertEquals(Optional.of(3L), await(offsets.readOffset(id)));
    stop(projection);
  }

  @Test
  void aPausedProjectionProcessesNothingUntilResumed() {
    ProjectionId id = id("management-pause");
    ActorRef<ProjectionBehavior.Command> projection = start(id, 3);
    eventually(() -> assertEquals(eachOnce(3), appliedCounts(store)));

    await(management.pause(id));
    assertEquals(true, await(management.isPaused(id)));
    assertEquals(Optional.of(true), await(offsets.readPaused(id)));
    // Paused, the projection does not consume its source: a reset offset is not acted on ...
    await(management.updateOffset(id, 1L));
    assertEquals(eachOnce(3), appliedCounts(store));
    assertEquals(Optional.of(1L), await(offsets.readOffset(id)));

    // ... until it is resumed, and it stays paused across a restart of the projection meanwhile.
    stop(projection);
    projection = start(id, 3);
    assertEquals(true, await(management.isPaused(id)));
    await(management.resume(id));
    assertEquals(false, await(management.isPaused(id)));
    eventually(() -> assertEquals(Map.of(1L, 1L, 2L, 2L, 3L, 2L), appliedCounts(store)));
    stop(projection);
  }
}
