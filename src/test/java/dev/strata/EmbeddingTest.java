package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store inside an application's own ActorSystem: close() stops only what Strata started. */
class EmbeddingTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @TempDir Path dir;

  @Test
  void closingAStoreLeavesTheApplicationsActorSystemRunning() {
    Strata db = Strata.open(testKit.system(), dir, TestHarness.smallOptions());
    db.put(b("k"), b("v"));
    db.close();
    assertTrue(!testKit.system().getWhenTerminated().toCompletableFuture().isDone(),
        "the application's ActorSystem is still running");
    TestProbe<String> probe = testKit.createTestProbe();
    probe.ref().tell("alive");
    probe.expectMessage("alive");
    try (Strata again = Strata.open(testKit.system(), dir, TestHarness.smallOptions())) {
      assertEquals("v", s(again.get(b("k"))));
    }
  }

  @Test
  void twoStoresShareOneActorSystem() {
    try (Strata a = Strata.open(testKit.system(), dir.resolve("a"), TestHarness.smallOptions());
         Strata c = Strata.open(testKit.system(), dir.resolve("c"), TestHarness.smallOptions())) {
      a.put(b("k"), b("in a"));
      c.put(b("k"), b("in c"));
      assertEquals("in a", s(a.get(b("k"))));
      assertEquals("in c", s(c.get(b("k"))));
    }
  }

  @Test
  void theSameDirectoryCannotBeOpenedTwice() {
    try (Strata a = Strata.open(testKit.system(), dir, TestHarness.smallOptions())) {
      StrataException e = assertThrows(StrataException.class,
          () -> Strata.open(testKit.system(), dir, TestHarness.smallOptions()));
      assertTrue(e.getMessage().contains("locked"), e.getMessage());
    }
  }
}
