package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.strata.cli.CliTestHarness.Capture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench's command-line handling, up to the point where it would open a store. */
class BenchCommandTest {
  @TempDir
  Path dir;
  private final CliContext context = CliContext.withDefaults();
  private final Capture out = new Capture();
  private final Capture err = new Capture();

  @AfterEach
  void closeContext() {
    context.close();
  }

  private int bench(String... args) {
    return BenchCommand.run(List.of(args), context, out.stream, err.stream, null);
  }

  @Test
  void helpPrintsTheUsageAndSucceeds() {
    assertEquals(0, bench("--help"));
    assertTrue(out.text().startsWith("Usage: strata bench [options]"));
  }

  @Test
  void badOptionsPrintTheProblemAndTheUsage() {
    assertEquals(2, bench("--threads", "many"));
    assertTrue(err.text().startsWith("strata bench: --threads: 'many' is not a whole number\n"), err.text());
    assertTrue(err.text().contains("Usage: strata bench [options]"));
    assertEquals("", out.text());
  }

  @Test
  void aNonEmptyDirectoryIsRefused() throws Exception {
    Files.writeString(dir.resolve("precious"), "data");
    assertEquals(2, bench("--dir", dir.toString()));
    assertTrue(err.text().contains("is not empty"), err.text());
    assertTrue(Files.exists(dir.resolve("precious")));
  }

  @Test
  void aFileIsNotADirectory() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "data");
    assertEquals(2, bench("--dir", file.toString()));
    assertTrue(err.text().contains("is not a directory"), err.text());
  }

  @Test
  void ingestHelpPrintsItsUsage() {
    assertEquals(0, bench("ingest", "--help"));
    assertTrue(out.text().startsWith("Usage: strata bench ingest [options]"), out.text());
  }

  @Test
  void badIngestOptionsPrintTheProblemAndTheIngestUsage() {
    assertEquals(2, bench("ingest", "--threads", "2"));
    assertTrue(err.text().startsWith("strata bench ingest: --threads does not apply to bench ingest"), err.text());
    assertTrue(err.text().contains("Usage: strata bench ingest [options]"));
    assertEquals("", out.text());
  }

  @Test
  void benchsUsageMentionsIngest() {
    assertEquals(0, bench("--help"));
    assertTrue(out.text().contains("strata bench ingest [options]"), out.text());
  }

  @Test
  void compareWithoutThePeersSaysHowToBuildThem() {
    assumeFalse(peersOnClasspath(), "this build has the peers (-Ppeers)");
    assertEquals(1, bench("--compare", "--num", "10"));
    assertTrue(err.text().startsWith("strata bench: rocksdb is not on the classpath"), err.text());
    assertTrue(err.text().contains("mvn -B -q -Ppeers -DskipTests package"), err.text());
    assertEquals("", out.text(), "nothing ran");
  }

  @Test
  void aPeerEngineWithoutThePeersSaysHowToBuildThem() {
    assumeFalse(peersOnClasspath(), "this build has the peers (-Ppeers)");
    assertEquals(1, bench("--engine", "leveldb", "--num", "10"));
    assertTrue(err.text().startsWith("strata bench: leveldb is not on the classpath"), err.text());
  }

  private static boolean peersOnClasspath() {
    try {
      Engine.ROCKSDB.checkAvailable();
      Engine.LEVELDB.checkAvailable();
      return true;
    } catch (Engine.Unavailable e) {
      return false;
    }
  }
}
