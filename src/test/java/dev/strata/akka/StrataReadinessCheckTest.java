package dev.strata.akka;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.TestHarness;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readiness check Akka Management would load: ready exactly while every store opened through
 * StrataExtension is open and out of its error state.
 */
class StrataReadinessCheckTest {
  @TempDir Path dir;
  private ActorTestKit testKit;

  @AfterEach
  void shutdown() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  private ActorTestKit testKit() {
    String stores = "strata.stores.a { directory = " + ConfigUtil.quoteString(dir.resolve("a").toString()) + " }\n"
        + "strata.stores.b { directory = " + ConfigUtil.quoteString(dir.resolve("b").toString()) + " }\n";
    testKit = ActorTestKit.create(ConfigFactory.parseString(stores).withFallback(ConfigFactory.load()));
    return testKit;
  }

  private static boolean ready(Supplier<CompletionStage<Boolean>> check) throws Exception {
    return check.get().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void itHasTheShapeAkkaManagementLoads() throws Exception {
    assertTrue(Supplier.class.isAssignableFrom(StrataReadinessCheck.class));
    Constructor<StrataReadinessCheck> c = StrataReadinessCheck.class.getConstructor(akka.actor.ActorSystem.class);
    Supplier<?> check = c.newInstance(testKit().system().classicSystem());
    assertEquals(Boolean.TRUE, ((CompletionStage<?>) check.get()).toCompletableFuture().get(10, TimeUnit.SECONDS),
        "no store opened yet: ready");
  }

  @Test
  void readyWhileEveryStoreIsOpenAndHealthyNotOnceOneIsClosed() throws Exception {
    ActorTestKit kit = testKit();
    StrataReadinessCheck check = new StrataReadinessCheck(kit.system().classicSystem());
    Strata a = StrataExtension.get(kit.system()).open("a");
    Strata b = StrataExtension.get(kit.system()).open("b");
    a.put(b("k"), b("v"));
    assertTrue(ready(check));
    b.close();
    assertFalse(ready(check), "store b was opened through the extension and is closed");
    Strata again = StrataExtension.get(kit.system()).open("b");
    assertTrue(again.isHealthy());
    assertTrue(ready(check), "reopened");
  }

  @Test
  void notReadyOnceAStoreIsInItsErrorState() throws Exception {
    ActorTestKit kit = testKit();
    StrataReadinessCheck check = new StrataReadinessCheck(StrataExtension.get(kit.system()));
    Strata a = StrataExtension.get(kit.system()).open("a");
    StrataExtension.get(kit.system()).open("b");
    a.put(b("k"), b("v"));
    assertTrue(ready(check));
    // A real I/O error: the store's directory is gone, so the flush cannot create its SST.
    TestHarness.deleteRecursively(a.directory());
    assertThrows(StrataException.class, a::flush);
    assertTrue(a.errorState().isPresent());
    assertFalse(a.isHealthy());
    assertFalse(ready(check), "store a is read-only");
    assertTrue(StrataExtension.get(kit.system()).openedStores().get("b").isHealthy(), "the other store is fine");
  }

  @Test
  void aNullSystemIsRefused() {
    assertThrows(NullPointerException.class, () -> new StrataReadinessCheck((akka.actor.ActorSystem) null));
    assertThrows(NullPointerException.class, () -> new StrataReadinessCheck((StrataExtension) null));
  }
}
