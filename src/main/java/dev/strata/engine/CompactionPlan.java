package dev.strata.engine;

import dev.strata.compaction.CompactionTask;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.SstFile;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A compaction about to run: the picker's task, its input files (upper levels first, L0 newest
 * first) with their levels, pinned by a read state reference until it is installed or abandoned.
 * A trivial move rewrites nothing: its files change level in the manifest only.
 *
 * <p>Thread-safety: immutable but for the cancellation flag, which any thread may set.
 */
public record CompactionPlan(ReadState pinned, CompactionTask task, List<SstFile> inputs, List<Integer> inputLevels,
    boolean full, boolean trivialMove, AtomicBoolean cancelled) {

  public int outputLevel() {
    return task.outputLevel();
  }

  /** Asks the running job to stop; it then fails with {@link CompactionCancelledException}. */
  public void cancel() {
    cancelled.set(true);
  }
}
