package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.cli.CliTestHarness.Capture;
import dev.strata.testing.DataDriven;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code strata compaction-sim} runs as data: cli/compaction_sim.txt holds command lines and what
 * they print, and the listings in the compaction guide must be what the simulator prints.
 */
class CompactionSimCasesTest {
  private static final String LISTING_PROMPT = "$ java -jar target/strata.jar ";
  private static final Path COMPACTION_GUIDE = Path.of("src", "site", "markdown", "compaction.md");

  /** Runs {@code strata <args>}: its output, or {@code exit N} and its first line of errors when it fails. */
  private static String strata(List<String> args) {
    Capture out = new Capture();
    Capture err = new Capture();
    int code = Main.run(args.toArray(new String[0]), new ByteArrayInputStream(new byte[0]), out.stream, err.stream);
    if (code != Main.EXIT_OK) {
      return "exit " + code + "\n" + err.text().lines().findFirst().orElse("");
    }
    return out.text();
  }

  @Test
  void everyRunPrintsWhatItsCaseExpects() {
    DataDriven.run("cli/compaction_sim.txt", c -> {
      if (!c.command().equals("compaction-sim")) {
        throw c.error("unknown command '" + c.command() + "' (known: compaction-sim)");
      }
      List<String> args = new ArrayList<>(List.of(c.command()));
      args.addAll(c.args());
      return strata(args);
    });
  }

  @Test
  void theCompactionGuidesListingsAreWhatTheSimulatorPrints() throws Exception {
    List<String> lines = Files.readAllLines(COMPACTION_GUIDE);
    int listings = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).startsWith(LISTING_PROMPT + "compaction-sim ")) {
        continue;
      }
      assertEquals("```", lines.get(i - 1), COMPACTION_GUIDE + ":" + (i + 1) + ": a listing opens a code block");
      List<String> shown = new ArrayList<>();
      int j = i + 1;
      for (; j < lines.size() && !lines.get(j).equals("```"); j++) {
        shown.add(lines.get(j));
      }
      List<String> args = List.of(lines.get(i).substring(LISTING_PROMPT.length()).split("\\s+"));
      assertEquals(strata(args).strip(), String.join("\n", shown).strip(),
          COMPACTION_GUIDE + ":" + (i + 1) + ": the listing is not what " + args + " prints");
      listings++;
      i = j;
    }
    assertTrue(listings >= 3, COMPACTION_GUIDE + " shows " + listings + " compaction-sim listings, expected one per strategy");
  }
}
