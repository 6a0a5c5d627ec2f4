package dev.strata.cli;

import static dev.strata.cli.CliTestHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.RepairScenario;
import dev.strata.Strata;
import dev.strata.cli.CliTestHarness.Capture;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata repair DIR}: a damaged store that check refuses is repaired, then checks sound and opens. */
class RepairCommandTest {
  private final Capture out = new Capture();
  private final Capture err = new Capture();

  @TempDir Path tmp;

  private int run(String... args) {
    return Main.run(args, new ByteArrayInputStream(new byte[0]), out.stream, err.stream);
  }

  @Test
  void aDamagedStoreIsRepairedChecksSoundAndHoldsEveryReadableKey() throws Exception {
    Path dir = tmp.resolve("db");
    RepairScenario.Damaged damaged = RepairScenario.create(dir);
    assertEquals(1, run("check", dir.toString()), "the damage is real: check refuses the store");

    Capture repairOut = new Capture();
    int code = Main.run(new String[] {"repair", dir.toString()}, new ByteArrayInputStream(new byte[0]),
        repairOut.stream, err.stream);

    assertEquals(0, code, repairOut.text() + err.text());
    String text = repairOut.text();
    assertTrue(text.contains("salvaged " + damaged.sst() + " -> "), text);
    assertTrue(text.contains("1 data blocks dropped"), text);
    assertTrue(text.contains("replayed " + damaged.wal() + " -> "), text);
    assertTrue(text.contains("moved " + damaged.sst() + " to lost/repair-"), text);
    assertTrue(text.contains("verdict: sound"), text);
    assertEquals(0, run("check", dir.toString()), out.text());
    assertTrue(out.text().contains("note: lost/repair-"), out.text());
    assertTrue(out.text().contains(" files a repair set aside"), out.text());
    try (Strata db = Strata.open(dir, RepairScenario.options())) {
      assertEquals(damaged.expected(), RepairScenario.contents(db));
    }
  }

  @Test
  void aStoreOpenElsewhereFailsWithExitCode1AndIsLeftAlone() throws Exception {
    Path dir = tmp.resolve("db");
    try (Strata db = Strata.open(dir)) {
      db.put(bytes("k"), bytes("v"));
      assertEquals(1, run("repair", dir.toString()));
      assertTrue(err.text().startsWith("strata repair: cannot repair " + dir), err.text());
      assertTrue(err.text().contains("locked"), err.text());
    }
    assertFalse(Files.exists(dir.resolve("lost")));
  }

  @Test
  void aDirectoryWithoutAStoreFails() throws Exception {
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    assertEquals(1, run("repair", empty.toString()));
    assertTrue(err.text().contains("holds no Strata store"), err.text());
    assertEquals(1, run("repair", tmp.resolve("missing").toString()));
    assertTrue(err.text().contains("is not a directory"), err.text());
  }

  @Test
  void wrongArgumentsAreBadUsage() {
    assertEquals(2, run("repair"));
    assertTrue(err.text().startsWith("strata repair: expects exactly one store directory, got 0"), err.text());
    assertTrue(err.text().contains("Usage: strata repair DIR"));
    assertNotEquals(0, run("repair", "--force", tmp.toString()));
  }

  @Test
  void helpSaysItWritesAndWhereDamagedFilesGo() {
    assertEquals(0, run("repair", "--help"));
    String help = out.text();
    assertTrue(help.startsWith("Usage: strata repair DIR"), help);
    assertTrue(help.contains("WRITES to DIR") && help.contains("lost/repair-N"), help);
    assertEquals(0, run("help", "repair"));
    assertEquals(0, run("help"));
    assertTrue(out.text().contains("repair DIR"));
  }
}
