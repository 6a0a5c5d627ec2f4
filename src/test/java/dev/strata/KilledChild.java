package dev.strata;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The kill -9 half of the crash tests: a child JVM on this test run's class path, started with
 * its output going to files, killed with SIGKILL {@code killAfterMs} after it first reports. The
 * files rather than pipes: everything the child wrote before the kill is in them and no thread has
 * to drain them; a last line the kill cut short is the caller's to ignore.
 *
 * <p>The test fails, with the child's stderr, if the child exits before it reports or before the
 * kill, or reports nothing within {@link #FIRST_REPORT_TIMEOUT_MS}.
 */
public final class KilledChild {
  /** How long a child may take to report first: JVM start, store open and Akka on a loaded machine. */
  public static final long FIRST_REPORT_TIMEOUT_MS = 60_000;

  private KilledChild() {}

  /**
   * Runs {@code main} with {@code args} until its stdout satisfies {@code reported}, lets it run
   * {@code killAfterMs} longer and kills it; returns the nanoseconds from its start to its first
   * report. {@code awaited} names the report in failure messages ("a group acknowledged"), and
   * {@code at} names the cycle.
   */
  public static long run(Class<?> main, List<String> args, Path out, Path err, Predicate<String> reported,
      String awaited, long killAfterMs, String at) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        // A child lives for about a second: the C1 compiler alone starts it faster and it writes more.
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(args);
    long start = System.nanoTime();
    Process child = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      long deadline = System.currentTimeMillis() + FIRST_REPORT_TIMEOUT_MS;
      while (!reported.test(Files.readString(out, StandardCharsets.UTF_8))) {
        if (!child.isAlive()) {
          fail("the child exited with status " + child.exitValue() + " before " + awaited + " at " + at
              + "; its stderr:\n" + tail(err));
        }
        if (System.currentTimeMillis() > deadline) {
          fail("the child had no " + awaited + " within " + FIRST_REPORT_TIMEOUT_MS + " ms at " + at
              + "; its stderr:\n" + tail(err));
        }
        Thread.sleep(5);
      }
      long firstReport = System.nanoTime() - start;
      Thread.sleep(killAfterMs);
      if (!child.isAlive()) {
        fail("the child exited with status " + child.exitValue() + " before it was killed at " + at
            + "; its stderr:\n" + tail(err));
      }
      return firstReport;
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
  }

  /** The child's whole lines: the kill may cut the last one short. */
  public static List<String> wholeLines(Path out) throws IOException {
    String output = Files.readString(out, StandardCharsets.UTF_8);
    return output.substring(0, output.lastIndexOf('\n') + 1).lines().toList();
  }

  /** The last 4,000 characters of {@code file}: enough for a stack trace, not a whole log. */
  public static String tail(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return text.length() <= 4_000 ? text : "..." + text.substring(text.length() - 4_000);
  }
}
