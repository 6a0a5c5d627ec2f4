package dev.strata.cli;

import dev.strata.StrataException;
import dev.strata.StrataOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code strata bench}: parses its options, prepares the store directory, runs the workloads.
 * {@code strata bench ingest} goes to {@link IngestCommand}, {@code strata bench cluster} to
 * {@link ClusterBenchCommand}.
 */
final class BenchCommand {
  private BenchCommand() {}

  /**
   * Runs the benchmark; returns the exit code. Progress bars go to {@code progressTerminal}
   * when it is not null.
   */
  static int run(List<String> args, CliContext context, PrintStream out, PrintStream err,
      PrintStream progressTerminal) {
    if (!args.isEmpty() && args.get(0).equals(IngestCommand.NAME)) {
      return IngestCommand.run(args.subList(1, args.size()), context, out, err, progressTerminal);
    }
    if (!args.isEmpty() && args.get(0).equals(PersistenceBenchCommand.NAME)) {
      return PersistenceBenchCommand.run(args.subList(1, args.size()), out, err);
    }
    if (!args.isEmpty() && args.get(0).equals(ClusterBenchCommand.NAME)) {
      return ClusterBenchCommand.run(args.subList(1, args.size()), out, err);
    }
    if (args.contains("--help") || args.contains("-h")) {
      out.print(Usage.BENCH);
      return Main.EXIT_OK;
    }
    if (VersusRunner.requested(args)) {
      return versus(args, context, out, err);
    }
    BenchConfig config;
    Path dir;
    try {
      config = BenchArgs.parse(args, context.baseOptions());
      for (Engine engine : config.comparing() ? config.compare() : List.of(config.engine())) {
        engine.checkAvailable();
      }
      if (config.comparing()) {
        return compare(config, args, out, err);
      }
      dir = prepareDirectory(config.dir());
    } catch (Engine.Unavailable e) {
      err.println("strata bench: " + e.getMessage());
      return Main.EXIT_FAILURE;
    } catch (UsageException e) {
      err.println("strata bench: " + e.getMessage());
      err.println();
      err.print(Usage.BENCH);
      return Main.EXIT_USAGE;
    } catch (IOException e) {
      err.println("strata bench: cannot prepare the store directory: " + e);
      return Main.EXIT_FAILURE;
    }
    boolean temporary = config.dir() == null;
    try {
      BenchHeader.print(out, config, dir, temporary);
      HeapWatch heap = config.resultsFile() != null ? HeapWatch.start() : null;
      KeyValueStore.Factory factory;
      KeyValueStore.Factory syncedFactory;
      if (config.engine().isPeer()) {
        factory = config.engine().peerFactory();
        syncedFactory = config.engine().peerFactory(true);
      } else {
        StrataOptions synced = config.options().toBuilder().walEnabled(true).syncWrites(true).build();
        factory = context.factory(config.options());
        syncedFactory = context.factory(synced);
      }
      List<WorkloadResult> results = new BenchRunner(config, factory, syncedFactory, dir, out, progressTerminal).run();
      if (config.resultsFile() != null) {
        EngineResult.of(config.engine(), results, Directories.sizeOf(dir), ProcessIo.read(),
            heap.peakAfterGcBytes())
            .writeTo(config.resultsFile());
      }
      return Main.EXIT_OK;
    } catch (Engine.Unavailable e) {
      err.println("strata bench: " + e.getMessage());
      return Main.EXIT_FAILURE;
    } catch (StrataException | BenchRunner.BenchFailure e) {
      err.println("strata bench: " + e.getMessage());
      return Main.EXIT_FAILURE;
    } catch (IOException | RuntimeException e) {
      err.println("strata bench: failed: " + e);
      e.printStackTrace(err);
      return Main.EXIT_FAILURE;
    } catch (InterruptedException e) {
      return interrupted(err);
    } finally {
      out.flush();
      if (temporary) {
        deleteTemporary(dir, err);
      }
    }
  }

  /** {@code --versus}: A and B alternating, each run in its own JVM, one table at the end. */
  private static int versus(List<String> args, CliContext context, PrintStream out, PrintStream err) {
    VersusRunner.Plan plan;
    try {
      plan = VersusRunner.plan(args, context.baseOptions());
    } catch (UsageException e) {
      err.println("strata bench: " + e.getMessage());
      err.println();
      err.print(Usage.BENCH);
      return Main.EXIT_USAGE;
    }
    try {
      if (!new VersusRunner(plan, out).run()) {
        err.println("strata bench: a run of " + VersusRunner.VERSUS + " failed; see its output above");
        return Main.EXIT_FAILURE;
      }
      return Main.EXIT_OK;
    } catch (IOException e) {
      err.println("strata bench: " + VersusRunner.VERSUS + " failed: " + e);
      return Main.EXIT_FAILURE;
    } catch (InterruptedException e) {
      return interrupted(err);
    } finally {
      out.flush();
    }
  }

  /**
   * {@code --compare}: every engine in its own JVM, one table at the end. Exits with a failure
   * when an engine's run failed (the table still shows the others).
   */
  private static int compare(BenchConfig config, List<String> args, PrintStream out, PrintStream err)
      throws UsageException {
    Path dir = null;
    try {
      if (config.dir() != null) {
        dir = prepareDirectory(config.dir());
      }
      BenchHeader.print(out, config, dir, false);
      List<EngineResult> results = new CompareRunner(config, args, dir, out).run();
      List<Engine> missing = CompareTable.missing(config.compare(), results);
      if (!missing.isEmpty()) {
        err.println("strata bench: the run of " + missing + " failed; see its output above");
        return Main.EXIT_FAILURE;
      }
      return Main.EXIT_OK;
    } catch (IOException e) {
      err.println("strata bench: --compare failed: " + e);
      return Main.EXIT_FAILURE;
    } catch (InterruptedException e) {
      return interrupted(err);
    } finally {
      out.flush();
    }
  }

  /** The given directory, which must be new or empty; or a new temporary directory. */
  static Path prepareDirectory(Path dir) throws UsageException, IOException {
    if (dir == null) {
      return Files.createTempDirectory("strata-bench-");
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new UsageException("--dir " + dir + " is not a directory");
    }
    if (!Directories.isMissingOrEmpty(dir)) {
      throw new UsageException("--dir " + dir + " is not empty: bench deletes its store between workloads, "
          + "so give it a new or empty directory");
    }
    Files.createDirectories(dir);
    return dir;
  }

  static void deleteTemporary(Path dir, PrintStream err) {
    try {
      Directories.deleteRecursively(dir);
    } catch (IOException e) {
      err.println("strata bench: could not delete the temporary directory " + dir + ": " + e);
    }
  }

  /** Every bench mode ends the same way when its thread is interrupted: flag kept, one line, failure. */
  private static int interrupted(PrintStream err) {
    Thread.currentThread().interrupt();
    err.println("strata bench: interrupted");
    return Main.EXIT_FAILURE;
  }
}
