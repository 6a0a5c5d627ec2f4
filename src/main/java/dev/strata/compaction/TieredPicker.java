package dev.strata.compaction;

import dev.strata.CompactionOptions;
import dev.strata.manifest.FileMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tiered compaction (RocksDB's universal compaction, as mini-lsm teaches it). Stateless,
 * thread-safe.
 *
 * <p>The shape is read as sorted runs, newest first: each L0 file is a run of its own (newest
 * file first), then each non-empty level {@code i >= 1} is one run (a tier), lower {@code i}
 * newer. A task always merges a prefix of those runs (the newest ones) and writes the result at
 * the level of the oldest run it took: a tier {@code >= 1}, whose newer tiers it empties; or, when
 * it took only L0 files, a new tier just above the shallowest existing one (level
 * {@code numTiers} when there is none), so that tiers live in levels 1..numTiers and stats show
 * one per level. When that level is taken (L1 already holds a tier) or some L0 files stay behind
 * (older ones, which must keep being read after the output), the output goes back to L0 as one
 * file. The task is bottommost when it takes the oldest run.
 */
final class TieredPicker implements CompactionPicker {
  private final int numTiers;
  private final int maxSizeAmplificationPercent;
  private final int sizeRatioPercent;
  private final int minMergeWidth;
  private final int maxMergeWidth;

  TieredPicker(CompactionOptions options) {
    this.numTiers = options.numTiers();
    this.maxSizeAmplificationPercent = options.maxSizeAmplificationPercent();
    this.sizeRatioPercent = options.sizeRatioPercent();
    this.minMergeWidth = options.minMergeWidth();
    this.maxMergeWidth = options.maxMergeWidth();
  }

  /** The deepest tier a merge of L0 files starts from when no tier exists yet. */
  private int bottomTier() {
    return numTiers;
  }

  /** One sorted run: a single L0 file, or a whole level. */
  private record Run(int level, List<FileMeta> files, long bytes) {
  }

  @Override
  public Optional<CompactionTask> pick(LevelShape shape) {
    List<Run> runs = runs(shape);
    int n = runs.size();
    // Nothing happens until there are numTiers sorted runs: below that, reads are cheap enough.
    if (n < numTiers) {
      return Optional.empty();
    }

    // Space amplification: the runs above the last one are, at worst, all overwrites of it. If
    // bytes(all runs but the last) * 100 / bytes(last run) >= maxSizeAmplificationPercent, merge
    // every run, which brings the estimate back to zero. Multiplied out to stay exact.
    long last = runs.get(n - 1).bytes();
    long rest = 0;
    for (int i = 0; i < n - 1; i++) {
      rest += runs.get(i).bytes();
    }
    if (rest * 100 >= (long) maxSizeAmplificationPercent * last) {
      String amp = last == 0 ? "unbounded" : rest * 100 / last + "%";
      return Optional.of(take(runs, n, "space amplification " + amp + " >= " + maxSizeAmplificationPercent + "%"));
    }

    // Size ratio (mini-lsm's formula): walk the runs newest first, summing the sizes of the first
    // w runs. As soon as the next run is bigger than that sum by more than sizeRatioPercent,
    // bytes(run w) * 100 > (100 + sizeRatioPercent) * bytes(runs 0..w-1), and w >= minMergeWidth,
    // the first w runs are peers worth merging while the next is not, so merge those w. Unlike
    // mini-lsm, which ignores maxMergeWidth here, the walk stops at maxMergeWidth runs, as
    // RocksDB's does.
    long prefix = 0;
    for (int w = 1; w < n && w <= maxMergeWidth; w++) {
      prefix += runs.get(w - 1).bytes();
      long next = runs.get(w).bytes();
      if (w >= minMergeWidth && next * 100 > (100L + sizeRatioPercent) * prefix) {
        return Optional.of(take(runs, w, "size ratio: next run " + next + " B > " + (100 + sizeRatioPercent)
            + "% of the first " + w + " runs (" + prefix + " B)"));
      }
    }

    // Reduce sorted runs: neither bound tripped, but there are too many runs for reads. Merge the
    // newest w = n - numTiers + 2 runs into one, which leaves numTiers - 1 runs, just under the
    // trigger; w is raised to minMergeWidth and capped at maxMergeWidth and n. (mini-lsm's
    // reference merges min(n, maxMergeWidth) runs here, which without a width cap rewrites
    // everything; RocksDB, like this, merges only enough to get back under the trigger.)
    int width = Math.min(n, Math.min(maxMergeWidth, Math.max(minMergeWidth, n - numTiers + 2)));
    return Optional.of(take(runs, width, "sorted runs " + n + " >= " + numTiers));
  }

  private static List<Run> runs(LevelShape shape) {
    List<Run> runs = new ArrayList<>();
    for (FileMeta f : shape.level(0)) {
      runs.add(new Run(0, List.of(f), f.size()));
    }
    for (int level = 1; level < shape.levelCount(); level++) {
      if (shape.fileCount(level) > 0) {
        runs.add(new Run(level, shape.level(level), shape.bytes(level)));
      }
    }
    return runs;
  }

  /** The newest {@code width} runs, grouped by level, written at the oldest one's level (see the class doc). */
  private CompactionTask take(List<Run> runs, int width, String reason) {
    List<FileMeta> l0 = new ArrayList<>();
    List<CompactionTask.Input> inputs = new ArrayList<>();
    for (Run run : runs.subList(0, width)) {
      if (run.level() == 0) {
        l0.addAll(run.files());
      } else {
        inputs.add(new CompactionTask.Input(run.level(), run.files()));
      }
    }
    inputs.add(0, new CompactionTask.Input(0, l0));
    int outputLevel = runs.get(width - 1).level();
    boolean tookAllOfL0 = width == runs.size() || runs.get(width).level() > 0;
    if (outputLevel == 0 && tookAllOfL0) {
      int shallowestTier = width < runs.size() ? runs.get(width).level() : bottomTier() + 1;
      if (shallowestTier > 1) {
        outputLevel = shallowestTier - 1;
      }
    }
    return CompactionTask.of(inputs, outputLevel, width == runs.size(), reason);
  }

  @Override
  public CompactionTask fullCompaction(LevelShape shape) {
    return CompactionTask.everything(shape, Math.max(bottomTier(), shape.deepestNonEmptyLevel()), "full compaction");
  }
}
