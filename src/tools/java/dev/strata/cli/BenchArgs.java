package dev.strata.cli;

import dev.strata.CompactionOptions;
import dev.strata.Compression;
import dev.strata.StrataOptions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses {@code strata bench}'s options into a {@link BenchConfig}. Options take their value as
 * the next argument or after {@code =} ({@code --num 1000} or {@code --num=1000}); when one is
 * given twice the last wins. Store options start from the configuration's and each flag
 * overrides one of them. Not thread-safe; one instance per parse.
 */
final class BenchArgs {
  static final long MAX_NUM = 1_000_000_000_000L;
  static final int MAX_THREADS = 1024;
  /** The engine's documented limits on key and value sizes. */
  static final int MAX_KEY_SIZE = 64 * 1024;
  static final int MAX_VALUE_SIZE = 16 * 1024 * 1024;

  private static final Set<String> VALUE_OPTIONS = Set.of("--num", "--seed", "--threads", "--dir", "--value-size",
      "--key-size", "--workloads", "--seek-nexts", "--memtable-size", "--block-cache", "--bloom-bits", "--compaction",
      "--engines", "--engine", "--results-file", "--compression-ratio", "--compression");
  private static final Set<String> SWITCHES = Set.of("--no-wal", "--sync", "--compare");
  /** Flags that tune Strata alone: a comparison runs every engine with its defaults. */
  private static final List<String> STRATA_TUNING = List.of("--memtable-size", "--block-cache", "--bloom-bits",
      "--compaction", "--no-wal", "--sync", "--compression");

  private final StrataOptions base;
  private long num = BenchConfig.DEFAULT_NUM;
  private long seed = BenchConfig.DEFAULT_SEED;
  private int threads = 1;
  private Path dir;
  private int keySize = BenchConfig.DEFAULT_KEY_SIZE;
  private int valueSize = BenchConfig.DEFAULT_VALUE_SIZE;
  private int seekNexts = BenchConfig.DEFAULT_SEEK_NEXTS;
  private List<Workload> workloads = Workload.defaults();
  private Long memtableSize;
  private Long blockCache;
  private Integer bloomBits;
  private CompactionOptions.Strategy compaction;
  private Compression compression;
  private double compressionRatio = BenchConfig.DEFAULT_COMPRESSION_RATIO;
  private boolean noWal;
  private boolean sync;
  private boolean compare;
  private List<Engine> engines;
  private Engine engine = Engine.STRATA;
  private Path resultsFile;
  private final Set<String> given = new java.util.LinkedHashSet<>();

  private BenchArgs(StrataOptions base) {
    this.base = base;
  }

  /** The run {@code args} describe, on top of {@code base} store options. */
  static BenchConfig parse(List<String> args, StrataOptions base) throws UsageException {
    BenchArgs parsed = new BenchArgs(base);
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "': bench takes only options");
      }
      int eq = arg.indexOf('=');
      String option = eq < 0 ? arg : arg.substring(0, eq);
      parsed.given.add(option);
      if (SWITCHES.contains(option)) {
        if (eq >= 0) {
          throw new UsageException(option + " takes no value");
        }
        parsed.setSwitch(option);
      } else if (VALUE_OPTIONS.contains(option)) {
        String value = ArgParsing.optionValue(args, i, option, eq);
        if (eq < 0) {
          i++;
        }
        parsed.set(option, value);
      } else {
        throw new UsageException("unknown option " + option);
      }
    }
    return parsed.build();
  }

  private void setSwitch(String option) {
    switch (option) {
      case "--no-wal" -> noWal = true;
      case "--sync" -> sync = true;
      case "--compare" -> compare = true;
      default -> throw new IllegalStateException("switch without a setter: " + option);
    }
  }

  private void set(String option, String value) throws UsageException {
    switch (option) {
      case "--num" -> num = ArgParsing.parseLong(option, value, 1, MAX_NUM);
      case "--seed" -> seed = ArgParsing.parseLong(option, value, Long.MIN_VALUE, Long.MAX_VALUE);
      case "--threads" -> threads = ArgParsing.parseInt(option, value, 1, MAX_THREADS);
      case "--dir" -> dir = parsePath(option, value);
      case "--key-size" -> keySize = ArgParsing.parseInt(option, value, 1, MAX_KEY_SIZE);
      case "--value-size" -> valueSize = ArgParsing.parseInt(option, value, 0, MAX_VALUE_SIZE);
      case "--seek-nexts" -> seekNexts = ArgParsing.parseInt(option, value, 0, 1_000_000);
      case "--workloads" -> workloads = parseWorkloads(value);
      case "--memtable-size" -> memtableSize = ArgParsing.parseBytes(option, value, 4096, Long.MAX_VALUE);
      case "--block-cache" -> blockCache = ArgParsing.parseBytes(option, value, 0, Long.MAX_VALUE);
      case "--bloom-bits" -> bloomBits = ArgParsing.parseInt(option, value, 0, 32);
      case "--compaction" -> compaction = parseCompaction(value);
      case "--compression" -> compression = parseCompression(option, value);
      case "--compression-ratio" -> compressionRatio = parseRatio(option, value);
      case "--engines" -> engines = parseEngines(value);
      case "--engine" -> engine = parseEngine(option, value);
      case "--results-file" -> resultsFile = parsePath(option, value);
      default -> throw new IllegalStateException("option without a parser: " + option);
    }
  }

  private static Path parsePath(String option, String value) throws UsageException {
    if (value.isBlank()) {
      throw new UsageException(option + " needs a directory");
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new UsageException(option + ": '" + value + "' is not a valid path: " + e.getReason());
    }
  }

  static List<Workload> parseWorkloads(String value) throws UsageException {
    List<Workload> list = new ArrayList<>();
    for (String name : value.split(",", -1)) {
      String trimmed = name.strip();
      if (trimmed.isEmpty()) {
        throw new UsageException("--workloads: empty workload name in '" + value + "'");
      }
      list.add(Workload.fromName(trimmed).orElseThrow(() -> new UsageException(
          "--workloads: unknown workload '" + trimmed + "'; known: " + Workload.names())));
    }
    return list;
  }

  static List<Engine> parseEngines(String value) throws UsageException {
    List<Engine> list = new ArrayList<>();
    for (String name : value.split(",", -1)) {
      Engine e = parseEngine("--engines", name);
      if (list.contains(e)) {
        throw new UsageException("--engines: " + e.cliName() + " is named twice");
      }
      list.add(e);
    }
    return list;
  }

  private static Engine parseEngine(String option, String name) throws UsageException {
    if (name.isBlank()) {
      throw new UsageException(option + ": empty engine name");
    }
    return Engine.fromName(name).orElseThrow(() -> new UsageException(
        option + ": unknown engine '" + name.strip() + "'; known: " + Engine.names()));
  }

  private static Compression parseCompression(String option, String value) throws UsageException {
    try {
      return Compression.fromName(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + ": " + e.getMessage());
    }
  }

  private static double parseRatio(String option, String value) throws UsageException {
    double r;
    try {
      r = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(option + ": '" + value + "' is not a number");
    }
    if (!(r > 0 && r <= 1)) {
      throw new UsageException(option + ": " + value + " is not in (0, 1]: the fraction of its size a value "
          + "compresses to (1 = random values)");
    }
    return r;
  }

  private static CompactionOptions.Strategy parseCompaction(String value) throws UsageException {
    return switch (value.strip()) {
      case "leveled" -> CompactionOptions.Strategy.LEVELED;
      case "tiered" -> CompactionOptions.Strategy.TIERED;
      case "simple-leveled" -> CompactionOptions.Strategy.SIMPLE_LEVELED;
      case "none" -> CompactionOptions.Strategy.NONE;
      default -> throw new UsageException("--compaction: unknown strategy '" + value
          + "'; known: leveled, tiered, simple-leveled, none");
    };
  }

  private BenchConfig build() throws UsageException {
    int digits = KeyGenerator.digitsNeeded(num);
    if (keySize < digits) {
      throw new UsageException("--key-size " + keySize + " is too small for --num " + num + ": keys are "
          + digits + "-digit numbers, so they need at least " + digits + " bytes");
    }
    if (engines != null && !compare) {
      throw new UsageException("--engines chooses the engines of --compare: add --compare");
    }
    if (compare && given.contains("--engine")) {
      throw new UsageException("--engine runs one engine, --compare several: give one of them");
    }
    List<Engine> compared = compare ? (engines == null ? List.of(Engine.values()) : engines) : List.of();
    if (compare || engine.isPeer()) {
      String what = compare ? "--compare runs every engine" : "--engine " + engine.cliName() + " runs";
      for (String flag : STRATA_TUNING) {
        if (given.contains(flag)) {
          throw new UsageException(flag + " tunes Strata alone; " + what + " with its default options "
              + "(WAL on, no sync): drop " + flag);
        }
      }
      for (Workload w : workloads) {
        if (!Workload.comparable().contains(w)) {
          throw new UsageException("--workloads: " + w.benchName() + " runs on Strata alone; "
              + what.substring(0, what.indexOf(' ')) + " takes: " + Workload.comparable().stream()
              .map(Workload::benchName).collect(java.util.stream.Collectors.joining(",")));
        }
      }
    }
    return new BenchConfig(num, seed, threads, dir, keySize, valueSize, seekNexts, workloads, options(), engine,
        compared, resultsFile, compressionRatio);
  }

  private StrataOptions options() throws UsageException {
    if (sync && noWal) {
      throw new UsageException("--sync needs the write-ahead log: drop --no-wal or --sync");
    }
    StrataOptions.Builder b = base.toBuilder();
    try {
      if (memtableSize != null) {
        b.memtableSizeBytes(memtableSize);
      }
      if (blockCache != null) {
        b.blockCacheBytes(blockCache);
      }
      if (bloomBits != null) {
        b.bloomBitsPerKey(bloomBits);
      }
      if (compaction != null && compaction != base.compaction().strategy()) {
        b.compaction(defaults(compaction));
      }
      if (compression != null) {
        // One codec for every level: an on/off comparison should not depend on the level layout.
        b.compression(compression).compressionPerLevel(List.of());
      }
      if (noWal) {
        b.walEnabled(false).syncWrites(false);
      }
      if (sync) {
        b.walEnabled(true).syncWrites(true);
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new UsageException("bad store options: " + e.getMessage());
    }
  }

  /** A strategy's defaults; a flag naming the configuration's own strategy keeps its tuning. */
  private static CompactionOptions defaults(CompactionOptions.Strategy strategy) {
    return switch (strategy) {
      case LEVELED -> CompactionOptions.leveled();
      case TIERED -> CompactionOptions.tiered();
      case SIMPLE_LEVELED -> CompactionOptions.simpleLeveled();
      case NONE -> CompactionOptions.none();
    };
  }
}
