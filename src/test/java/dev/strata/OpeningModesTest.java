package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.strata.engine.OptionsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * createIfMissing and errorIfExists decide whether an open may create a store or reopen one; a
 * refused open creates, changes and deletes nothing. Every open records its options in an OPTIONS file.
 */
class OpeningModesTest {
  private static final ActorSystem<Void> system =
      ActorSystem.create(Behaviors.empty(), "opening-modes", ConfigFactory.load());

  @TempDir
  Path tmp;

  @AfterAll
  static void shutdown() {
    system.terminate();
  }

  @Test
  void openingAMissingStoreWithoutCreateIfMissingFailsNamingTheDirectoryAndCreatesNothing() {
    Path dir = tmp.resolve("absent");
    StrataException e = assertThrows(StrataException.class,
        () -> Strata.open(system, dir, StrataOptions.builder().createIfMissing(false).build()));
    assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("createIfMissing"), e.getMessage());
    assertFalse(Files.exists(dir), "the refused open created " + dir);
  }

  @Test
  void anEmptyDirectoryIsNotAStore() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("empty"));
    assertThrows(StrataException.class,
        () -> Strata.open(system, dir, StrataOptions.builder().createIfMissing(false).build()));
    assertEquals(Map.of(), contents(dir), "no LOCK, manifest or other file left by the refused open");
    try (Strata db = Strata.open(system, dir, StrataOptions.builder().errorIfExists(true).build())) {
      db.put(b("k"), b("v")); // errorIfExists does not refuse a directory without a store
    }
  }

  @Test
  void openingAnExistingStoreWithErrorIfExistsFailsAndLeavesItUntouchedAndOpenable() throws IOException {
    Path dir = tmp.resolve("store");
    try (Strata db = Strata.open(system, dir, StrataOptions.defaults())) {
      db.put(b("k"), b("v"));
    }
    Map<String, Long> before = contents(dir);
    StrataException e = assertThrows(StrataException.class,
        () -> Strata.open(system, dir, StrataOptions.builder().errorIfExists(true).build()));
    assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("errorIfExists"), e.getMessage());
    assertEquals(before, contents(dir), "the refused open changed the store's files");
    try (Strata db = Strata.open(system, dir, StrataOptions.builder().createIfMissing(false).build())) {
      assertEquals("v", s(db.get(b("k"))), "the store is still there and openable");
    }
  }

  @Test
  void byDefaultAnOpenCreatesAMissingStoreAndReopensAnExistingOne() throws IOException {
    StrataOptions d = StrataOptions.defaults();
    assertTrue(d.createIfMissing());
    assertFalse(d.errorIfExists());
    assertTrue(StrataOptions.builder().build().createIfMissing());
    assertFalse(StrataOptions.builder().build().errorIfExists());
    Path dir = tmp.resolve("nested").resolve("store");
    try (Strata db = Strata.open(system, dir, d)) {
      db.put(b("k"), b("v"));
    }
    assertTrue(Files.exists(dir.resolve("CURRENT")));
    try (Strata db = Strata.open(system, dir, d)) {
      assertEquals("v", s(db.get(b("k"))));
    }
  }

  @Test
  void theConfigKeysSetBothOptionsAndToBuilderKeepsThem() {
    StrataOptions o = StrataOptions.fromConfig(ConfigFactory.parseString(
        "strata { create-if-missing = off, error-if-exists = on }"));
    assertFalse(o.createIfMissing());
    assertTrue(o.errorIfExists());
    StrataOptions copy = o.toBuilder().build();
    assertFalse(copy.createIfMissing());
    assertTrue(copy.errorIfExists());
    assertTrue(o.toString().contains("createIfMissing=false") && o.toString().contains("errorIfExists=true"),
        o.toString());
  }

  @Test
  void anOpenRecordsItsOptionsForTools() throws IOException {
    Path dir = tmp.resolve("recorded");
    assertTrue(OptionsFile.read(dir).isEmpty(), "no store, no options");
    StrataOptions options = StrataOptions.builder().memtableSizeBytes(1 << 20).syncWrites(true)
        .compaction(CompactionOptions.simpleLeveled().maxLevels(3)).build();
    try (Strata db = Strata.open(system, dir, options)) {
      db.put(b("k"), b("v"));
    }
    StrataOptions recorded = OptionsFile.read(dir).orElseThrow();
    assertEquals(options.toString(), recorded.toString());
    try (Strata db = Strata.open(system, dir, StrataOptions.defaults())) {
      assertEquals("v", s(db.get(b("k"))));
    }
    assertEquals(StrataOptions.defaults().toString(), OptionsFile.read(dir).orElseThrow().toString(),
        "the last open's options replace the earlier ones");
    assertEquals(1, contents(dir).keySet().stream().filter(n -> n.startsWith("OPTIONS-")).count(), contents(dir).toString());
  }

  /** File names and sizes of {@code dir}, recursively. */
  private static Map<String, Long> contents(Path dir) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(p).toString(), Files.size(p));
      }
    }
    return files;
  }
}
