package dev.strata.cli;

import dev.strata.CompactionOptions;
import dev.strata.CompactionOptions.Strategy;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code strata compaction-sim}'s options. Options take their value as the next argument
 * or after {@code =}; when one is given twice the last wins. Knobs start from the strategy's
 * {@link CompactionOptions} defaults; a knob that the chosen strategy ignores is an error rather
 * than a silent no-op, since a simulation is run to see what a knob does. Not thread-safe; one
 * instance per parse.
 */
final class CompactionSimArgs {
  static final int MAX_STEPS = 1_000_000;
  static final long MAX_KEYS = 1_000_000_000_000L;
  /** 1 TiB in MiB: keeps every byte count of the model far from overflow. */
  static final long MAX_MIB = 1L << 20;

  /** A parsed command line. */
  record Config(CompactionOptions options, CompactionSimulator.Model model, int steps) {}

  /** The strategy knobs and the strategies that read them, in the order they are applied. */
  private static final Map<String, Set<Strategy>> KNOBS = knobs();
  private static final Set<String> MODEL_OPTIONS = Set.of("--strategy", "--steps", "--keys", "--flush-mb", "--live-mb",
      "--target-sst-mb");

  private Strategy strategy = Strategy.LEVELED;
  private int steps = 50;
  private long keys = CompactionSimulator.Model.DEFAULT.keys();
  private long flushMib = CompactionSimulator.Model.DEFAULT.flushBytes() / CompactionSimulator.MIB;
  private long liveMib = CompactionSimulator.Model.DEFAULT.liveBytes() / CompactionSimulator.MIB;
  private long targetSstMib = CompactionSimulator.Model.DEFAULT.targetSstBytes() / CompactionSimulator.MIB;
  private final Map<String, String> knobValues = new LinkedHashMap<>();

  private CompactionSimArgs() {}

  private static Map<String, Set<Strategy>> knobs() {
    Map<String, Set<Strategy>> m = new LinkedHashMap<>();
    m.put("--level0-file-trigger", EnumSet.of(Strategy.LEVELED, Strategy.SIMPLE_LEVELED));
    m.put("--max-levels", EnumSet.of(Strategy.LEVELED, Strategy.SIMPLE_LEVELED));
    m.put("--level-size-multiplier", EnumSet.of(Strategy.LEVELED));
    m.put("--base-level-mb", EnumSet.of(Strategy.LEVELED));
    m.put("--num-tiers", EnumSet.of(Strategy.TIERED));
    m.put("--max-size-amplification-percent", EnumSet.of(Strategy.TIERED));
    m.put("--size-ratio-percent", EnumSet.of(Strategy.SIMPLE_LEVELED, Strategy.TIERED));
    // Max before min: any valid pair then passes CompactionOptions' check that min <= max.
    m.put("--max-merge-width", EnumSet.of(Strategy.TIERED));
    m.put("--min-merge-width", EnumSet.of(Strategy.TIERED));
    return m;
  }

  /** The simulation {@code args} describe. */
  static Config parse(List<String> args) throws UsageException {
    CompactionSimArgs parsed = new CompactionSimArgs();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "': compaction-sim takes only options");
      }
      int eq = arg.indexOf('=');
      String option = eq < 0 ? arg : arg.substring(0, eq);
      if (!MODEL_OPTIONS.contains(option) && !KNOBS.containsKey(option)) {
        throw new UsageException("unknown option " + option);
      }
      String value = ArgParsing.optionValue(args, i, option, eq);
      if (eq < 0) {
        i++;
      }
      if (KNOBS.containsKey(option)) {
        parsed.knobValues.put(option, value);
      } else {
        parsed.set(option, value);
      }
    }
    return parsed.build();
  }

  private void set(String option, String value) throws UsageException {
    switch (option) {
      case "--strategy" -> strategy = parseStrategy(value);
      case "--steps" -> steps = ArgParsing.parseInt(option, value, 1, MAX_STEPS);
      case "--keys" -> keys = ArgParsing.parseLong(option, value, 1, MAX_KEYS);
      case "--flush-mb" -> flushMib = ArgParsing.parseLong(option, value, 1, MAX_MIB);
      case "--live-mb" -> liveMib = ArgParsing.parseLong(option, value, 1, MAX_MIB);
      case "--target-sst-mb" -> targetSstMib = ArgParsing.parseLong(option, value, 1, MAX_MIB);
      default -> throw new IllegalStateException("option without a parser: " + option);
    }
  }

  static Strategy parseStrategy(String value) throws UsageException {
    return switch (value.strip()) {
      case "leveled" -> Strategy.LEVELED;
      case "tiered" -> Strategy.TIERED;
      case "simple-leveled" -> Strategy.SIMPLE_LEVELED;
      default -> throw new UsageException("--strategy: unknown strategy '" + value
          + "'; known: leveled, tiered, simple-leveled");
    };
  }

  /** The name {@code --strategy} takes for {@code strategy}. */
  static String strategyName(Strategy strategy) {
    return strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static CompactionOptions defaults(Strategy strategy) {
    return switch (strategy) {
      case LEVELED -> CompactionOptions.leveled();
      case TIERED -> CompactionOptions.tiered();
      case SIMPLE_LEVELED -> CompactionOptions.simpleLeveled();
      case NONE -> CompactionOptions.none();
    };
  }

  private Config build() throws UsageException {
    if (flushMib > liveMib) {
      throw new UsageException("--flush-mb " + flushMib + " exceeds --live-mb " + liveMib
          + ": a flush cannot hold more than the whole key space's live data");
    }
    if (liveMib * CompactionSimulator.MIB < keys) {
      throw new UsageException("--live-mb " + liveMib + " is less than one byte per key of --keys " + keys);
    }
    CompactionSimulator.Model model = new CompactionSimulator.Model(keys, flushMib * CompactionSimulator.MIB,
        liveMib * CompactionSimulator.MIB, targetSstMib * CompactionSimulator.MIB);
    return new Config(options(), model, steps);
  }

  private CompactionOptions options() throws UsageException {
    CompactionOptions o = defaults(strategy);
    for (Map.Entry<String, Set<Strategy>> knob : KNOBS.entrySet()) {
      String option = knob.getKey();
      String value = knobValues.get(option);
      if (value == null) {
        continue;
      }
      if (!knob.getValue().contains(strategy)) {
        throw new UsageException(option + " is a knob of " + names(knob.getValue()) + ", not of "
            + strategyName(strategy));
      }
      try {
        o = switch (option) {
          case "--level0-file-trigger" -> o.level0FileTrigger(ArgParsing.parseInt(option, value, 1, 1_000_000));
          case "--max-levels" -> o.maxLevels(ArgParsing.parseInt(option, value, 1, 32));
          case "--level-size-multiplier" -> o.levelSizeMultiplier(ArgParsing.parseInt(option, value, 2, 1_000_000));
          case "--base-level-mb" -> o.baseLevelBytes(ArgParsing.parseLong(option, value, 1, MAX_MIB)
              * CompactionSimulator.MIB);
          case "--num-tiers" -> o.numTiers(ArgParsing.parseInt(option, value, 2, 1_000_000));
          case "--max-size-amplification-percent" ->
              o.maxSizeAmplificationPercent(ArgParsing.parseInt(option, value, 1, 1_000_000));
          case "--size-ratio-percent" -> o.sizeRatioPercent(ArgParsing.parseInt(option, value, 1, 1_000_000));
          case "--max-merge-width" -> o.maxMergeWidth(ArgParsing.parseInt(option, value, 2, Integer.MAX_VALUE));
          case "--min-merge-width" -> o.minMergeWidth(ArgParsing.parseInt(option, value, 2, Integer.MAX_VALUE));
          default -> throw new IllegalStateException("knob without a setter: " + option);
        };
      } catch (IllegalArgumentException e) {
        throw new UsageException(option + ": " + e.getMessage());
      }
    }
    return o;
  }

  private static String names(Set<Strategy> strategies) {
    StringBuilder sb = new StringBuilder();
    for (Strategy s : strategies) {
      sb.append(sb.length() == 0 ? "" : " and ").append(strategyName(s));
    }
    return sb.toString();
  }
}
