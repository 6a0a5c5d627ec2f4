package dev.strata.cli;

import dev.strata.CompactionOptions;
import dev.strata.compaction.CompactionTask;
import dev.strata.compaction.LevelShape;
import dev.strata.manifest.FileMeta;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code strata compaction-sim [options]}: runs a {@link CompactionSimulator} and prints one line
 * per step, then the totals. Like {@code dump-sst} it reaches past the public API (into the
 * compaction pickers, which are internal) and opens no store, so it needs no ActorSystem.
 *
 * <p>A step line reads {@code step N  WA w  shape  |  tasks}: the running write amplification,
 * the levels after the step ({@code L0=files/size ...}; for tiered, the sorted runs newest first)
 * and the tasks the step applied ({@link CompactionTask#summary()}, with {@code (move)} after a
 * trivial move; {@code -} for none). The variable-length parts come last so the columns stay
 * aligned.
 */
final class CompactionSimCommand {
  private CompactionSimCommand() {}

  /** Parses the options and runs the simulation; returns the exit code. */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(Usage.COMPACTION_SIM);
      return Main.EXIT_OK;
    }
    CompactionSimArgs.Config config;
    try {
      config = CompactionSimArgs.parse(args);
    } catch (UsageException e) {
      err.println("strata compaction-sim: " + e.getMessage());
      err.println();
      err.print(Usage.COMPACTION_SIM);
      return Main.EXIT_USAGE;
    }
    try {
      simulate(config, out);
      return Main.EXIT_OK;
    } catch (IllegalStateException e) {
      out.flush();
      err.println("strata compaction-sim: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
  }

  static void simulate(CompactionSimArgs.Config config, PrintStream out) {
    CompactionSimulator.Model model = config.model();
    CompactionSimulator sim = new CompactionSimulator(config.options(), model);
    boolean tiered = config.options().strategy() == CompactionOptions.Strategy.TIERED;
    out.println("strategy: " + config.options());
    out.println("model: " + model.keys() + " keys holding " + mib(model.liveBytes()) + " of live data, "
        + mib(model.flushBytes()) + " per flush, outputs cut at " + mib(model.targetSstBytes()) + "; "
        + config.steps() + " steps");
    for (int i = 0; i < config.steps(); i++) {
      out.println(line(sim.step(), sim.writeAmplification(), tiered));
    }
    out.println("totals after " + sim.steps() + " steps");
    out.println("flushed              " + mib(sim.flushedBytes()));
    out.println("compactions          " + sim.compactions() + " (" + sim.trivialMoves() + " trivial moves), writing "
        + mib(sim.compactionBytes()));
    out.println(String.format(Locale.ROOT, "write amplification  %.2f", sim.writeAmplification()));
    out.println("max L0 files         " + sim.maxL0Files());
    out.println(String.format(Locale.ROOT, "space amplification  %.2f (%s in the tree / %s live)",
        sim.spaceAmplification(), mib(sim.shape().totalBytes()), mib(sim.liveBytes())));
    if (sim.unsettledSteps() > 0) {
      out.println("WARNING: in " + sim.unsettledSteps() + " steps the picker still asked for compactions after "
          + CompactionSimulator.MAX_COMPACTIONS_PER_STEP);
    }
  }

  static String line(CompactionSimulator.Step step, double writeAmplification, boolean tiered) {
    List<String> tasks = new ArrayList<>();
    step.tasks().forEach(t -> tasks.add(t.summary() + (t.isTrivialMove() ? " (move)" : "")));
    String line = String.format(Locale.ROOT, "step %4d  WA %6.2f  %s  |  %s", step.number(), writeAmplification,
        tiered ? runs(step.shape()) : levels(step.shape()), tasks.isEmpty() ? "-" : String.join("; ", tasks));
    return step.settled() ? line
        : line + "  (picker not settled after " + CompactionSimulator.MAX_COMPACTIONS_PER_STEP + " compactions)";
  }

  /** {@code L0=2/8MiB L1=0 L2=4/16MiB}: every level slot, files and bytes. */
  static String levels(LevelShape shape) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.levelCount(); i++) {
      sb.append(i == 0 ? "" : " ").append('L').append(i).append('=').append(shape.fileCount(i));
      if (shape.fileCount(i) > 0) {
        sb.append('/').append(mib(shape.bytes(i)));
      }
    }
    return sb.toString();
  }

  /** {@code runs=3 [4MiB 28MiB 32MiB]}: the sorted runs as the tiered picker sees them, newest first. */
  static String runs(LevelShape shape) {
    List<String> sizes = new ArrayList<>();
    for (FileMeta f : shape.level(0)) {
      sizes.add(mib(f.size()));
    }
    for (int i = 1; i < shape.levelCount(); i++) {
      if (shape.fileCount(i) > 0) {
        sizes.add("L" + i + ":" + mib(shape.bytes(i)));
      }
    }
    return "runs=" + sizes.size() + " [" + String.join(" ", sizes) + "]";
  }

  /** Bytes in MiB to one decimal, without a trailing {@code .0}. */
  static String mib(long bytes) {
    String text = String.format(Locale.ROOT, "%.1f", (double) bytes / CompactionSimulator.MIB);
    return (text.endsWith(".0") ? text.substring(0, text.length() - 2) : text) + "MiB";
  }
}
