package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store opened in an application's ActorSystem closes itself when that system shuts down, and
 * lets go of the system's shutdown once its owner closed it. (That the data then recovers, and
 * that stores of other systems stay open, is specified in StrataExtensionTest.)
 */
class CloseAtShutdownTest {
  @TempDir Path dir;
  private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterEach
  void shutdownTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void aStoreOpenedInTheSystemIsClosedByItsShutdown() {
    Strata store = Strata.open(testKit.system(), dir, TestHarness.smallOptions());
    assertTrue(store.closesAtShutdown());
    testKit.shutdownTestKit();
    assertTrue(store.isClosed());
  }

  @Test
  void aStoreClosedByItsOwnerIsNoLongerHeldByTheSystemsShutdown() {
    Strata store = Strata.open(testKit.system(), dir, TestHarness.smallOptions());
    store.close();
    assertFalse(store.closesAtShutdown(), "a long-lived system must not keep every store ever closed in it");
  }

  @Test
  void aStoreThatOwnsItsSystemNeedsNoShutdownTask() {
    try (Strata store = Strata.open(dir, TestHarness.smallOptions())) {
      assertFalse(store.closesAtShutdown(), "close() terminates that system itself");
    }
  }

  @Test
  void noStoreOpensInASystemWhoseShutdownHasBegunAndItsDirectoryIsLeftFree() throws Exception {
    // A task of an earlier phase than the stores' one runs while the system is still alive but
    // its shutdown has begun: the moment in which a store must be refused, not left unclosed.
    CompletableFuture<Throwable> refusal = new CompletableFuture<>();
    CoordinatedShutdown.get(testKit.system()).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "open-a-store",
        () -> {
          try {
            Strata late = Strata.open(testKit.system(), dir, TestHarness.smallOptions());
            late.close();
            refusal.complete(null);
          } catch (RuntimeException e) {
            refusal.complete(e);
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    testKit.shutdownTestKit();

    Throwable e = refusal.get();
    assertTrue(e instanceof IllegalStateException, "refused with an IllegalStateException, got " + e);
    assertEquals("the actor system is shutting down: no store may open in it now", e.getMessage());
    try (Strata reopened = Strata.open(dir, TestHarness.smallOptions())) {
      reopened.put(b("k"), b("v"));
      assertEquals("v", s(reopened.get(b("k"))), "the refused store released its directory lock");
    }
  }
}
