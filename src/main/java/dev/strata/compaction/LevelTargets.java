package dev.strata.compaction;

import dev.strata.CompactionOptions;

/**
 * The leveled strategy's dynamic level sizes, public so that tools ({@code strata lsm}) report
 * compaction debt with the very rule the {@link LeveledPicker} compacts by. Stateless.
 */
public final class LevelTargets {
  private LevelTargets() {}

  /**
   * Target sizes of levels 1..maxLevels (index 0 unused), bottom-up. The last level's target is
   * max(its actual size, baseLevelBytes); each level above gets target(i + 1) / levelSizeMultiplier
   * as long as target(i + 1) > baseLevelBytes, and 0 from the first level where that fails
   * upwards. So the shallowest level with a non-zero target, the base level, ends up with a target
   * between baseLevelBytes / multiplier and baseLevelBytes, and levels above it are meant to be
   * empty. (mini-lsm's rule, applied to bytes.) Only the leveled knobs of {@code options} count.
   */
  public static long[] of(LevelShape shape, CompactionOptions options) {
    int maxLevels = options.maxLevels();
    long baseLevelBytes = options.baseLevelBytes();
    long[] target = new long[maxLevels + 1];
    target[maxLevels] = Math.max(shape.bytes(maxLevels), baseLevelBytes);
    for (int i = maxLevels - 1; i >= 1; i--) {
      target[i] = target[i + 1] > baseLevelBytes ? target[i + 1] / options.levelSizeMultiplier() : 0;
    }
    return target;
  }

  /** The shallowest level with a non-zero target in {@code target} (as {@link #of} returns): where L0 flushes into. */
  public static int baseLevel(long[] target) {
    int base = target.length - 1;
    while (base > 1 && target[base - 1] > 0) {
      base--;
    }
    return base;
  }
}
