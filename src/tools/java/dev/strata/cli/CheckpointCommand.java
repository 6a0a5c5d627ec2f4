package dev.strata.cli;

import dev.strata.Strata;
import dev.strata.StrataException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code strata checkpoint DIR TARGET}: opens the store in DIR (recovering it as any open does),
 * writes a checkpoint of it into TARGET (see {@link Strata#checkpoint}), and closes it. Exit code
 * 0 when the checkpoint is written, 1 when the store cannot be opened or the checkpoint fails, 2
 * for bad usage. Stateless.
 */
final class CheckpointCommand {
  private CheckpointCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    List<String> paths = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        out.print(Usage.CHECKPOINT);
        return Main.EXIT_OK;
      }
      if (arg.startsWith("--")) {
        return Inspect.usageError("checkpoint", "unknown option " + arg, Usage.CHECKPOINT, err);
      }
      paths.add(arg);
    }
    if (paths.size() != 2) {
      return Inspect.usageError("checkpoint", "expects a store directory and a target directory, got "
          + paths.size() + " argument" + (paths.size() == 1 ? "" : "s"), Usage.CHECKPOINT, err);
    }
    Path dir = Inspect.path(paths.get(0));
    Path target = Inspect.path(paths.get(1));
    if (dir == null || !Files.isDirectory(dir)) {
      err.println("strata checkpoint: " + paths.get(0) + " is not a directory");
      return Main.EXIT_FAILURE;
    }
    // Opening creates a store where there is none: refuse a directory that holds none.
    if (!Files.exists(dir.resolve("CURRENT"))) {
      err.println("strata checkpoint: " + dir + " holds no Strata store (no CURRENT file)");
      return Main.EXIT_FAILURE;
    }
    if (target == null) {
      err.println("strata checkpoint: " + paths.get(1) + " is not a valid path");
      return Main.EXIT_FAILURE;
    }
    if (Files.exists(target)) {
      err.println("strata checkpoint: " + target + " already exists; a checkpoint is written into a new directory");
      return Main.EXIT_FAILURE;
    }
    try (Strata db = Strata.open(dir)) {
      db.checkpoint(target);
    } catch (StrataException | IllegalArgumentException | IllegalStateException e) {
      err.println("strata checkpoint: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    out.println("checkpoint of " + dir + " written to " + target);
    return Main.EXIT_OK;
  }
}
