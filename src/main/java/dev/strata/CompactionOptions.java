package dev.strata;

/**
 * Which compaction strategy runs in the background, and its knobs. Immutable: each knob method
 * returns a copy with that knob changed, so {@code CompactionOptions.leveled().levelSizeMultiplier(8)}
 * reads as a sentence.
 *
 * <p>Knobs, by strategy (a knob that belongs to another strategy is kept but ignored):
 * <ul>
 *   <li>simple leveled: {@link #sizeRatioPercent}, {@link #level0FileTrigger}, {@link #maxLevels};
 *   <li>tiered: {@link #numTiers}, {@link #maxSizeAmplificationPercent}, {@link #sizeRatioPercent},
 *       {@link #minMergeWidth}, {@link #maxMergeWidth};
 *   <li>leveled (dynamic level sizes): {@link #levelSizeMultiplier}, {@link #level0FileTrigger},
 *       {@link #maxLevels}, {@link #baseLevelBytes}.
 * </ul>
 */
public final class CompactionOptions {
  /** The strategy. */
  public enum Strategy { LEVELED, TIERED, SIMPLE_LEVELED, NONE }

  private final Strategy strategy;
  private final int sizeRatioPercent;
  private final int level0FileTrigger;
  private final int maxLevels;
  private final int numTiers;
  private final int maxSizeAmplificationPercent;
  private final int minMergeWidth;
  private final int maxMergeWidth;
  private final int levelSizeMultiplier;
  private final long baseLevelBytes;
  private final int level0SlowdownWritesTrigger;
  private final int level0StopWritesTrigger;

  private CompactionOptions(Strategy strategy, int sizeRatioPercent, int level0FileTrigger, int maxLevels,
      int numTiers, int maxSizeAmplificationPercent, int minMergeWidth, int maxMergeWidth,
      int levelSizeMultiplier, long baseLevelBytes, int level0SlowdownWritesTrigger, int level0StopWritesTrigger) {
    this.strategy = strategy;
    this.sizeRatioPercent = sizeRatioPercent;
    this.level0FileTrigger = level0FileTrigger;
    this.maxLevels = maxLevels;
    this.numTiers = numTiers;
    this.maxSizeAmplificationPercent = maxSizeAmplificationPercent;
    this.minMergeWidth = minMergeWidth;
    this.maxMergeWidth = maxMergeWidth;
    this.levelSizeMultiplier = levelSizeMultiplier;
    this.baseLevelBytes = baseLevelBytes;
    this.level0SlowdownWritesTrigger = level0SlowdownWritesTrigger;
    this.level0StopWritesTrigger = level0StopWritesTrigger;
  }

  private static CompactionOptions of(Strategy s) {
    // Defaults follow RocksDB's: L0 trigger 4, 7 levels, x10 per level, 256 MiB base level,
    // universal compaction's 200% size amplification and 1% size ratio; the write stall triggers
    // are LevelDB's (8 L0 files slow writes, 12 stop them).
    int ratio = s == Strategy.TIERED ? 1 : 200;
    return new CompactionOptions(s, ratio, 4, 7, 8, 200, 2, Integer.MAX_VALUE, 10, 256L << 20, 8, 12);
  }

  /** Leveled compaction with dynamic level sizes: the default. */
  public static CompactionOptions leveled() {
    return of(Strategy.LEVELED);
  }

  /** Tiered (universal) compaction. */
  public static CompactionOptions tiered() {
    return of(Strategy.TIERED);
  }

  /** Simple leveled compaction: whole levels merge into the next when their size ratio is off. */
  public static CompactionOptions simpleLeveled() {
    return of(Strategy.SIMPLE_LEVELED);
  }

  /** No automatic compaction; {@code compact()} still works. */
  public static CompactionOptions none() {
    return of(Strategy.NONE);
  }

  public Strategy strategy() {
    return strategy;
  }

  public int sizeRatioPercent() {
    return sizeRatioPercent;
  }

  public int level0FileTrigger() {
    return level0FileTrigger;
  }

  public int maxLevels() {
    return maxLevels;
  }

  public int numTiers() {
    return numTiers;
  }

  public int maxSizeAmplificationPercent() {
    return maxSizeAmplificationPercent;
  }

  public int minMergeWidth() {
    return minMergeWidth;
  }

  public int maxMergeWidth() {
    return maxMergeWidth;
  }

  public int levelSizeMultiplier() {
    return levelSizeMultiplier;
  }

  public long baseLevelBytes() {
    return baseLevelBytes;
  }

  /** Simple leveled: lower level size / upper level size below this (percent) triggers a merge; tiered: size ratio. */
  public CompactionOptions sizeRatioPercent(int percent) {
    positive("sizeRatioPercent", percent);
    return new CompactionOptions(strategy, percent, level0FileTrigger, maxLevels, numTiers,
        maxSizeAmplificationPercent, minMergeWidth, maxMergeWidth, levelSizeMultiplier, baseLevelBytes, level0SlowdownWritesTrigger, level0StopWritesTrigger);
  }

  /** Number of L0 files that triggers a compaction out of L0. */
  public CompactionOptions level0FileTrigger(int files) {
    positive("level0FileTrigger", files);
    return new CompactionOptions(strategy, sizeRatioPercent, files, maxLevels, numTiers,
        maxSizeAmplificationPercent, minMergeWidth, maxMergeWidth, levelSizeMultiplier, baseLevelBytes, level0SlowdownWritesTrigger, level0StopWritesTrigger);
  }

  /** Levels below L0. */
  public CompactionOptions maxLevels(int levels) {
    if (levels < 1 || levels > 32) {
      throw new IllegalArgumentException("maxLevels must be between 1 and 32, got " + levels);
    }
    return new CompactionOptions(strategy, sizeRatioPercent, level0FileTrigger, levels, numTiers,
        maxSizeAmplificationPercent, minMergeWidth, maxMergeWidth, levelSizeMultiplier, baseLevelBytes, level0SlowdownWritesTrigger, level0StopWritesTrigger);
  }

  /** Tiered: the number of tiers (sorted runs) that triggers a compaction. */
  public CompactionOptions numTiers(int tiers) {
    if (tiers < 2) {
      throw new IllegalArgumentException("numTiers must be at least 2, got " + tiers);
    }
    return new CompactionOptions(strategy, sizeRatioPercent, level0FileTrigger, maxLevels, tiers,
        maxSizeAmplificationPercent, minMergeWidth, maxMergeWidth, levelSizeMultiplier, baseLevelBytes, level0SlowdownWritesTrigger, level0StopWritesTrigger);
  }

  /** Tiered: all runs but the last over the last, in percent, above which everything is merged. */
  public CompactionOptions maxSizeAmplificationPercent(int percent) {
    positive("maxSizeAmplificationPercent", percent);
    return new CompactionOptions(strategy, sizeRatioPercent, level0FileTrigger, maxLevels, numTiers,
        percent, minMergeWidth, maxMergeWidth, levelSizeMultiplier, baseLevelBytes, level0SlowdownWritesTrigger, level0StopWritesTrigger);
  }

  /** Tiered: fewest runs a size-ratio merge takes. */
  public CompactionOptions minMergeWidth(int width) {
    if (width < 2 || width > maxMergeWidth) {
      throw new IllegalArgumentException("minMergeWidth must be between 2 and maxMergeWidth (" + maxMergeWidth
          + "), got " + width);
    }
    return new CompactionOptions(strategy, sizeRatioPercent, level0FileTrigger, maxLevels, numTiers,
        maxSizeAmplificationPercent, width, maxMergeWidth, levelSizeMultiplier, baseLevelBytes, level0SlowdownWritesTrigger, level0StopWritesTrigger);
  }

  /** Tiered: most runs a size-ratio merge takes. */
  public CompactionOptions maxMergeWidth(int width) {
    if (width < minMergeWidth) {
      throw new IllegalArgumentException("maxMergeWidth must be at least minMergeWidth (" + minMergeWidth
          + "), got " + width);
    }
    return new CompactionOptions(strategy, sizeRatioPercent, level0FileTrigger, maxLevels, numTiers,
        maxSizeAmplificationPercent, minMergeWidth, width, levelSizeMultiplier, baseLevelBytes, level0SlowdownWritesTrigger, level0StopWritesTrigger);
  }

  /** Leveled: each level's target is this many times the one above. */
  public CompactionOptions levelSizeMultiplier(int multiplier) {
    if (multiplier < 2) {
      throw new IllegalArgumentException("levelSizeMultiplier must be at least 2, got " + multiplier);
    }
    return new CompactionOptions(strategy, sizeRatioPercent, level0FileTrigger, maxLevels, numTiers,
        maxSizeAmplificationPercent, minMergeWidth, maxMergeWidth, multiplier, baseLevelBytes, level0SlowdownWritesTrigger, level0StopWritesTrigger);
  }

  /** Leveled: the target size of the first non-empty level below L0. */
  public CompactionOptions baseLevelBytes(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("baseLevelBytes must be positive, got " + bytes);
    }
    return new CompactionOptions(strategy, sizeRatioPercent, level0FileTrigger, maxLevels, numTiers,
        maxSizeAmplificationPercent, minMergeWidth, maxMergeWidth, levelSizeMultiplier, bytes, level0SlowdownWritesTrigger, level0StopWritesTrigger);
  }

  public int level0SlowdownWritesTrigger() {
    return level0SlowdownWritesTrigger;
  }

  public int level0StopWritesTrigger() {
    return level0StopWritesTrigger;
  }

  /**
   * Every strategy: from this many L0 files on, writes lose their fast path and go one by one
   * through the writer actor, so that flushes slow down while compaction catches up.
   */
  public CompactionOptions level0SlowdownWritesTrigger(int files) {
    if (files < 1 || files > level0StopWritesTrigger) {
      throw new IllegalArgumentException("level0SlowdownWritesTrigger must be between 1 and level0StopWritesTrigger ("
          + level0StopWritesTrigger + "), got " + files);
    }
    return new CompactionOptions(strategy, sizeRatioPercent, level0FileTrigger, maxLevels, numTiers,
        maxSizeAmplificationPercent, minMergeWidth, maxMergeWidth, levelSizeMultiplier, baseLevelBytes, files,
        level0StopWritesTrigger);
  }

  /**
   * Every strategy: at this many L0 files no memtable is flushed until compaction brings L0 back
   * under it; once the frozen memtables are full, writes wait in the writer's mailbox. They are
   * held, never dropped or failed.
   */
  public CompactionOptions level0StopWritesTrigger(int files) {
    if (files < level0SlowdownWritesTrigger) {
      throw new IllegalArgumentException("level0StopWritesTrigger must be at least level0SlowdownWritesTrigger ("
          + level0SlowdownWritesTrigger + "), got " + files);
    }
    return new CompactionOptions(strategy, sizeRatioPercent, level0FileTrigger, maxLevels, numTiers,
        maxSizeAmplificationPercent, minMergeWidth, maxMergeWidth, levelSizeMultiplier, baseLevelBytes,
        level0SlowdownWritesTrigger, files);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  @Override
  public String toString() {
    String stalls = ", l0Slowdown=" + level0SlowdownWritesTrigger + ", l0Stop=" + level0StopWritesTrigger;
    return switch (strategy) {
      case LEVELED -> "leveled(multiplier=" + levelSizeMultiplier + ", l0Trigger=" + level0FileTrigger
          + ", maxLevels=" + maxLevels + ", baseLevelBytes=" + baseLevelBytes + stalls + ")";
      case TIERED -> "tiered(tiers=" + numTiers + ", maxSizeAmp=" + maxSizeAmplificationPercent + "%, sizeRatio="
          + sizeRatioPercent + "%, mergeWidth=" + minMergeWidth + ".." + maxMergeWidth + stalls + ")";
      case SIMPLE_LEVELED -> "simpleLeveled(sizeRatio=" + sizeRatioPercent + "%, l0Trigger=" + level0FileTrigger
          + ", maxLevels=" + maxLevels + stalls + ")";
      case NONE -> "none(" + stalls.substring(2) + ")";
    };
  }
}
