package dev.strata.cli;

import dev.strata.StrataException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** {@code strata bench ingest}: parses its options, prepares the directory, runs {@link IngestBench}. */
final class IngestCommand {
  static final String NAME = "ingest";

  private IngestCommand() {}

  /** Runs the ingest benchmark; returns the exit code. */
  static int run(List<String> args, CliContext context, PrintStream out, PrintStream err,
      PrintStream progressTerminal) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(Usage.BENCH_INGEST);
      return Main.EXIT_OK;
    }
    IngestConfig config;
    Path dir;
    try {
      config = IngestArgs.parse(args, context.baseOptions(), context.baseStreamSettings());
      dir = BenchCommand.prepareDirectory(config.bench().dir());
    } catch (UsageException e) {
      err.println("strata bench ingest: " + e.getMessage());
      err.println();
      err.print(Usage.BENCH_INGEST);
      return Main.EXIT_USAGE;
    } catch (IllegalArgumentException e) {
      err.println("strata bench ingest: bad strata.stream configuration: " + e.getMessage());
      return Main.EXIT_FAILURE;
    } catch (IOException e) {
      err.println("strata bench ingest: cannot prepare the store directory: " + e);
      return Main.EXIT_FAILURE;
    }
    boolean temporary = config.bench().dir() == null;
    try {
      BenchHeader.printIngest(out, config, dir, temporary);
      new IngestBench(config, context::openStrata, context.system(), dir, out, progressTerminal).run();
      return Main.EXIT_OK;
    } catch (StrataException | BenchRunner.BenchFailure e) {
      err.println("strata bench ingest: " + e.getMessage());
      return Main.EXIT_FAILURE;
    } catch (IOException | RuntimeException e) {
      err.println("strata bench ingest: failed: " + e);
      e.printStackTrace(err);
      return Main.EXIT_FAILURE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("strata bench ingest: interrupted");
      return Main.EXIT_FAILURE;
    } finally {
      out.flush();
      if (temporary) {
        BenchCommand.deleteTemporary(dir, err);
      }
    }
  }
}
