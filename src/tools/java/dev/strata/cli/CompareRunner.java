package dev.strata.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code bench --compare}: runs the same bench in one child JVM per engine, back to back, each
 * started with this JVM's java binary, JVM flags and classpath and the same bench options plus
 * {@code --engine E --results-file F}; copies each child's output to {@code out}, reads back the
 * {@link EngineResult} the child wrote, and prints the {@link CompareTable}. A separate JVM per
 * engine means no engine runs on a heap, JIT profile or page cache the previous one warmed or
 * littered. Not thread-safe: one run at a time.
 */
final class CompareRunner {
  /** Options the parent consumes or sets for each child itself, with whether they take a value. */
  private static final Set<String> PARENT_SWITCHES = Set.of("--compare");
  private static final Set<String> PARENT_VALUES = Set.of("--engines", "--engine", "--results-file", "--dir");

  private final BenchConfig config;
  private final List<String> args;
  private final Path dir;
  private final PrintStream out;

  /** {@code args} are the bench options as given; {@code dir} is the parent of the engines' stores, or null. */
  CompareRunner(BenchConfig config, List<String> args, Path dir, PrintStream out) {
    this.config = config;
    this.args = List.copyOf(args);
    this.dir = dir;
    this.out = out;
  }

  /** Runs every engine; returns the results of those that finished (the table names the others). */
  List<EngineResult> run() throws IOException, InterruptedException {
    List<EngineResult> results = new ArrayList<>();
    for (Engine engine : config.compare()) {
      out.println();
      out.println("== " + engine.cliName() + ": " + engine.description());
      out.flush();
      Path resultsFile = Files.createTempFile("strata-compare-" + engine.cliName() + "-", ".txt");
      try {
        Path engineDir = dir == null ? null : dir.resolve(engine.cliName());
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(childArgs(args, engine, resultsFile, engineDir));
        int code = runChild(command, line -> {
          out.println(line);
          out.flush();
        });
        if (code != 0) {
          out.println("== " + engine.cliName() + " failed: its JVM exited with code " + code);
        } else {
          results.add(EngineResult.readFrom(resultsFile));
        }
      } finally {
        Files.deleteIfExists(resultsFile);
      }
    }
    out.println();
    out.println("== Comparison: " + config.num() + " keys, " + config.threads() + " thread"
        + (config.threads() == 1 ? "" : "s") + ", each engine in its own JVM with the flags above");
    out.print(CompareTable.format(config.workloads(), config.compare(), results));
    out.flush();
    return results;
  }

  /**
   * Runs {@code command} with no input and this process's standard error, hands each line of its
   * output to {@code lines} as it comes, and returns its exit code.
   */
  static int runChild(List<String> command, Consumer<String> lines) throws IOException, InterruptedException {
    Process child = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    child.getOutputStream().close();
    try (BufferedReader output = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        lines.accept(line);
      }
    } catch (IOException e) {
      child.destroyForcibly();
      throw e;
    }
    return child.waitFor();
  }

  /** The java binary, this JVM's flags, its classpath and the CLI's main class. */
  static List<String> javaCommand() {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return javaCommand(java, ManagementFactory.getRuntimeMXBean().getInputArguments(),
        System.getProperty("java.class.path"));
  }

  static List<String> javaCommand(String java, List<String> jvmFlags, String classPath) {
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(classPath);
    command.add(Main.class.getName());
    return command;
  }

  /**
   * The child's command line after the main class: {@code bench}, the parent's options without
   * those that choose or place the engines, then the child's engine, results file and directory.
   */
  static List<String> childArgs(List<String> args, Engine engine, Path resultsFile, Path engineDir) {
    List<String> child = new ArrayList<>();
    child.add("bench");
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int eq = arg.indexOf('=');
      String option = eq < 0 ? arg : arg.substring(0, eq);
      if (PARENT_SWITCHES.contains(option)) {
        continue;
      }
      if (PARENT_VALUES.contains(option)) {
        if (eq < 0) {
          i++;
        }
        continue;
      }
      child.add(arg);
    }
    child.add("--engine");
    child.add(engine.cliName());
    child.add("--results-file");
    child.add(resultsFile.toString());
    if (engineDir != null) {
      child.add("--dir");
      child.add(engineDir.toString());
    }
    return child;
  }
}
