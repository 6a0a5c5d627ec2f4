package dev.strata.engine;

import dev.strata.StrataException;

/**
 * A background compaction stopped because the store is closing. Not an error: the inputs stay as
 * they were, the partial outputs are deleted, and the store does not enter its error state.
 */
public final class CompactionCancelledException extends StrataException {
  private static final long serialVersionUID = 1L;

  public CompactionCancelledException() {
    super("compaction cancelled: the store is closing");
  }
}
