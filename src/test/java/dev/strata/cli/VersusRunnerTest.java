package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.StrataOptions;
import dev.strata.cli.CliTestHarness.Capture;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code bench --versus}: how A and B are told apart, and one real A/B run in child JVMs. */
class VersusRunnerTest {
  private final CliContext context = CliContext.withDefaults();
  private final Capture out = new Capture();
  private final Capture err = new Capture();

  @AfterEach
  void closeContext() {
    context.close();
  }

  private static VersusRunner.Plan plan(String... args) throws UsageException {
    return VersusRunner.plan(List.of(args), StrataOptions.defaults());
  }

  private static String error(String... args) {
    return assertThrows(UsageException.class, () -> plan(args)).getMessage();
  }

  @Test
  void bIsAWithTheVersusOptionsAppendedSoTheyOverrideIt() throws Exception {
    VersusRunner.Plan p = plan("--num", "100", "--threads", "64", "--versus", "--threads 1  --no-wal", "--rounds", "4");
    assertEquals(List.of("--num", "100", "--threads", "64"), p.a());
    assertEquals(List.of("--num", "100", "--threads", "64", "--threads", "1", "--no-wal"), p.b());
    assertEquals(4, p.rounds());
    assertEquals(1, BenchArgs.parse(p.b(), StrataOptions.defaults()).threads(), "the last --threads wins");
  }

  @Test
  void optionsTakeTheirValueAfterAnEqualsSignToo() throws Exception {
    VersusRunner.Plan p = plan("--versus=--no-wal", "--rounds=2");
    assertEquals(List.of(), p.a());
    assertEquals(List.of("--no-wal"), p.added());
    assertEquals(2, p.rounds());
    assertEquals(VersusRunner.DEFAULT_ROUNDS, plan("--versus", "--no-wal").rounds());
  }

  @Test
  void badPlansAreRefusedBeforeAnyJvmStarts() {
    assertTrue(error("--versus", "  ").startsWith("--versus needs the options that make run B differ"));
    assertEquals("--rounds counts the rounds of --versus: add --versus", error("--rounds", "3"));
    assertEquals("--rounds must be between 1 and 100, got 0", error("--versus", "--no-wal", "--rounds", "0"));
    assertEquals("run B (--no-wal --bogus): unknown option --bogus", error("--versus", "--no-wal --bogus"));
    assertEquals("run A (--sync --no-wal): --sync needs the write-ahead log: drop --no-wal or --sync",
        error("--sync", "--no-wal", "--versus", "--threads 2"));
    assertTrue(error("--versus", "--dir /tmp/x").startsWith("--dir cannot be used with --versus"));
    assertTrue(error("--compare", "--versus", "--no-wal").startsWith("--compare cannot be used with --versus"));
    assertEquals("--versus needs a value", error("--versus"));
  }

  @Test
  void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertEquals(2.0, VersusRunner.median(List.of(3.0, 1.0, 2.0)));
    assertEquals(2.5, VersusRunner.median(List.of(4.0, 1.0, 2.0, 3.0)));
    assertTrue(Double.isNaN(VersusRunner.median(List.of())));
  }

  @Test
  void anAbRunPrintsEachRoundAndTheMedianRatio() {
    int code = BenchCommand.run(List.of("--workloads", "fillrandom,readrandom,readrandom", "--num", "500", "--versus", "--no-wal",
        "--rounds", "2"), context, out.stream, err.stream, null);
    assertEquals(0, code, err.text());
    String text = out.text();
    for (String label : List.of("[A 1] fillrandom", "[B 1] fillrandom", "[B 2] readrandom", "[A 2] readrandom")) {
      assertTrue(text.contains(label), label + " in:\n" + text);
    }
    assertTrue(text.indexOf("[A 1]") < text.indexOf("[B 1]") && text.indexOf("[B 2]") < text.indexOf("[A 2]"),
        "rounds alternate A B, B A:\n" + text);
    assertTrue(text.contains("   B: A plus --no-wal"), text);
    assertTrue(text.matches("(?s).*\\| fillrandom     \\| median \\|\\s+- \\|\\s+- \\|\\s+\\d+\\.\\d\\dx \\|.*"), text);
    assertTrue(text.matches("(?s).*\\| readrandom #2  \\| 2      \\|\\s+[\\d,]+ \\|\\s+[\\d,]+ \\|\\s+\\d+\\.\\d\\dx \\|.*"),
        text);
  }
}
