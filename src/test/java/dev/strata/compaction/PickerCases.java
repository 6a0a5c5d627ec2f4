package dev.strata.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.CompactionOptions;
import dev.strata.manifest.FileMeta;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The harness of the data-driven picker tests: reads a case file from
 * {@code src/test/resources/compaction/}, runs each case through a picker and fails with every
 * case that disagrees, by line number.
 *
 * <p>A case file is a sequence of cases separated by blank lines; {@code #} lines are comments.
 * <pre>
 * # L0 over its trigger goes to L1 with everything in L1
 * options level0FileTrigger=2 sizeRatioPercent=200 maxLevels=3
 * L0: 1:a-c:100 2:b-d:100
 * L1: 3:a-z:500
 * ----
 * L0[1,2] L1[3] -> L1 bottommost=true
 * </pre>
 * {@code options} sets knobs of the strategy's defaults, left to right. Each {@code Ln:} line lists
 * a level's files as {@code number:smallest-largest:size}; the harness orders them as the manifest
 * does (L0 newest first, other levels by smallest key). After {@code ----} comes the expected
 * task ({@link CompactionTask#summary()}) or {@code none}.
 */
final class PickerCases {
  private PickerCases() {
  }

  /** One parsed case. */
  record Case(int line, String title, CompactionOptions options, LevelShape shape, String expected) {
  }

  static void runAll(String resource, CompactionOptions defaults) throws IOException {
    List<Case> cases = parse(resource, defaults);
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      String actual = CompactionPicker.of(c.options()).pick(c.shape()).map(CompactionTask::summary).orElse("none");
      if (!actual.equals(c.expected())) {
        failures.add(resource + ":" + c.line() + " (" + c.title() + ")\n  expected: " + c.expected()
            + "\n  actual:   " + actual);
      }
    }
    assertEquals("", String.join("\n", failures), failures.size() + " of " + cases.size() + " cases failed");
  }

  static List<Case> parse(String resource, CompactionOptions defaults) throws IOException {
    String text;
    try (InputStream in = PickerCases.class.getResourceAsStream("/compaction/" + resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource compaction/" + resource);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<Case> cases = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    int start = -1;
    String title = "";
    CompactionOptions options = defaults;
    List<List<FileMeta>> levels = new ArrayList<>();
    boolean expectNext = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      int lineNo = i + 1;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        if (start < 0) {
          title = line.substring(1).strip();
        }
        continue;
      }
      if (start < 0) {
        start = lineNo;
        options = defaults;
        levels = new ArrayList<>();
      }
      if (expectNext) {
        cases.add(new Case(start, title, options, LevelShape.of(levels), line));
        start = -1;
        title = "";
        expectNext = false;
      } else if (line.equals("----")) {
        expectNext = true;
      } else if (line.startsWith("options")) {
        options = applyOptions(options, line.substring("options".length()).strip(), resource, lineNo);
      } else if (line.startsWith("L") && line.contains(":")) {
        parseLevel(levels, line, resource, lineNo);
      } else {
        throw new IllegalArgumentException(resource + ":" + lineNo + ": cannot read '" + line + "'");
      }
    }
    if (start >= 0) {
      throw new IllegalArgumentException(resource + ":" + start + ": case has no expected result");
    }
    return cases;
  }

  private static CompactionOptions applyOptions(CompactionOptions o, String knobs, String resource, int lineNo) {
    for (String knob : knobs.split("\\s+")) {
      if (knob.isEmpty()) {
        continue;
      }
      String[] kv = knob.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException(resource + ":" + lineNo + ": knob without value: " + knob);
      }
      long v = Long.parseLong(kv[1]);
      o = switch (kv[0]) {
        case "sizeRatioPercent" -> o.sizeRatioPercent((int) v);
        case "level0FileTrigger" -> o.level0FileTrigger((int) v);
        case "maxLevels" -> o.maxLevels((int) v);
        case "numTiers" -> o.numTiers((int) v);
        case "maxSizeAmplificationPercent" -> o.maxSizeAmplificationPercent((int) v);
        case "minMergeWidth" -> o.minMergeWidth((int) v);
        case "maxMergeWidth" -> o.maxMergeWidth((int) v);
        case "levelSizeMultiplier" -> o.levelSizeMultiplier((int) v);
        case "baseLevelBytes" -> o.baseLevelBytes(v);
        default -> throw new IllegalArgumentException(resource + ":" + lineNo + ": unknown knob " + kv[0]);
      };
    }
    return o;
  }

  private static void parseLevel(List<List<FileMeta>> levels, String line, String resource, int lineNo) {
    int colon = line.indexOf(':');
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
        throw new IllegalArgumentException(resource + ":" + lineNo + ": file is not number:smallest-largest:size: "
            + spec);
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
