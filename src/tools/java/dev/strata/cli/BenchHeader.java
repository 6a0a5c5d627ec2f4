package dev.strata.cli;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.stream.Collectors;

/** The block bench prints before its results: when, on what JVM, with which settings. Stateless. */
final class BenchHeader {
  private BenchHeader() {}

  static void print(PrintStream out, BenchConfig config, Path dir, boolean temporaryDir) {
    out.println(config.comparing() ? "Strata bench --compare" : "Strata bench");
    common(out, config);
    row(out, "Threads", Integer.toString(config.threads()));
    row(out, "Seed", Long.toString(config.seed()));
    row(out, "Seek nexts", Integer.toString(config.seekNexts()));
    if (config.comparing()) {
      row(out, "Directory", dir == null ? "a temporary directory per engine, deleted at its end"
          : dir + "/<engine>");
    } else {
      row(out, "Directory", dir + (temporaryDir ? " (temporary, deleted at the end)" : ""));
    }
    row(out, "Workloads", config.workloads().stream().map(Workload::benchName).collect(Collectors.joining(",")));
    if (config.comparing()) {
      row(out, "Engines", config.compare().stream().map(Engine::cliName).collect(Collectors.joining(","))
          + ", each in its own JVM with the JVM flags above, one after the other");
    } else {
      row(out, "Engine", config.engine().description());
    }
    if (config.comparing() || !config.engine().isPeer()) {
      row(out, "Options", "strata: " + config.options());
    }
    out.println("-".repeat(100));
  }

  /** The header of {@code bench ingest}. */
  static void printIngest(PrintStream out, IngestConfig ingest, Path dir, boolean temporaryDir) {
    BenchConfig config = ingest.bench();
    out.println("Strata bench ingest: fillrandom through the synchronous API (one thread) and through StrataFlow");
    common(out, config);
    row(out, "Seed", Long.toString(config.seed()));
    row(out, "Directory", dir + (temporaryDir ? " (temporary, deleted at the end)" : ""));
    row(out, "Rounds", ingest.rounds() + ", " + (ingest.streamFirst() ? "StrataFlow" : "synchronous API")
        + " first" + (ingest.rounds() > 1 ? " in the first, alternating" : ""));
    row(out, "Options", config.options().toString());
    row(out, "Stream", ingest.settings().toString());
    out.println("-".repeat(100));
  }

  private static void common(PrintStream out, BenchConfig config) {
    Runtime runtime = Runtime.getRuntime();
    String flags = String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
    row(out, "Date", ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString());
    row(out, "JDK", Runtime.version() + " (" + System.getProperty("java.vendor") + ", "
        + System.getProperty("java.vm.name") + ")");
    row(out, "JVM flags", flags.isEmpty() ? "(none)" : flags);
    row(out, "CPUs", runtime.availableProcessors() + ", max heap " + (runtime.maxMemory() >> 20) + " MiB");
    row(out, "Keys", config.keySize() + " bytes each (zero-padded decimal numbers)");
    row(out, "Values", config.valueSize() + String.format(Locale.ROOT,
        " bytes each (seeded, db_bench's generator, compressible to about %.2f of their size)", config.compressionRatio()));
    row(out, "Entries", Long.toString(config.num()));
    row(out, "Raw size", String.format(Locale.ROOT, "%.1f MB (keys and values of one fill)",
        config.rawBytes() / (1024.0 * 1024.0)));
  }

  private static void row(PrintStream out, String name, String value) {
    out.printf(Locale.ROOT, "%-11s %s%n", name + ":", value);
  }
}
