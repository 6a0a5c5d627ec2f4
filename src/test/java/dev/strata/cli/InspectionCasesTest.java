package dev.strata.cli;

import dev.strata.cli.CliTestHarness.Capture;
import dev.strata.testing.DataDriven;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strata lsm}, {@code check} and {@code dump-manifest} on {@link InspectionStore}, which is
 * built the same way every time, as data: cli/inspection.txt holds each command line (the store's
 * directory added last, or the manifest of every record kind when the line ends in "every-kind")
 * and all it prints, the directory written as STORE. Stable output is part
 * of the contract: the same store must print the same shape.
 */
class InspectionCasesTest {
  private static final Set<String> COMMANDS = Set.of("lsm", "check", "dump-manifest");

  @TempDir
  static Path built;
  private static Path store;
  /** A manifest with one record of every kind: {@link InspectionStore#everyKindManifest}. */
  private static Path everyKind;

  @BeforeAll
  static void buildStore() throws IOException {
    store = built.resolve("store");
    InspectionStore.build(store, null);
    everyKind = InspectionStore.everyKindManifest(built);
  }

  @Test
  void everyCommandPrintsWhatItsCaseExpects() {
    DataDriven.run("cli/inspection.txt", c -> {
      if (!COMMANDS.contains(c.command())) {
        throw c.error("unknown command '" + c.command() + "' (known: " + COMMANDS + ")");
      }
      List<String> args = new ArrayList<>(List.of(c.command()));
      args.addAll(c.args());
      // "every-kind" in place of the directory names the every-kind manifest.
      args.add(args.remove("every-kind") ? everyKind.toString() : store.toString());
      Capture out = new Capture();
      Capture err = new Capture();
      int code = Main.run(args.toArray(new String[0]), new ByteArrayInputStream(new byte[0]), out.stream, err.stream);
      String text = (code == Main.EXIT_OK ? "" : "exit " + code + "\n") + out.text() + err.text();
      return text.replace(store.toString(), "STORE");
    });
  }
}
