package dev.strata.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.opentest4j.AssertionFailedError;

/**
 * Data-driven tests, after Pebble's {@code datadriven} package: a case file is a sequence of
 * cases, each a command, its input and the output expected of it; a test gives a {@link Handler}
 * that runs one case and returns its output, and the runner compares.
 *
 * <pre>
 * # comment lines before a case; the last run of them is the case's title
 * command arg1 key=value        the command line: a command and whitespace-separated arguments
 * input line                    zero or more input lines, up to the separator
 * ----
 * expected output               up to the first blank line (or the end of the file)
 *
 * command ...                   the next case
 * ----
 * ----
 * expected output that may
 *
 * hold blank lines              the doubled separator: the output runs up to a "----" line
 * ----                          followed by another "----" line
 * ----
 * </pre>
 *
 * <p>Blank lines and {@code #} lines between cases are skipped. The handler's output is compared
 * without its trailing newlines. Every case runs, in file order (a handler may keep state from one
 * case to the next, as Pebble's {@code define} commands do), and the test then fails once, naming
 * every case that disagreed by file and line.
 *
 * <p>With {@code -Dstrata.rewrite=true} the runner instead writes each case's actual output into
 * the expected section of the case file under {@code src/test/resources} (Maven runs tests from
 * the project directory), leaving everything else in the file as it was, and the test passes:
 * review the change with {@code git diff}. A case whose handler throws is a failure either way.
 *
 * <p>Not thread-safe; a runner holds no state between calls.
 */
public final class DataDriven {
  /** The system property that turns rewriting on. */
  public static final String REWRITE_PROPERTY = "strata.rewrite";
  /** Where the case files' sources live, relative to the project directory. */
  public static final Path RESOURCE_ROOT = Path.of("src", "test", "resources");
  static final String SEPARATOR = "----";

  private DataDriven() {
  }

  /** Runs one case: returns the case's output, or throws when it cannot be run at all. */
  @FunctionalInterface
  public interface Handler {
    String run(TestCase testCase) throws Exception;
  }

  /**
   * One case of a case file. {@code line} is the 1-based line of its command; {@code input} is
   * its input lines joined with newlines (empty when it has none).
   */
  public record TestCase(String file, int line, String title, String command, List<String> args, String input,
      String expected) {

    /** The input, line by line (none when the input is empty). */
    public List<String> inputLines() {
      return input.isEmpty() ? List.of() : List.of(input.split("\n", -1));
    }

    /** The arguments of the form {@code key=value}, in order; any other argument is an error. */
    public Map<String, String> keyValues() {
      Map<String, String> map = new LinkedHashMap<>();
      for (String arg : args) {
        int eq = arg.indexOf('=');
        if (eq <= 0) {
          throw error("argument '" + arg + "' is not key=value");
        }
        if (map.put(arg.substring(0, eq), arg.substring(eq + 1)) != null) {
          throw error("argument " + arg.substring(0, eq) + " is given twice");
        }
      }
      return map;
    }

    /** The value of the {@code key=value} argument, if given. */
    public Optional<String> arg(String key) {
      return Optional.ofNullable(keyValues().get(key));
    }

    /** An error about this case, naming its file and line; for handlers to throw. */
    public IllegalArgumentException error(String message) {
      return new IllegalArgumentException(location() + ": " + message);
    }

    /** {@code file:line}. */
    public String location() {
      return file + ":" + line;
    }
  }

  /** What running a case file gave: one message per failed case, and the file with the actual outputs. */
  public record Outcome(int cases, List<String> failures, String rewritten) {
  }

  /**
   * Runs the case file {@code resource} (a class path resource such as
   * {@code "compaction/leveled.txt"}): fails with every case that disagrees, or, with
   * {@code -Dstrata.rewrite=true}, rewrites the file's source under {@link #RESOURCE_ROOT}.
   */
  public static void run(String resource, Handler handler) {
    if (Boolean.getBoolean(REWRITE_PROPERTY)) {
      runFile(RESOURCE_ROOT.resolve(resource), resource, handler, true);
    } else {
      report(resource, evaluate(resource, readResource(resource), handler), false);
    }
  }

  /**
   * Runs the case file at {@code file}, named {@code name} in messages; with {@code rewrite}, writes
   * the actual outputs back into it instead of failing on a mismatch.
   */
  public static void runFile(Path file, String name, Handler handler, boolean rewrite) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("case file " + file.toAbsolutePath() + " does not exist"
          + (rewrite ? " (rewriting needs the tests to run from the project directory)" : ""));
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read case file " + file, e);
    }
    Outcome outcome = evaluate(name, text, handler);
    if (rewrite && !outcome.rewritten().equals(text)) {
      try {
        Files.writeString(file, outcome.rewritten(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot rewrite case file " + file, e);
      }
    }
    report(name, outcome, rewrite);
  }

  /** Parses {@code text} and runs every case through {@code handler}; throws nothing for a mismatch. */
  public static Outcome evaluate(String name, String text, Handler handler) {
    List<String> lines = lines(text);
    List<Parsed> cases = parse(name, lines);
    List<String> failures = new ArrayList<>();
    StringBuilder rewritten = new StringBuilder();
    int copied = 0;
    for (Parsed p : cases) {
      TestCase c = p.testCase();
      String actual;
      try {
        actual = stripTrailingNewlines(handler.run(c));
      } catch (Exception | AssertionError e) {
        failures.add(c.location() + ": " + headline(c) + "\n  threw " + e);
        actual = null;
      }
      if (actual != null && !actual.equals(c.expected())) {
        failures.add(c.location() + ": " + headline(c) + "\n  expected:\n" + indent(c.expected())
            + "\n  actual:\n" + indent(actual));
      }
      for (; copied < p.outputStart(); copied++) {
        rewritten.append(lines.get(copied)).append('\n');
      }
      rewritten.append(expectedSection(actual != null ? actual : c.expected()));
      copied = p.outputEnd();
    }
    for (; copied < lines.size(); copied++) {
      rewritten.append(lines.get(copied)).append('\n');
    }
    String result = rewritten.toString();
    if (!text.endsWith("\n") && result.endsWith("\n")) {
      result = result.substring(0, result.length() - 1);
    }
    return new Outcome(cases.size(), List.copyOf(failures), result);
  }

  /** Parses a case file without running it; a malformed file is an error naming its line. */
  public static List<TestCase> parse(String name, String text) {
    return parse(name, lines(text)).stream().map(Parsed::testCase).toList();
  }

  /**
   * A parsed case and where its expected section lies: lines {@code [outputStart, outputEnd)} of
   * the file, 0-based, from the first separator up to the blank line (or end) that closes it.
   */
  private record Parsed(TestCase testCase, int outputStart, int outputEnd) {
  }

  private static List<Parsed> parse(String name, List<String> lines) {
    List<Parsed> cases = new ArrayList<>();
    List<String> comments = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i);
      if (line.isBlank()) {
        comments.clear();
        i++;
        continue;
      }
      if (line.startsWith("#")) {
        comments.add(line.substring(1).strip());
        i++;
        continue;
      }
      if (line.equals(SEPARATOR)) {
        throw new IllegalArgumentException(name + ":" + (i + 1) + ": '" + SEPARATOR + "' without a command before it");
      }
      int commandLine = i;
      List<String> words = List.of(line.strip().split("\\s+"));
      List<String> input = new ArrayList<>();
      i++;
      while (i < lines.size() && !lines.get(i).equals(SEPARATOR)) {
        input.add(lines.get(i));
        i++;
      }
      if (i == lines.size()) {
        throw new IllegalArgumentException(name + ":" + (commandLine + 1) + ": case '" + line.strip()
            + "' has no '" + SEPARATOR + "' line before its expected output");
      }
      int outputStart = i;
      i++;
      List<String> expected = new ArrayList<>();
      if (i < lines.size() && lines.get(i).equals(SEPARATOR)) {
        i++;
        while (!(i + 1 < lines.size() && lines.get(i).equals(SEPARATOR) && lines.get(i + 1).equals(SEPARATOR))) {
          if (i >= lines.size()) {
            throw new IllegalArgumentException(name + ":" + (commandLine + 1) + ": case '" + line.strip()
                + "' opens its output with a doubled '" + SEPARATOR + "' and never closes it with another");
          }
          expected.add(lines.get(i));
          i++;
        }
        i += 2;
        if (i < lines.size() && !lines.get(i).isBlank()) {
          throw new IllegalArgumentException(name + ":" + (i + 1) + ": a blank line must follow a case's output");
        }
      } else {
        while (i < lines.size() && !lines.get(i).isBlank()) {
          expected.add(lines.get(i));
          i++;
        }
      }
      String title = String.join(" ", comments);
      comments.clear();
      TestCase c = new TestCase(name, commandLine + 1, title, words.get(0), words.subList(1, words.size()),
          String.join("\n", input), String.join("\n", expected));
      cases.add(new Parsed(c, outputStart, i));
    }
    return cases;
  }

  /** The separator and the output, in the doubled form when the output holds a blank line. */
  private static String expectedSection(String output) {
    if (output.isEmpty()) {
      return SEPARATOR + "\n";
    }
    if (List.of(output.split("\n", -1)).stream().noneMatch(String::isBlank)) {
      return SEPARATOR + "\n" + output + "\n";
    }
    return SEPARATOR + "\n" + SEPARATOR + "\n" + output + "\n" + SEPARATOR + "\n" + SEPARATOR + "\n";
  }

  private static void report(String name, Outcome outcome, boolean rewrite) {
    if (outcome.cases() == 0) {
      throw new AssertionFailedError(name + " holds no cases");
    }
    List<String> failures = rewrite
        ? outcome.failures().stream().filter(f -> f.contains("\n  threw ")).toList()
        : outcome.failures();
    if (!failures.isEmpty()) {
      throw new AssertionFailedError(failures.size() + " of " + outcome.cases() + " cases in " + name + " failed"
          + (rewrite ? "" : " (rerun with -D" + REWRITE_PROPERTY + "=true to accept the actual output)") + ":\n"
          + String.join("\n", failures));
    }
  }

  private static String readResource(String resource) {
    try (InputStream in = DataDriven.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource + " on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read test resource " + resource, e);
    }
  }

  /** The file's lines without their terminators; a final newline ends the last line, it does not start one. */
  private static List<String> lines(String text) {
    String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    if (body.isEmpty()) {
      return List.of();
    }
    return List.of(body.replace("\r\n", "\n").split("\n", -1));
  }

  private static String headline(TestCase c) {
    String command = c.command() + (c.args().isEmpty() ? "" : " " + String.join(" ", c.args()));
    return command + (c.title().isEmpty() ? "" : " (" + c.title() + ")");
  }

  private static String indent(String text) {
    return text.isEmpty() ? "    <empty>" : "    " + text.replace("\n", "\n    ");
  }

  private static String stripTrailingNewlines(String s) {
    if (s == null) {
      throw new IllegalStateException("the handler returned null");
    }
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '\n') {
      end--;
    }
    return s.substring(0, end);
  }
}
