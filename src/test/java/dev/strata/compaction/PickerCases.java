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
 * The arguments set knobs of the strategy's defaults, left to right, and {@code flushBytes=N}
 * the flush size the picker is built for ({@link CompactionPicker#of(CompactionOptions, long)}).
 * Each {@code Ln:} line lists a level's files as {@code number:smallest-largest:size}; the handler
 * orders them as the manifest does (L0 newest first, other levels by smallest key). A
 * {@code running: L1[5] L2[7,8] -> L2} line (one per task, files named by number) lists
 * compactions already running: the pick must be one that may run beside them. The output is the
 * task ({@link CompactionTask#summary()}) or {@code none}.
 *
 * <p>The {@code targets} command takes the same input and prints the leveled targets
 * ({@link LevelTargets}) of levels 1 to maxLevels and the base level:
 * {@code L1=0 L2=100 L3=1000 base=L2}.
 */
final class PickerCases {
  private PickerCases() {
  }

  /** Runs every case of {@code compaction/<file>} against the picker of {@code defaults}' strategy. */
  static void run(String file, CompactionOptions defaults) {
    DataDriven.run("compaction/" + file, c -> pick(c, defaults));
  }

  private static String pick(DataDriven.TestCase c, CompactionOptions defaults) {
    if (!c.command().equals("pick") && !c.command().equals("targets")) {
      throw c.error("unknown command '" + c.command() + "' (known: pick, targets)");
    }
    CompactionOptions options = applyOptions(defaults, c);
    long flushBytes = c.keyValues().containsKey("flushBytes") ? Long.parseLong(c.keyValues().get("flushBytes")) : 0;
    List<List<FileMeta>> levels = new ArrayList<>();
    List<String> running = new ArrayList<>();
    for (String line : c.inputLines()) {
      if (line.strip().startsWith("running:")) {
        running.add(line.strip().substring("running:".length()).strip());
      } else {
        parseLevel(levels, line.strip(), c);
      }
    }
    LevelShape shape = LevelShape.of(levels);
    if (c.command().equals("targets")) {
      long level0Bytes = flushBytes * options.level0FileTrigger();
      long[] target = LevelTargets.of(shape, options, level0Bytes);
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i < target.length; i++) {
        sb.append('L').append(i).append('=').append(target[i]).append(' ');
      }
      return sb.append("base=L").append(LevelTargets.baseLevel(target)).toString();
    }
    List<CompactionTask> tasks = new ArrayList<>();
    for (String r : running) {
      tasks.add(parseTask(shape, r, c));
    }
    return CompactionPicker.of(options, flushBytes).pick(shape, tasks).map(CompactionTask::summary).orElse("none");
  }

  /** {@code L1[5] L2[7,8] -> L2}: a task over files of {@code shape}, by number. */
  private static CompactionTask parseTask(LevelShape shape, String text, DataDriven.TestCase c) {
    String[] sides = text.split("->");
    if (sides.length != 2 || !sides[1].strip().startsWith("L")) {
      throw c.error("a running task is 'Ln[a,b] Lm[c] -> Lk', not '" + text + "'");
    }
    List<CompactionTask.Input> inputs = new ArrayList<>();
    for (String in : sides[0].strip().split("\\s+")) {
      int open = in.indexOf('[');
      if (!in.startsWith("L") || open < 2 || !in.endsWith("]")) {
        throw c.error("a running task's input is 'Ln[a,b]', not '" + in + "'");
      }
      int level = Integer.parseInt(in.substring(1, open));
      List<FileMeta> files = new ArrayList<>();
      for (String n : in.substring(open + 1, in.length() - 1).split(",")) {
        long number = Long.parseLong(n.strip());
        files.add(shape.level(level).stream().filter(f -> f.number() == number).findFirst()
            .orElseThrow(() -> c.error("running task names file " + number + ", which L" + level + " does not hold")));
      }
      inputs.add(new CompactionTask.Input(level, files));
    }
    return new CompactionTask(inputs, Integer.parseInt(sides[1].strip().substring(1)), false, "running");
  }

  private static CompactionOptions applyOptions(CompactionOptions o, DataDriven.TestCase c) {
    for (Map.Entry<String, String> kv : c.keyValues().entrySet()) {
      if (kv.getKey().equals("flushBytes")) {
        continue;
      }
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
