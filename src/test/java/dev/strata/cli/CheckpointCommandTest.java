package dev.strata.cli;

import static dev.strata.cli.CliTestHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Strata;
import dev.strata.cli.CliTestHarness.Capture;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata checkpoint DIR TARGET}: exit codes 0, 1 and 2, and a checkpoint that opens. */
class CheckpointCommandTest {
  private final Capture out = new Capture();
  private final Capture err = new Capture();

  @TempDir Path tmp;

  private int run(String... args) {
    return Main.run(args, new ByteArrayInputStream(new byte[0]), out.stream, err.stream);
  }

  @Test
  void writesACheckpointThatOpensWithTheStoresData() {
    Path dir = tmp.resolve("db");
    try (Strata db = Strata.open(dir)) {
      db.put(bytes("flushed"), bytes("1"));
      db.flush();
      db.put(bytes("in-wal"), bytes("2"));
    }
    Path target = tmp.resolve("copy");
    assertEquals(0, run("checkpoint", dir.toString(), target.toString()), err.text());
    assertTrue(out.text().contains("written to " + target), out.text());
    try (Strata copy = Strata.open(target)) {
      assertArrayEquals(bytes("1"), copy.get(bytes("flushed")));
      assertArrayEquals(bytes("2"), copy.get(bytes("in-wal")));
    }
  }

  @Test
  void anExistingTargetFails() throws Exception {
    Path dir = tmp.resolve("db");
    Strata.open(dir).close();
    Path target = Files.createDirectory(tmp.resolve("copy"));
    assertEquals(1, run("checkpoint", dir.toString(), target.toString()));
    assertTrue(err.text().contains("already exists"), err.text());
  }

  @Test
  void aDirectoryWithoutAStoreFailsAndIsNotTurnedIntoOne() throws Exception {
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    assertEquals(1, run("checkpoint", empty.toString(), tmp.resolve("copy").toString()));
    assertTrue(err.text().contains("holds no Strata store"), err.text());
    assertFalse(Files.exists(empty.resolve("CURRENT")));
    assertFalse(Files.exists(tmp.resolve("copy")));
  }

  @Test
  void wrongArgumentsAreBadUsage() {
    assertEquals(2, run("checkpoint", tmp.toString()));
    assertTrue(err.text().startsWith("strata checkpoint: expects a store directory and a target directory, got 1"),
        err.text());
    assertTrue(err.text().contains("Usage: strata checkpoint DIR TARGET"));
    assertEquals(2, run("checkpoint", "--frob", "a", "b"));
  }

  @Test
  void helpPrintsItsUsage() {
    assertEquals(0, run("checkpoint", "--help"));
    assertTrue(out.text().startsWith("Usage: strata checkpoint DIR TARGET"));
    assertEquals(0, run("help", "checkpoint"));
  }
}
