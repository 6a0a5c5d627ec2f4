package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import dev.strata.cli.CliTestHarness.Capture;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code strata compaction-sim}: its options, its output, and its usage errors. */
class CompactionSimCommandTest {
  private static final Pattern STEP_LINE = Pattern.compile(
      "step +(\\d+)  WA +\\d+\\.\\d\\d  (L0=.*|runs=\\d+ \\[.*\\])  \\|  (-|L\\d+\\[.*\\] -> L\\d+ bottommost=.*)");

  private final Capture out = new Capture();
  private final Capture err = new Capture();

  private int run(String... args) {
    return Main.run(args, new ByteArrayInputStream(new byte[0]), out.stream, err.stream);
  }

  private static String error(String... args) {
    return assertThrows(UsageException.class, () -> CompactionSimArgs.parse(List.of(args))).getMessage();
  }

  @Test
  void printsOneLinePerStepThenTheTotals() {
    assertEquals(0, run("compaction-sim", "--steps", "6"), err.text());
    List<String> lines = out.lines();
    assertTrue(lines.get(0).startsWith("strategy: leveled("), lines.get(0));
    assertTrue(lines.get(1).startsWith("model: 1000000 keys holding 64MiB of live data, 4MiB per flush"), lines.get(1));
    for (int step = 1; step <= 6; step++) {
      String line = lines.get(step + 1);
      var m = STEP_LINE.matcher(line);
      assertTrue(m.matches(), line);
      assertEquals(step, Integer.parseInt(m.group(1)), line);
    }
    assertEquals("step    3  WA   1.00  L0=3/12MiB L1=0 L2=0 L3=0 L4=0 L5=0 L6=0 L7=0  |  -", lines.get(4));
    // Leveled's defaults: four L0 files go to the last level, the base level of a small tree.
    assertEquals("step    4  WA   2.00  L0=0 L1=0 L2=0 L3=0 L4=0 L5=0 L6=0 L7=4/16MiB  |  "
        + "L0[4,3,2,1] -> L7 bottommost=true", lines.get(5));
    assertEquals(List.of("totals after 6 steps",
        "flushed              24MiB",
        "compactions          1 (0 trivial moves), writing 16MiB",
        "write amplification  1.67",
        "max L0 files         4",
        "space amplification  1.00 (24MiB in the tree / 24MiB live)"), lines.subList(8, lines.size()));
  }

  @Test
  void tieredPrintsItsSortedRuns() {
    assertEquals(0, run("compaction-sim", "--strategy", "tiered", "--num-tiers", "3", "--steps", "3"), err.text());
    List<String> lines = out.lines();
    assertEquals("step    2  WA   1.00  runs=2 [4MiB 4MiB]  |  -", lines.get(3));
    assertEquals("step    3  WA   2.00  runs=1 [L3:12MiB]  |  L0[3,2,1] -> L3 bottommost=true", lines.get(4));
  }

  @Test
  void knobsReachTheStrategysOptions() throws UsageException {
    CompactionOptions o = CompactionSimArgs.parse(List.of("--strategy=tiered", "--num-tiers", "5",
        "--max-size-amplification-percent", "150", "--size-ratio-percent", "20", "--min-merge-width", "3",
        "--max-merge-width", "4")).options();
    assertEquals(CompactionOptions.Strategy.TIERED, o.strategy());
    assertEquals(5, o.numTiers());
    assertEquals(150, o.maxSizeAmplificationPercent());
    assertEquals(20, o.sizeRatioPercent());
    assertEquals(3, o.minMergeWidth());
    assertEquals(4, o.maxMergeWidth());

    CompactionSimArgs.Config c = CompactionSimArgs.parse(List.of("--level-size-multiplier", "4", "--base-level-mb",
        "8", "--max-levels", "5", "--level0-file-trigger", "2", "--keys", "1_000", "--flush-mb", "2", "--live-mb", "32",
        "--target-sst-mb", "1", "--steps", "7"));
    assertEquals(CompactionOptions.Strategy.LEVELED, c.options().strategy());
    assertEquals(4, c.options().levelSizeMultiplier());
    assertEquals(8L << 20, c.options().baseLevelBytes());
    assertEquals(5, c.options().maxLevels());
    assertEquals(2, c.options().level0FileTrigger());
    assertEquals(new CompactionSimulator.Model(1000, 2L << 20, 32L << 20, 1L << 20), c.model());
    assertEquals(7, c.steps());
  }

  @Test
  void unsetKnobsKeepTheStrategysDefaults() throws UsageException {
    assertEquals(CompactionOptions.simpleLeveled().toString(),
        CompactionSimArgs.parse(List.of("--strategy", "simple-leveled")).options().toString());
  }

  @Test
  void aBadStrategyIsAUsageErrorNamingIt() {
    assertEquals(2, run("compaction-sim", "--strategy", "universal"));
    assertTrue(err.text().startsWith("strata compaction-sim: --strategy: unknown strategy 'universal'; known: "
        + "leveled, tiered, simple-leveled"), err.text());
    assertTrue(err.text().contains("Usage: strata compaction-sim"), err.text());
    assertEquals("", out.text());
  }

  @Test
  void aKnobOfAnotherStrategyIsAUsageError() {
    assertEquals("--num-tiers is a knob of tiered, not of leveled", error("--num-tiers", "3"));
    assertEquals("--level-size-multiplier is a knob of leveled, not of simple-leveled",
        error("--strategy", "simple-leveled", "--level-size-multiplier", "4"));
  }

  @Test
  void valuesOutOfRangeAreUsageErrors() {
    assertEquals("--steps must be between 1 and 1000000, got 0", error("--steps", "0"));
    assertEquals("--num-tiers must be between 2 and 1000000, got 1", error("--strategy", "tiered", "--num-tiers", "1"));
    assertTrue(error("--strategy", "tiered", "--min-merge-width", "5", "--max-merge-width", "3")
        .startsWith("--min-merge-width: minMergeWidth must be between 2 and maxMergeWidth (3)"));
    assertEquals("--flush-mb 128 exceeds --live-mb 64: a flush cannot hold more than the whole key space's live data",
        error("--flush-mb", "128"));
    assertEquals("--keys: 'many' is not a whole number", error("--keys", "many"));
  }

  @Test
  void unknownOptionsAndBareArgumentsAreUsageErrors() {
    assertEquals("unknown option --verbose", error("--verbose"));
    assertEquals("unexpected argument 'tiered': compaction-sim takes only options", error("tiered"));
    assertEquals("--steps needs a value", error("--steps"));
  }

  @Test
  void helpPrintsTheUsageWithTheDefaults() {
    assertEquals(0, run("help", "compaction-sim"));
    assertTrue(out.text().startsWith("Usage: strata compaction-sim"), out.text());
    assertTrue(out.text().contains("--num-tiers N                          tiered                              [8]"),
        out.text());
    Capture main = new Capture();
    Main.run(new String[0], new ByteArrayInputStream(new byte[0]), main.stream, err.stream);
    assertTrue(main.text().contains("compaction-sim [options]"), main.text());
  }
}
