package dev.strata.compaction;

import dev.strata.CompactionOptions;
import dev.strata.manifest.FileMeta;
import dev.strata.testing.DataDriven;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The {@code pick} command of the picker case files ({@code src/test/resources/compaction/}, run
 * by {@link DataDriven}): a level shape in, the task the strategy's picker asks for out.
 * <pre>
 * # L0 over its trigger goes to L1 with everything in L1
 * pick level0FileTrigger=2 sizeRatioPercent=200 maxLevels=3
 * L0: 1:a-c:100 2:b-d:100
 * L1: 3:a-z:500
 * ----
 * L0[2,1] L1[3] -> L1 bottommost=true
 * </pre>
 * The arguments set knobs of the strategy's defaults, left to right. Each {@code Ln:} line lists
 * a level's files as {@code number:smallest-largest:size}; the handler orders them as the manifest
 * does (L0 newest first, other levels by smallest key). The output is the task
 * ({@link CompactionTask#summary()}) or {@code none}.
 */
final class PickerCases {
  private PickerCases() {
  }

  /** Runs every case of {@code compaction/<file>} against the picker of {@code defaults}' strategy. */
  static void run(String file, CompactionOptions defaults) {
    DataDriven.run("compaction/" + file, c -> pick(c, defaults));
  }

  private static String pick(DataDriven.TestCase c, CompactionOptions defaults) {
    if (!c.command().equals("pick")) {
      throw c.error("unknown command '" + c.command() + "' (known: pick)");
    }
    CompactionOptions options = applyOptions(defaults, c);
    List<List<FileMeta>> levels = new ArrayList<>();
    for (String line : c.inputLines()) {
      parseLevel(levels, line.strip(), c);
    }
    return CompactionPicker.of(options).pick(LevelShape.of(levels)).map(CompactionTask::summary).orElse("none");
  }

  private static CompactionOptions applyOptions(CompactionOptions o, DataDriven.TestCase c) {
    for (Map.Entry<String, String> kv : c.keyValues().entrySet()) {
      long v = Long.parseLong(kv.getValue());
      o = switch (kv.getKey()) {
        case "sizeRatioPercent" -> o.sizeRatioPercent((int) v);
        case "level0FileTrigger" -> o.level0FileTrigger((int) v);
        case "maxLevels" -> o.maxLevels((int) v);
        case "numTiers" -> o.numTiers((int) v);
        case "maxSizeAmplificationPercent" -> o.maxSizeAmplificationPercent((int) v);
        case "minMergeWidth" -> o.minMergeWidth((int) v);
        case "maxMergeWidth" -> o.maxMergeWidth((int) v);
        case "levelSizeMultiplier" -> o.levelSizeMultiplier((int) v);
        case "baseLevelBytes" -> o.baseLevelBytes(v);
        default -> throw c.error("unknown knob " + kv.getKey());
      };
    }
    return o;
  }

  private static void parseLevel(List<List<FileMeta>> levels, String line, DataDriven.TestCase c) {
    int colon = line.indexOf(':');
    if (!line.startsWith("L") || colon < 2) {
      throw c.error("cannot read '" + line + "': a level is 'Ln: number:smallest-largest:size ...'");
    }
    int level = Integer.parseInt(line.substring(1, colon));
    while (levels.size() <= level) {
      levels.add(new ArrayList<>());
    }
    for (String spec : line.substring(colon + 1).strip().split("\\s+")) {
      if (spec.isEmpty()) {
        continue;
      }
      String[] parts = spec.split(":");
      String[] range = parts.length == 3 ? parts[1].split("-") : new String[0];
      if (range.length != 2) {
        throw c.error("file is not number:smallest-largest:size: " + spec);
      }
      levels.get(level).add(file(level, Long.parseLong(parts[0]), range[0], range[1], Long.parseLong(parts[2])));
    }
    if (level == 0) {
      levels.get(0).sort(Comparator.comparingLong(FileMeta::number).reversed());
    } else {
      levels.get(level).sort((a, b) -> Arrays.compareUnsigned(a.smallestKey(), b.smallestKey()));
    }
  }

  /** A file whose sequences are its number, which is enough for pickers. */
  static FileMeta file(int level, long number, String smallest, String largest, long size) {
    return new FileMeta(level, number, size, smallest.getBytes(StandardCharsets.UTF_8),
        largest.getBytes(StandardCharsets.UTF_8), number, number);
  }
}
