package dev.strata.cli;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.strata.StrataOptions;
import dev.strata.akka.stream.StrataWriteSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code strata bench ingest}'s options into an {@link IngestConfig}: the stream's own
 * options here, every other one by {@link BenchArgs} (same forms, same messages), minus those that
 * make no sense for ingest. Not thread-safe; one call per parse.
 */
final class IngestArgs {
  static final int MAX_ROUNDS = 100;
  /**
   * Three: the first fill of each path runs while the JIT compiles it (about 1.5x slower, measured),
   * and the median of three alternating rounds leaves that and the order out.
   */
  static final int DEFAULT_ROUNDS = 3;
  private static final Set<String> STREAM_OPTIONS = Set.of("--batch-size", "--batch-window", "--max-batch-bytes",
      "--parallelism", "--rounds");
  private static final Set<String> STREAM_SWITCHES = Set.of("--stream-first");
  /** bench options that ingest refuses, and why. */
  private static final Map<String, String> REFUSED = Map.of(
      "--workloads", "ingest always runs the same fill twice: through the synchronous API and through StrataFlow",
      "--threads", "ingest compares one stream with one thread of synchronous puts",
      "--seek-nexts", "ingest does no seeks",
      "--no-wal", "ingest measures writes with the WAL on");

  private IngestArgs() {}

  /** The run {@code args} describe, on top of {@code base} store options and {@code baseSettings}. */
  static IngestConfig parse(List<String> args, StrataOptions base, StrataWriteSettings baseSettings)
      throws UsageException {
    StrataWriteSettings settings = baseSettings;
    boolean streamFirst = false;
    int rounds = DEFAULT_ROUNDS;
    List<String> benchArgs = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int eq = arg.indexOf('=');
      String option = eq < 0 || !arg.startsWith("--") ? arg : arg.substring(0, eq);
      if (REFUSED.containsKey(option)) {
        throw new UsageException(option + " does not apply to bench ingest: " + REFUSED.get(option));
      }
      if (STREAM_SWITCHES.contains(option)) {
        if (eq >= 0) {
          throw new UsageException(option + " takes no value");
        }
        streamFirst = true;
      } else if (STREAM_OPTIONS.contains(option)) {
        String value = ArgParsing.optionValue(args, i, option, eq);
        if (eq < 0) {
          i++;
        }
        if (option.equals("--rounds")) {
          rounds = ArgParsing.parseInt(option, value, 1, MAX_ROUNDS);
        } else {
          settings = set(settings, option, value);
        }
      } else {
        benchArgs.add(arg);
      }
    }
    BenchConfig parsed = BenchArgs.parse(benchArgs, base);
    BenchConfig bench = new BenchConfig(parsed.num(), parsed.seed(), 1, parsed.dir(), parsed.keySize(),
        parsed.valueSize(), parsed.seekNexts(), List.of(Workload.FILLRANDOM), parsed.options(), Engine.STRATA,
        List.of(), null, parsed.compressionRatio());
    if (!bench.options().walEnabled()) {
      throw new UsageException("bench ingest measures writes with the WAL on, but the configuration turns it off "
          + "(strata.wal-enabled)");
    }
    return new IngestConfig(bench, settings, streamFirst, rounds);
  }

  private static StrataWriteSettings set(StrataWriteSettings s, String option, String value) throws UsageException {
    try {
      return switch (option) {
        case "--batch-size" -> s.withBatchSize(ArgParsing.parseInt(option, value, 1, 10_000_000));
        case "--parallelism" -> s.withParallelism(ArgParsing.parseInt(option, value, 1, 1024));
        case "--max-batch-bytes" -> s.withMaxBatchBytes(ArgParsing.parseBytes(option, value, 1, Long.MAX_VALUE));
        case "--batch-window" -> s.withBatchWindow(parseDuration(option, value));
        default -> throw new IllegalStateException("option without a parser: " + option);
      };
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + ": " + e.getMessage());
    }
  }

  /** A duration as in application.conf: 5ms, 250us, 1s; a plain number is milliseconds. */
  private static Duration parseDuration(String option, String text) throws UsageException {
    try {
      return ConfigFactory.empty().withValue("d", ConfigValueFactory.fromAnyRef(text.strip())).getDuration("d");
    } catch (ConfigException e) {
      throw new UsageException(option + ": '" + text + "' is not a duration (examples: 5ms, 250us, 1s)");
    }
  }
}
