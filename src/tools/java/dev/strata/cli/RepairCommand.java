package dev.strata.cli;

import dev.strata.RepairReport;
import dev.strata.Strata;
import dev.strata.StrataException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code strata repair DIR}: rebuilds the store in DIR with {@link Strata#repair} and prints what
 * it kept, rebuilt and moved aside, then checks the result as {@code strata check} does. Exit code
 * 0 when the repair committed and the store then checks sound, 1 when the repair failed (the store
 * is open, DIR holds no store, an I/O error) or the store still has a problem, 2 for bad usage.
 * Stateless.
 */
final class RepairCommand {
  private RepairCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    List<String> dirs = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        out.print(Usage.REPAIR);
        return Main.EXIT_OK;
      }
      if (arg.startsWith("--")) {
        return Inspect.usageError("repair", "unknown option " + arg, Usage.REPAIR, err);
      }
      dirs.add(arg);
    }
    if (dirs.size() != 1) {
      return Inspect.usageError("repair", "expects exactly one store directory, got " + dirs.size(), Usage.REPAIR, err);
    }
    Path dir = Inspect.path(dirs.get(0));
    if (dir == null || !Files.isDirectory(dir)) {
      err.println("strata repair: " + dirs.get(0) + " is not a directory");
      return Main.EXIT_FAILURE;
    }
    RepairReport report;
    try {
      report = Strata.repair(dir);
    } catch (StrataException e) {
      err.println("strata repair: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    out.print(report);
    out.println("tables: " + report.tablesKept().size() + " kept, " + report.tablesSalvaged().size() + " salvaged, "
        + report.tablesMerged().size() + " merges; WALs replayed: " + report.walsReplayed().size()
        + "; files moved to " + (report.lostDirectory() == null ? "lost/: none" : dir.relativize(report.lostDirectory())
        + ": " + report.movedToLost().size()));
    out.println();
    int check = CheckCommand.run(List.of(dir.toString()), out, err);
    if (check != Main.EXIT_OK) {
      err.println("strata repair: the repaired store does not check sound (see the problems above)");
      return Main.EXIT_FAILURE;
    }
    return Main.EXIT_OK;
  }
}
