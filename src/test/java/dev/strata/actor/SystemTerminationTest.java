package dev.strata.actor;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static dev.strata.actor.ShutdownHarness.HANG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ActorSystem can terminate under a store that is still open: Akka 2.8.8 without a licence key
 * terminates every system 15 minutes after it starts, and an application may simply terminate
 * its system without closing the store first. The store's writer is then gone; every call that
 * needs it fails instead of waiting forever, and the next open recovers every acknowledged write.
 */
class SystemTerminationTest {
  @TempDir Path dir;

  /**
   * With CoordinatedShutdown run by terminate() (Akka's default) the store is closed in its phase;
   * without it the writer simply stops under the open store.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void callsThatNeedTheWriterFailInsteadOfHangingOnceItsSystemTerminated(boolean coordinatedShutdown)
      throws Exception {
    Path store = dir.resolve("store");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "terminated", ConfigFactory.parseString(
        "akka.coordinated-shutdown.run-by-actor-system-terminate = " + (coordinatedShutdown ? "on" : "off"))
        .withFallback(ConfigFactory.load()));
    Strata db = Strata.open(system, store, StrataOptions.builder().syncWrites(true).build());
    db.put(b("before"), b("1"));
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertTimeoutPreemptively(HANG, () -> {
      // A synced write needs the writer for its fsync; flush and sync need it too.
      assertThrows(RuntimeException.class, () -> db.put(b("after"), b("2")));
      assertThrows(RuntimeException.class, db::flush);
      assertThrows(RuntimeException.class, db::sync);
      if (coordinatedShutdown) {
        assertTrue(db.isClosed(), "CoordinatedShutdown closes the store in its phase");
      } else {
        assertEquals("1", s(db.get(b("before"))), "reads need no writer");
      }
      db.close();
    }, "a call on a store whose ActorSystem terminated hung");
    assertTrue(db.isClosed());

    try (Strata reopened = Strata.open(store)) {
      assertEquals("1", s(reopened.get(b("before"))));
    }
  }
}
