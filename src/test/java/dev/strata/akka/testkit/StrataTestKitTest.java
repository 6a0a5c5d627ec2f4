package dev.strata.akka.testkit;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import dev.strata.Strata;
import dev.strata.TestHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** StrataTestKit: a fresh directory per kit, options from the system's config, nothing left behind. */
class StrataTestKitTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("strata.memtable-size = 1 MiB").withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void eachKitOpensAStoreInAFreshDirectoryOfItsOwn() {
    try (StrataTestKit one = StrataTestKit.create(testKit.system());
         StrataTestKit two = StrataTestKit.create(testKit.system())) {
      assertNotEquals(one.directory(), two.directory());
      assertEquals(one.directory().toAbsolutePath(), one.store().directory());
      one.store().put(b("k"), b("in one"));
      assertEquals(null, two.store().get(b("k")));
    }
  }

  @Test
  void closeClosesTheStoreAndDeletesItsDirectory() {
    StrataTestKit kit = StrataTestKit.create(testKit.system());
    for (int i = 0; i < 500; i++) {
      kit.store().put(TestHarness.key(i), new byte[1024]);
    }
    kit.store().flush(); // SSTs as well as a WAL and a manifest
    kit.close();
    assertTrue(kit.store().isClosed());
    assertFalse(Files.exists(kit.directory()), "directory deleted");
    kit.close(); // idempotent
  }

  @Test
  void optionsComeFromTheSystemsStrataConfigBlock() {
    try (StrataTestKit kit = StrataTestKit.create(testKit.system())) {
      assertEquals(1024 * 1024, kit.store().options().memtableSizeBytes());
    }
  }

  @Test
  void theKitsStoreLogsNoPeriodicStatsLineAndNeitherDoesItsPersistenceStore() {
    try (StrataTestKit kit = StrataTestKit.create(testKit.system())) {
      assertEquals(java.time.Duration.ZERO, kit.store().options().statsLogInterval());
    }
    assertEquals("off", StrataTestKit.persistenceConfig(Path.of("p")).getString("strata.stores.persistence.stats-log-interval"));
  }

  @Test
  void givenOptionsAreUsed() {
    try (StrataTestKit kit = StrataTestKit.create(testKit.system(), TestHarness.smallOptions())) {
      assertEquals(TestHarness.smallOptions().memtableSizeBytes(), kit.store().options().memtableSizeBytes());
    }
  }

  @Test
  void reopenRecoversTheStoreFromItsDirectory() {
    try (StrataTestKit kit = StrataTestKit.create(testKit.system())) {
      Strata first = kit.store();
      first.put(b("k"), b("v"));
      Strata second = kit.reopen();
      assertNotSame(first, second);
      assertTrue(first.isClosed());
      assertEquals(second, kit.store());
      assertEquals("v", s(second.get(b("k"))));
    }
  }

  @Test
  void reopenAfterCloseIsAnIllegalState() {
    StrataTestKit kit = StrataTestKit.create(testKit.system());
    kit.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, kit::reopen);
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  @Test
  void mainCodeNeedsNoAkkaTestKitAtRuntime() throws IOException {
    // akka-actor-testkit-typed is test-scoped in the pom: main code importing it would compile here
    // and fail with NoClassDefFoundError in an application that does not have it.
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(f)) {
          if (line.startsWith("import akka.actor.testkit.") || line.startsWith("import akka.testkit.")) {
            offenders.add(f + ": " + line);
          }
        }
      }
    }
    assertEquals(List.of(), offenders);
  }
}
