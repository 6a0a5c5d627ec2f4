package dev.strata.compaction;

import java.util.Optional;

/**
 * The picker of {@code CompactionOptions.none()}: never compacts on its own; a full compaction
 * puts everything in L1, or in the deepest level already holding data if that is lower.
 */
final class ManualOnlyPicker implements CompactionPicker {

  @Override
  public Optional<CompactionTask> pick(LevelShape shape) {
    return Optional.empty();
  }

  @Override
  public CompactionTask fullCompaction(LevelShape shape) {
    return CompactionTask.everything(shape, Math.max(1, shape.deepestNonEmptyLevel()), "full compaction");
  }
}
