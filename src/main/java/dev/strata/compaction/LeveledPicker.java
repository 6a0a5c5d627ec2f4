package dev.strata.compaction;

import dev.strata.CompactionOptions;
import dev.strata.manifest.FileMeta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Leveled compaction with dynamic level sizes (RocksDB's {@code level_compaction_dynamic_level_bytes},
 * as mini-lsm teaches it): level targets are derived from the last level's actual size, and one
 * file at a time moves down into the files it overlaps. Stateless, thread-safe.
 */
final class LeveledPicker implements CompactionPicker {
  private final int level0FileTrigger;
  private final int maxLevels;
  private final CompactionOptions options;

  LeveledPicker(CompactionOptions options) {
    this.level0FileTrigger = options.level0FileTrigger();
    this.maxLevels = options.maxLevels();
    this.options = options;
  }

  /** Target sizes of levels 1..maxLevels (index 0 unused): see {@link LevelTargets#of}. */
  long[] targets(LevelShape shape) {
    return LevelTargets.of(shape, options);
  }

  /** The shallowest level with a non-zero target: where L0 flushes into. */
  int baseLevel(LevelShape shape) {
    return LevelTargets.baseLevel(targets(shape));
  }

  @Override
  public Optional<CompactionTask> pick(LevelShape shape) {
    long[] target = targets(shape);
    int base = baseLevel(shape);

    // L0 first: with level0FileTrigger files, all of L0 and the files of the base level they
    // overlap merge into the base level. If a level above the base still holds data (the last
    // level shrank and the base moved down), L0 goes to that level instead: writing under it
    // would put newer data below older data.
    int l0Files = shape.fileCount(0);
    if (l0Files >= level0FileTrigger) {
      return Optional.of(level0Compaction(shape, base,
          "L0 file count " + l0Files + " >= " + level0FileTrigger + ", base level L" + base));
    }

    // Otherwise the level furthest over its target: priority = actual / target, compacted when
    // > 1.0, highest first (the upper level on a tie). A level with data but a target of 0 (above
    // the base level) has infinite priority. The last level's target is at least its size, so it
    // is never picked. From the chosen level, the oldest file (smallest number) moves down, merged
    // with the files of the next level it overlaps.
    int chosen = -1;
    double best = 1.0;
    for (int i = 1; i < maxLevels; i++) {
      long actual = shape.bytes(i);
      if (actual == 0) {
        continue;
      }
      double priority = target[i] == 0 ? Double.POSITIVE_INFINITY : (double) actual / target[i];
      if (priority > best) {
        chosen = i;
        best = priority;
      }
    }
    if (chosen < 0) {
      return Optional.empty();
    }
    FileMeta oldest = shape.level(chosen).get(0);
    for (FileMeta f : shape.level(chosen)) {
      if (f.number() < oldest.number()) {
        oldest = f;
      }
    }
    String ratio = target[chosen] == 0 ? "above base level L" + base
        : String.format("%d/%d B = %.2f", shape.bytes(chosen), target[chosen], best);
    return Optional.of(intoNextLevel(shape, chosen, oldest, "L" + chosen + " over target: " + ratio));
  }

  /** {@code file} of {@code level} merged with the files of the next level it overlaps, into that level. */
  private static CompactionTask intoNextLevel(LevelShape shape, int level, FileMeta file, String reason) {
    int output = level + 1;
    return CompactionTask.of(List.of(new CompactionTask.Input(level, List.of(file)),
        new CompactionTask.Input(output, overlapping(shape.level(output), List.of(file)))), output,
        shape.nothingBelow(output), reason);
  }

  /**
   * All of L0 and the files of the base level they overlap, merged into the base level. If a level
   * above the base still holds data (the last level shrank and the base moved down), L0 goes to
   * that level instead: writing under it would put newer data below older data.
   */
  private CompactionTask level0Compaction(LevelShape shape, int base, String reason) {
    int output = base;
    for (int i = 1; i < base; i++) {
      if (shape.fileCount(i) > 0) {
        output = i;
        break;
      }
    }
    List<FileMeta> l0 = shape.level(0);
    return CompactionTask.of(List.of(new CompactionTask.Input(0, l0),
        new CompactionTask.Input(output, overlapping(shape.level(output), l0))), output, shape.nothingBelow(output),
        reason);
  }

  /**
   * An L0 file takes all of L0 down with it (an older L0 file left behind could hold versions
   * older than the ones moved below it); a file of a level above the last moves into the files
   * it overlaps one level down. A file of the last level has nowhere to go.
   */
  @Override
  public Optional<CompactionTask> pickForReads(LevelShape shape, long fileNumber) {
    for (int level = 0; level < maxLevels && level < shape.levelCount(); level++) {
      for (FileMeta f : shape.level(level)) {
        if (f.number() != fileNumber) {
          continue;
        }
        String reason = "lookups consulted SST " + fileNumber + " in vain";
        if (level == 0) {
          int base = baseLevel(shape);
          return Optional.of(level0Compaction(shape, base, reason + ", base level L" + base));
        }
        return Optional.of(intoNextLevel(shape, level, f, reason));
      }
    }
    return Optional.empty();
  }

  /** Files of {@code level} whose key range meets the span [min smallest, max largest] of {@code upper}. */
  private static List<FileMeta> overlapping(List<FileMeta> level, List<FileMeta> upper) {
    byte[] lo = upper.get(0).smallestKey();
    byte[] hi = upper.get(0).largestKey();
    for (FileMeta f : upper) {
      if (Arrays.compareUnsigned(f.smallestKey(), lo) < 0) {
        lo = f.smallestKey();
      }
      if (Arrays.compareUnsigned(f.largestKey(), hi) > 0) {
        hi = f.largestKey();
      }
    }
    List<FileMeta> out = new ArrayList<>();
    for (FileMeta f : level) {
      if (Arrays.compareUnsigned(f.largestKey(), lo) >= 0 && Arrays.compareUnsigned(f.smallestKey(), hi) <= 0) {
        out.add(f);
      }
    }
    return out;
  }

  @Override
  public CompactionTask fullCompaction(LevelShape shape) {
    return CompactionTask.everything(shape, Math.max(maxLevels, shape.deepestNonEmptyLevel()), "full compaction");
  }
}
