package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.StrataOptions;
import dev.strata.cli.CliTestHarness.Capture;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
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

  private static ByteArrayInputStream input(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
