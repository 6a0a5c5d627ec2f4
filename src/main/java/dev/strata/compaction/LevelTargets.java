package dev.strata.compaction;

import dev.strata.CompactionOptions;

/**
 * The leveled strategy's dynamic level sizes, public so that tools ({@code strata lsm}) report
 * compaction debt with the rule the {@link LeveledPicker} compacts by: the picker uses
 * {@link #of(LevelShape, CompactionOptions, long)} with its store's L0 batch, a tool that does not
 * know the memtable size the plain {@link #of(LevelShape, CompactionOptions)}. Stateless.
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

  /**
   * As {@link #of(LevelShape, CompactionOptions)}, then the levels from the base level down to the
   * last are spread evenly, on a log scale, between {@code level0Bytes} (what one L0 compaction
   * brings: level0FileTrigger flushes) and the last level's target; a level keeps the larger of
   * the two targets. With the base level at {@code b} and the last at {@code m}, the ratio is
   * {@code r = (target(m) / level0Bytes) ^ (1 / (m - b + 1))} and {@code target(i) =
   * max(rule(i), target(m) / r ^ (m - i))}.
   *
   * <p>Why: data crosses each level once, and a push from level {@code i} into {@code i + 1}
   * rewrites about {@code bytes(i + 1) / bytes(i)} bytes of the lower level per byte pushed, while
   * L0 rewrites about {@code bytes(base) / level0Bytes} of the base level per byte it brings. The sum
   * of those ratios is smallest when they are equal. The multiplier alone makes the last ratio 10
   * and the first one below 1 while the tree is a few GB (at 1.1 GB and 128 MiB L0 compactions,
   * the base level's 110 MiB against the last level's 1.1 GB); even ratios give 2.9 each. The
   * levels above the base stay empty, and the base level is where the multiplier puts it, so the
   * shape of the tree (how many levels hold data) is still RocksDB's. {@code level0Bytes <= 0}
   * gives the plain rule.
   */
  public static long[] of(LevelShape shape, CompactionOptions options, long level0Bytes) {
    long[] target = of(shape, options);
    int last = options.maxLevels();
    if (level0Bytes <= 0 || target[last] <= level0Bytes) {
      return target;
    }
    int base = baseLevel(target);
    double ratio = Math.pow((double) target[last] / level0Bytes, 1.0 / (last - base + 1));
    double size = target[last];
    for (int i = last - 1; i >= base; i--) {
      size /= ratio;
      double cap = options.baseLevelBytes() * Math.pow(options.levelSizeMultiplier(), i - base);
      target[i] = Math.max(target[i], (long) Math.min(size, cap));
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
