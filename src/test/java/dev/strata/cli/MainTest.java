package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.cli.CliTestHarness.Capture;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

class MainTest {
  private final Capture out = new Capture();
  private final Capture err = new Capture();

  private int run(String... args) {
    return Main.run(args, new ByteArrayInputStream(new byte[0]), out.stream, err.stream);
  }

  @Test
  void noArgumentsPrintTheUsage() {
    assertEquals(0, run());
    assertTrue(out.text().startsWith("Usage: strata <command>"));
  }

  @Test
  void helpPrintsTheUsage() {
    assertEquals(0, run("help"));
    assertTrue(out.text().contains("dump-sst"));
  }

  @Test
  void helpOnACommandPrintsItsUsage() {
    assertEquals(0, run("help", "bench"));
    assertTrue(out.text().startsWith("Usage: strata bench"));
    assertTrue(out.text().contains("seekrandom"));
  }

  @Test
  void helpOnAnUnknownCommandIsBadUsage() {
    assertEquals(2, run("help", "frob"));
    assertTrue(err.text().startsWith("strata help: unknown command 'frob'"));
  }

  @Test
  void anUnknownCommandIsBadUsage() {
    assertEquals(2, run("frob"));
    assertTrue(err.text().startsWith("strata: unknown command 'frob'"));
    assertTrue(err.text().contains("Usage: strata <command>"));
  }

  @Test
  void badBenchOptionsAreBadUsage() {
    assertEquals(2, run("bench", "--num", "0"));
    assertTrue(err.text().startsWith("strata bench: --num must be between 1 and"));
    assertTrue(err.text().contains("Usage: strata bench"));
  }

  @Test
  void shellWithoutADirectoryIsBadUsage() {
    assertEquals(2, run("shell"));
    assertTrue(err.text().startsWith("strata shell: expects exactly one argument"));
  }

  @Test
  void dumpSstWithoutAFileIsBadUsage() {
    assertEquals(2, run("dump-sst"));
    assertTrue(err.text().startsWith("strata dump-sst: expects exactly one SST file, got 0"));
  }
}
