package dev.strata.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --versus "OPTIONS" [--rounds N]}: an A/B measurement in one command. A is the bench
 * as given, B the same with {@code OPTIONS} appended (the last of a repeated option wins, so B may
 * override A). Each run gets its own JVM (this one's java binary, flags and classpath) and its own
 * temporary store; the runs alternate A B, B A, A B ... so that a machine that slows down or warms
 * up over the rounds weighs on both sides alike. Prints each round's ops/s and A/B ratio per
 * workload, then the median ratio: on a noisy machine a ratio taken side by side is the figure
 * that means something, not either absolute. Not thread-safe: one run at a time.
 */
final class VersusRunner {
  static final String VERSUS = "--versus";
  static final String ROUNDS = "--rounds";
  static final int DEFAULT_ROUNDS = 3;
  static final int MAX_ROUNDS = 100;
  /** Options that place or collect a run, which the runner sets for each child itself. */
  private static final List<String> REFUSED = List.of("--compare", "--engines", "--dir", "--results-file");

  /** What {@code --versus} asks: A's options, the options B adds, and the number of rounds. */
  record Plan(List<String> a, List<String> added, int rounds) {
    List<String> b() {
      List<String> b = new ArrayList<>(a);
      b.addAll(added);
      return b;
    }
  }

  /** One run's result, or null if its JVM failed. */
  private record Run(String side, int round, EngineResult result) {}

  private final Plan plan;
  private final PrintStream out;

  VersusRunner(Plan plan, PrintStream out) {
    this.plan = plan;
    this.out = out;
  }

  /** Whether {@code args} ask for an A/B run (or name one of its options, which {@link #plan} checks). */
  static boolean requested(List<String> args) {
    return args.stream().anyMatch(a -> a.equals(VERSUS) || a.startsWith(VERSUS + "=") || a.equals(ROUNDS)
        || a.startsWith(ROUNDS + "="));
  }

  /**
   * Splits {@code args} into the plan, checking that A and B are each a valid single-engine bench
   * (parsing both with {@link BenchArgs}), so that a typo fails here and not in the tenth JVM.
   */
  static Plan plan(List<String> args, dev.strata.StrataOptions base) throws UsageException {
    List<String> a = new ArrayList<>();
    List<String> added = null;
    Integer rounds = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int eq = arg.indexOf('=');
      String option = eq < 0 ? arg : arg.substring(0, eq);
      if (option.equals(VERSUS) || option.equals(ROUNDS)) {
        String value = ArgParsing.optionValue(args, i, option, eq);
        if (eq < 0) {
          i++;
        }
        if (option.equals(VERSUS)) {
          added = Arrays.stream(value.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
          if (added.isEmpty()) {
            throw new UsageException(VERSUS + " needs the options that make run B differ from run A, e.g. "
                + VERSUS + " \"--no-wal\"");
          }
        } else {
          rounds = ArgParsing.parseInt(option, value, 1, MAX_ROUNDS);
        }
        continue;
      }
      a.add(arg);
    }
    if (added == null) {
      throw new UsageException(ROUNDS + " counts the rounds of " + VERSUS + ": add " + VERSUS);
    }
    Plan plan = new Plan(a, added, rounds == null ? DEFAULT_ROUNDS : rounds);
    check("A", plan.a(), base);
    check("B", plan.b(), base);
    return plan;
  }

  private static void check(String side, List<String> args, dev.strata.StrataOptions base) throws UsageException {
    for (String arg : args) {
      for (String refused : REFUSED) {
        if (arg.equals(refused) || arg.startsWith(refused + "=")) {
          throw new UsageException(refused + " cannot be used with " + VERSUS + ": each run gets its own JVM "
              + "and temporary store");
        }
      }
    }
    try {
      BenchArgs.parse(args, base);
    } catch (UsageException e) {
      throw new UsageException("run " + side + " (" + String.join(" ", args) + "): " + e.getMessage());
    }
  }

  /** Runs every round; returns false if any run failed (the table shows the rounds that finished). */
  boolean run() throws IOException, InterruptedException {
    List<Run> runs = new ArrayList<>();
    boolean allRan = true;
    for (int round = 1; round <= plan.rounds(); round++) {
      // A B, then B A: drift over the rounds lands on both sides.
      String[] order = round % 2 == 1 ? new String[] {"A", "B"} : new String[] {"B", "A"};
      for (String side : order) {
        EngineResult r = runOne(side, round);
        allRan &= r != null;
        runs.add(new Run(side, round, r));
      }
    }
    printTable(runs);
    return allRan;
  }

  private EngineResult runOne(String side, int round) throws IOException, InterruptedException {
    Path results = Files.createTempFile("strata-versus-" + side + round + "-", ".txt");
    try {
      List<String> command = new ArrayList<>(CompareRunner.javaCommand());
      command.add("bench");
      command.addAll(side.equals("A") ? plan.a() : plan.b());
      command.add("--results-file");
      command.add(results.toString());
      String label = String.format(Locale.ROOT, "[%s %d] ", side, round);
      int code = CompareRunner.runChild(command, line -> {
        if (isResultLine(line)) {
          out.println(label + line);
          out.flush();
        }
      });
      if (code != 0) {
        out.println(label + "failed: its JVM exited with code " + code);
        return null;
      }
      return EngineResult.readFrom(results);
    } finally {
      Files.deleteIfExists(results);
    }
  }

  /** A workload's result line ("fillrandom   :  ..."), the one line of a child's output worth repeating. */
  private static boolean isResultLine(String line) {
    int colon = line.indexOf(" :");
    return colon > 0 && Workload.fromName(line.substring(0, colon).trim()).isPresent();
  }

  private void printTable(List<Run> runs) {
    out.println();
    out.println("== A/B: " + plan.rounds() + " round" + (plan.rounds() == 1 ? "" : "s")
        + ", A and B alternating, each run in its own JVM with this JVM's flags");
    out.println("   A: bench " + String.join(" ", plan.a()));
    out.println("   B: A plus " + String.join(" ", plan.added()));
    out.println("| workload       | round  |     A ops/s |     B ops/s |  A / B |");
    out.println("|----------------|--------|------------:|------------:|-------:|");
    List<String> labels = labelsOf(runs);
    for (int i = 0; i < labels.size(); i++) {
      List<Double> ratios = new ArrayList<>();
      for (int round = 1; round <= plan.rounds(); round++) {
        double a = opsPerSecond(runs, "A", round, i);
        double b = opsPerSecond(runs, "B", round, i);
        double ratio = a > 0 && b > 0 ? a / b : Double.NaN;
        if (!Double.isNaN(ratio)) {
          ratios.add(ratio);
        }
        out.println(row(labels.get(i), Integer.toString(round), a, b, ratio));
      }
      out.println(row(labels.get(i), "median", Double.NaN, Double.NaN, median(ratios)));
    }
    out.flush();
  }

  private static String row(String workload, String round, double a, double b, double ratio) {
    return String.format(Locale.ROOT, "| %-14s | %-6s | %11s | %11s | %6s |", workload, round, ops(a), ops(b),
        Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio));
  }

  private static String ops(double v) {
    return v > 0 ? String.format(Locale.ROOT, "%,.0f", v) : "-";
  }

  /**
   * One label per workload run, in order, from the first run that finished; a workload named
   * again is numbered ("readrandom #2"): the later runs see a store that settled longer.
   */
  private static List<String> labelsOf(List<Run> runs) {
    for (Run r : runs) {
      if (r.result() != null) {
        List<String> labels = new ArrayList<>();
        List<Workload> seen = new ArrayList<>();
        for (EngineResult.Timing t : r.result().workloads()) {
          seen.add(t.workload());
          long n = seen.stream().filter(w -> w == t.workload()).count();
          labels.add(t.workload().benchName() + (n == 1 ? "" : " #" + n));
        }
        return labels;
      }
    }
    return List.of();
  }

  /** The ops/s of the {@code index}-th workload run of one side's round, NaN if it did not finish. */
  private static double opsPerSecond(List<Run> runs, String side, int round, int index) {
    for (Run r : runs) {
      if (r.side().equals(side) && r.round() == round && r.result() != null
          && index < r.result().workloads().size()) {
        return r.result().workloads().get(index).opsPerSecond();
      }
    }
    return Double.NaN;
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
