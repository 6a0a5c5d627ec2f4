package dev.strata.compaction;

import dev.strata.CompactionOptions;
import java.util.List;
import java.util.Optional;

/**
 * Simple leveled compaction (mini-lsm's "simple leveled"): levels 1..maxLevels each hold one
 * sorted run, and a compaction always merges two whole adjacent levels. Stateless, thread-safe.
 */
final class SimpleLeveledPicker implements CompactionPicker {
  private final int level0FileTrigger;
  private final int sizeRatioPercent;
  private final int maxLevels;

  SimpleLeveledPicker(CompactionOptions options) {
    this.level0FileTrigger = options.level0FileTrigger();
    this.sizeRatioPercent = options.sizeRatioPercent();
    this.maxLevels = options.maxLevels();
  }

  @Override
  public Optional<CompactionTask> pick(LevelShape shape) {
    // L0 trigger: once L0 holds level0FileTrigger files, all of L0 and all of L1 merge into L1.
    // mini-lsm also asks L1/L0 to be under the size ratio here; we do not, because L0 files
    // overlap and every one of them costs each read, whatever L1 weighs.
    int l0Files = shape.fileCount(0);
    if (l0Files >= level0FileTrigger) {
      return Optional.of(merge(shape, 0, "L0 file count " + l0Files + " >= " + level0FileTrigger));
    }
    // Size ratio: for the first upper level i in 1..maxLevels-1 that holds data, if
    // bytes(i+1) / bytes(i) * 100 < sizeRatioPercent the lower level is too small to absorb the
    // upper one cheaply later, so both merge into level i+1 now. Computed as
    // lower * 100 < sizeRatioPercent * upper to stay in exact integer arithmetic.
    for (int upper = 1; upper < maxLevels; upper++) {
      long upperBytes = shape.bytes(upper);
      long lowerBytes = shape.bytes(upper + 1);
      if (upperBytes > 0 && lowerBytes * 100 < (long) sizeRatioPercent * upperBytes) {
        return Optional.of(merge(shape, upper, "L" + (upper + 1) + "/L" + upper + " = " + lowerBytes * 100 / upperBytes
            + "% < " + sizeRatioPercent + "%"));
      }
    }
    return Optional.empty();
  }

  private static CompactionTask merge(LevelShape shape, int upper, String reason) {
    int lower = upper + 1;
    return CompactionTask.of(List.of(new CompactionTask.Input(upper, shape.level(upper)),
        new CompactionTask.Input(lower, shape.level(lower))), lower, shape.nothingBelow(lower), reason);
  }

  @Override
  public CompactionTask fullCompaction(LevelShape shape) {
    return CompactionTask.everything(shape, Math.max(maxLevels, shape.deepestNonEmptyLevel()), "full compaction");
  }
}
