package dev.strata.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** The case-file runner itself: how it reads a file, reports a failure, and rewrites expectations. */
class DataDrivenTest {
  /** upper: the input upper-cased; repeat n=N: the input N times, a blank line between; fail: throws. */
  private static final DataDriven.Handler HANDLER = c -> switch (c.command()) {
    case "upper" -> c.input().toUpperCase(Locale.ROOT);
    case "repeat" -> String.join("\n\n", java.util.Collections.nCopies(
        Integer.parseInt(c.arg("n").orElseThrow(() -> c.error("repeat needs n="))), c.input()));
    case "fail" -> throw c.error("failing on purpose");
    default -> throw c.error("unknown command " + c.command());
  };

  private static final String PASSING = """
      # a comment, then a case
      upper
      strata
      ----
      STRATA

      # no input, empty output
      upper
      ----

      repeat n=2
      ab
      ----
      ----
      ab

      ab
      ----
      ----
      """;

  @Test
  void casesWhoseOutputMatchesPassAndTheFileIsLeftAsItWas() {
    DataDriven.Outcome outcome = DataDriven.evaluate("passing.txt", PASSING, HANDLER);
    assertEquals(3, outcome.cases());
    assertEquals(List.of(), outcome.failures());
    assertEquals(PASSING, outcome.rewritten());
  }

  @Test
  void parsingGivesEachCaseItsLineTitleCommandArgumentsInputAndExpectation() {
    List<DataDriven.TestCase> cases = DataDriven.parse("passing.txt", PASSING);
    assertEquals(new DataDriven.TestCase("passing.txt", 2, "a comment, then a case", "upper", List.of(), "strata",
        "STRATA"), cases.get(0));
    assertEquals(new DataDriven.TestCase("passing.txt", 8, "no input, empty output", "upper", List.of(), "", ""),
        cases.get(1));
    assertEquals(new DataDriven.TestCase("passing.txt", 11, "", "repeat", List.of("n=2"), "ab", "ab\n\nab"),
        cases.get(2));
    assertEquals(Map.of("n", "2"), cases.get(2).keyValues());
  }

  @Test
  void aWrongExpectationFailsNamingFileLineCommandAndBothOutputs() {
    AssertionFailedError e = assertThrows(AssertionFailedError.class,
        () -> DataDriven.run("testing/wrong_expectation.txt", HANDLER));
    assertTrue(e.getMessage().startsWith("1 of 2 cases in testing/wrong_expectation.txt failed"), e.getMessage());
    assertTrue(e.getMessage().contains("testing/wrong_expectation.txt:11: upper (a wrong expectation)\n"
        + "  expected:\n    lsm\n  actual:\n    LSM"), e.getMessage());
    assertTrue(e.getMessage().contains("-Dstrata.rewrite=true"), e.getMessage());
  }

  @Test
  void rewritingReplacesOnlyTheExpectedSectionsAndThenTheFilePasses(@TempDir Path dir) throws Exception {
    String wrong = """
        # header

        # first
        upper
        a
        ----
        wrong
        more wrong

        upper
        b
        ----
        B

        # an output that grows a blank line
        repeat n=2
        c
        ----
        c
        """;
    Path file = dir.resolve("cases.txt");
    Files.writeString(file, wrong);
    assertThrows(AssertionFailedError.class, () -> DataDriven.runFile(file, "cases.txt", HANDLER, false));
    assertEquals(wrong, Files.readString(file), "without the flag the file is not touched");

    DataDriven.runFile(file, "cases.txt", HANDLER, true);
    assertEquals("""
        # header

        # first
        upper
        a
        ----
        A

        upper
        b
        ----
        B

        # an output that grows a blank line
        repeat n=2
        c
        ----
        ----
        c

        c
        ----
        ----
        """, Files.readString(file));
    DataDriven.runFile(file, "cases.txt", HANDLER, false);
  }

  @Test
  void aCaseWhoseHandlerThrowsFailsEvenWhenRewritingAndKeepsItsExpectation(@TempDir Path dir) throws Exception {
    String text = "upper\nx\n----\nwrong\n\nfail\n----\nkept\n";
    Path file = dir.resolve("throws.txt");
    Files.writeString(file, text);
    AssertionFailedError e = assertThrows(AssertionFailedError.class,
        () -> DataDriven.runFile(file, "throws.txt", HANDLER, true));
    assertTrue(e.getMessage().contains("throws.txt:6: fail\n  threw java.lang.IllegalArgumentException: "
        + "throws.txt:6: failing on purpose"), e.getMessage());
    assertEquals("upper\nx\n----\nX\n\nfail\n----\nkept\n", Files.readString(file));
  }

  @Test
  void everyCaseRunsInFileOrderAndEveryFailureIsReported() {
    List<String> seen = new java.util.ArrayList<>();
    DataDriven.Outcome outcome = DataDriven.evaluate("order.txt", "upper\na\n----\nx\n\nupper\nb\n----\ny\n",
        c -> {
          seen.add(c.input());
          return c.input();
        });
    assertEquals(List.of("a", "b"), seen);
    assertEquals(2, outcome.failures().size());
    assertTrue(outcome.failures().get(1).startsWith("order.txt:6: upper"), outcome.failures().get(1));
  }

  @Test
  void trailingNewlinesOfTheOutputDoNotCount() {
    DataDriven.Outcome outcome = DataDriven.evaluate("nl.txt", "upper\na\n----\nA\n", c -> "A\n\n");
    assertEquals(List.of(), outcome.failures());
  }

  @Test
  void malformedFilesAreErrorsNamingTheLine() {
    assertEquals("bad.txt:2: case 'upper' has no '----' line before its expected output",
        assertThrows(IllegalArgumentException.class, () -> DataDriven.parse("bad.txt", "\nupper\na\n")).getMessage());
    assertEquals("bad.txt:3: '----' without a command before it",
        assertThrows(IllegalArgumentException.class, () -> DataDriven.parse("bad.txt", "# c\n\n----\nx\n"))
            .getMessage());
    assertEquals("bad.txt:1: case 'upper' opens its output with a doubled '----' and never closes it with another",
        assertThrows(IllegalArgumentException.class, () -> DataDriven.parse("bad.txt", "upper\n----\n----\nx\n"))
            .getMessage());
    assertEquals("bad.txt:7: a blank line must follow a case's output",
        assertThrows(IllegalArgumentException.class,
            () -> DataDriven.parse("bad.txt", "upper\n----\n----\nx\n----\n----\nupper\n----\n")).getMessage());
  }

  @Test
  void aFileWithoutCasesFails(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("empty.txt");
    Files.writeString(file, "# only a comment\n");
    assertEquals("empty.txt holds no cases", assertThrows(AssertionFailedError.class,
        () -> DataDriven.runFile(file, "empty.txt", HANDLER, false)).getMessage());
  }

  @Test
  void keyValueArgumentsAreCheckedAndHandlerErrorsNameTheCase() {
    DataDriven.TestCase c = DataDriven.parse("args.txt", "cmd a=1 b\n----\n").get(0);
    assertEquals("args.txt:1: argument 'b' is not key=value",
        assertThrows(IllegalArgumentException.class, c::keyValues).getMessage());
    DataDriven.TestCase twice = DataDriven.parse("args.txt", "cmd a=1 a=2\n----\n").get(0);
    assertEquals("args.txt:1: argument a is given twice",
        assertThrows(IllegalArgumentException.class, twice::keyValues).getMessage());
  }
}
