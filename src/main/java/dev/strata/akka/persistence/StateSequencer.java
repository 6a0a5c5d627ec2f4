package dev.strata.akka.persistence;

import dev.strata.Strata;
import java.util.function.LongFunction;

/**
 * Numbers a store's durable state changes with a store-wide ordering, the offset of {@code
 * changes} queries, and commits them one at a time so that commit order is ordering order: a live
 * query that has read ordering N never meets a smaller one later. The highest ordering lives in its
 * own key ({@link PersistenceKeys}), written in each change's transaction; a change that fails to
 * commit leaves a gap, never a reused number.
 *
 * <p>Thread-safe: {@link #serially} holds the sequencer's lock for the whole transaction, which
 * also means durable state updates of one store commit one after another.
 */
final class StateSequencer {
  private final CommitSignal signal = new CommitSignal();
  /** Guarded by {@code this}. */
  private long highestOrdering;

  StateSequencer(Strata store) {
    byte[] value = store.get(PersistenceKeys.highestStateOrdering());
    this.highestOrdering = value == null ? 0L : JournalRecords.readHighestOrdering(value);
  }

  CommitSignal signal() {
    return signal;
  }

  /**
   * Runs {@code change} (a transaction that writes its ordering and {@link
   * PersistenceKeys#highestStateOrdering()} and commits) with the next ordering, alone; then wakes the
   * live queries.
   */
  <T> T serially(LongFunction<T> change) {
    T result;
    synchronized (this) {
      result = change.apply(++highestOrdering);
    }
    signal.fire();
    return result;
  }
}
