package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.StrataOptions;
import dev.strata.cli.CliTestHarness.Capture;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shell's contract on a real Strata store, plus what only a real store shows (data survives
 * the shell). Depends on the engine: it fails while Strata.open is a stub.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShellOnStrataTest extends ShellContract {
  private static CliContext context;

  @BeforeAll
  static void startContext() {
    context = CliContext.withDefaults();
  }

  @AfterAll
  static void stopContext() {
    context.close();
  }

  @Override
  KeyValueStore openStore(Path dir) {
    StrataOptions small = context.baseOptions().toBuilder().memtableSizeBytes(64 * 1024).build();
    return context.open(dir.resolve("store"), small);
  }

  @Test
  void dataWrittenInOneShellIsThereInTheNext() {
    Path storeDir = dir.resolve("persisted");
    Capture out = new Capture();
    Capture err = new Capture();
    assertEquals(0, ShellCommand.run(List.of(storeDir.toString()), context, input("put k v\nflush\nput k2 v2\n"),
        out.stream, err.stream, false), err.text());
    assertEquals(0, ShellCommand.run(List.of(storeDir.toString()), context, input("get k\nget k2\n"),
        out.stream, err.stream, false), err.text());
    assertEquals(List.of("OK", "OK", "OK", "v", "v2"), out.lines());
  }

  @Test
  void aReadOnlyShellReadsAStoreBesideItsWriterAndAnswersWritesWithAnError() {
    Path storeDir = dir.resolve("shared");
    KeyValueStore writer = context.open(storeDir, context.baseOptions());
    try {
      writer.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)); // in the WAL only
      Capture out = new Capture();
      Capture err = new Capture();
      assertEquals(0, ShellCommand.run(List.of("--read-only", storeDir.toString()), context,
          input("get k\nscan\nput x y\ndelete k\nflush\nget x\n"), out.stream, err.stream, false), err.text());
      List<String> lines = out.lines();
      assertEquals(List.of("v", "k -> v", "(1 entry)"), lines.subList(0, 3));
      for (String refused : lines.subList(3, 6)) {
        assertTrue(refused.startsWith("error: cannot ") && refused.contains("read-only"), refused);
      }
      assertEquals("(not found)", lines.get(6));
      writer.put("k2".getBytes(StandardCharsets.UTF_8), "v2".getBytes(StandardCharsets.UTF_8)); // still the writer's
    } finally {
      writer.close();
    }
  }

  @Test
  void aReadOnlyShellOnAMissingStoreFailsAndCreatesNothing() {
    Path storeDir = dir.resolve("absent");
    Capture out = new Capture();
    Capture err = new Capture();
    assertEquals(1, ShellCommand.run(List.of(storeDir.toString(), "--read-only"), context, input("get k\n"),
        out.stream, err.stream, false));
    assertTrue(err.text().contains("cannot open " + storeDir), err.text());
    assertFalse(Files.exists(storeDir), "the read-only shell created " + storeDir);
  }

  private static ByteArrayInputStream input(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
