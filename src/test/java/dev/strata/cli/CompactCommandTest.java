package dev.strata.cli;

import static dev.strata.cli.CliTestHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Strata;
import dev.strata.StrataStats;
import dev.strata.cli.CliTestHarness.Capture;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata compact DIR}: the whole store becomes one sorted run; exit codes 0, 1 and 2. */
class CompactCommandTest {
  private final Capture out = new Capture();
  private final Capture err = new Capture();

  @TempDir Path tmp;

  private int run(String... args) {
    return Main.run(args, new ByteArrayInputStream(new byte[0]), out.stream, err.stream);
  }

  @Test
  void compactsTheL0FilesAndTheWalIntoOneRunAndPrintsTheShapes() {
    Path dir = tmp.resolve("db");
    try (Strata db = Strata.open(dir)) {
      // Two flushes: two L0 files, under the trigger of 4. The open keeps the WAL live (its memtable
      // is far from full), and compact() flushes it first.
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) {
          db.put(bytes("key-" + i), bytes("value-" + round));
        }
        if (round < 2) {
          db.flush();
        }
      }
      db.delete(bytes("key-7"));
      db.put(bytes("in-wal"), bytes("w")); // left to the WAL
    }
    assertEquals(0, run("compact", dir.toString()), err.text());
    String text = out.text();
    String before = text.substring(text.indexOf("before:"), text.indexOf("after:"));
    String after = text.substring(text.indexOf("after:"), text.indexOf("written:"));
    assertTrue(before.contains("L0: 2 files"), text);
    assertTrue(after.contains("L0: 0 files"), text);
    assertTrue(after.contains("total: 1 files"), text);
    assertTrue(text.matches("(?s).*written: flush [0-9]+ B, compaction [1-9][0-9]* B; 1 compaction\\(s\\).*"), text);
    try (Strata db = Strata.open(dir)) {
      StrataStats stats = db.stats();
      assertEquals(1, Arrays.stream(stats.levelFileCounts()).sum(), stats.toString());
      assertEquals(0, stats.levelFileCounts()[0], stats.toString());
      assertArrayEquals(bytes("value-2"), db.get(bytes("key-0")));
      assertNull(db.get(bytes("key-7")));
      assertArrayEquals(bytes("w"), db.get(bytes("in-wal")));
    }
  }

  @Test
  void aDirectoryWithoutAStoreFailsAndIsNotTurnedIntoOne() throws Exception {
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    assertEquals(1, run("compact", empty.toString()));
    assertTrue(err.text().startsWith("strata compact: "), err.text());
    assertFalse(Files.exists(empty.resolve("CURRENT")));
    assertEquals(1, run("compact", tmp.resolve("missing").toString()));
    assertTrue(err.text().contains("is not a directory"), err.text());
  }

  @Test
  void wrongArgumentsAreBadUsage() {
    assertEquals(2, run("compact"));
    assertTrue(err.text().startsWith("strata compact: expects exactly one store directory, got 0"), err.text());
    assertTrue(err.text().contains("Usage: strata compact DIR"));
    assertEquals(2, run("compact", "--frob", tmp.toString()));
  }

  @Test
  void helpPrintsItsUsage() {
    assertEquals(0, run("compact", "--help"));
    assertTrue(out.text().startsWith("Usage: strata compact DIR"));
    assertEquals(0, run("help", "compact"));
    assertTrue(out.text().contains("compact DIR"));
  }
}
