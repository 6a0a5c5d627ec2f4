package dev.strata.compaction;

import dev.strata.CompactionOptions;
import java.util.Optional;

/**
 * Decides what to compact next. A picker is a pure function of the shape it is given: it keeps
 * no state between calls, so one instance may be shared between threads.
 */
public interface CompactionPicker {

  /** The compaction the strategy wants now, or empty when the shape is within its bounds. */
  Optional<CompactionTask> pick(LevelShape shape);

  /**
   * A compaction of file {@code fileNumber}, which point lookups keep consulting in vain, for when
   * {@link #pick} wants nothing; empty when the strategy does not compact for reads or the file is
   * not in {@code shape}. Strategies without it inherit this empty default.
   */
  default Optional<CompactionTask> pickForReads(LevelShape shape, long fileNumber) {
    return Optional.empty();
  }

  /**
   * Everything into one sorted run at the bottom level, for {@code compact()}. The task is empty
   * when the shape holds no file.
   */
  CompactionTask fullCompaction(LevelShape shape);

  /** The picker for {@code options}' strategy. */
  static CompactionPicker of(CompactionOptions options) {
    return switch (options.strategy()) {
      case SIMPLE_LEVELED -> new SimpleLeveledPicker(options);
      case TIERED -> new TieredPicker(options);
      case LEVELED -> new LeveledPicker(options);
      case NONE -> new ManualOnlyPicker();
    };
  }
}
