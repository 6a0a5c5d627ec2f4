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
   * The compaction the strategy wants now that may run beside the {@code running} ones (picked
   * from this shape, not yet installed): it shares no input file with them and writes no key range
   * of a level that one of them writes. Empty when the strategy wants nothing more, or nothing
   * that can run beside them. Strategies that run one compaction at a time inherit this default,
   * which picks only when nothing runs.
   */
  default Optional<CompactionTask> pick(LevelShape shape, java.util.List<CompactionTask> running) {
    return running.isEmpty() ? pick(shape) : Optional.empty();
  }

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

  /** The picker for {@code options}' strategy, for flushes of unknown size. */
  static CompactionPicker of(CompactionOptions options) {
    return of(options, 0);
  }

  /**
   * The picker for {@code options}' strategy in a store whose flushes write about
   * {@code flushBytes} each (its memtable size; 0 when unknown): the leveled strategy sizes its
   * levels from what one L0 compaction brings (see {@link LevelTargets}).
   */
  static CompactionPicker of(CompactionOptions options, long flushBytes) {
    return switch (options.strategy()) {
      case SIMPLE_LEVELED -> new SimpleLeveledPicker(options);
      case TIERED -> new TieredPicker(options);
      case LEVELED -> new LeveledPicker(options, flushBytes);
      case NONE -> new ManualOnlyPicker();
    };
  }
}
