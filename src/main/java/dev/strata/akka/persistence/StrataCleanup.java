package dev.strata.akka.persistence;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.Transaction;
import dev.strata.TransactionConflictException;
import dev.strata.WriteBatch;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Deletes what the persistence plugins keep of persistence ids, as {@code EventSourcedCleanup} and
 * {@code DurableStateCleanup} do for Akka's JDBC and R2DBC plugins: all the events of an id (keeping
 * or resetting its sequence numbers), the events a snapshot makes unnecessary, its snapshots, its
 * durable state.
 *
 * <pre>{@code
 * StrataCleanup cleanup = StrataCleanup.create(system);
 * cleanup.deleteAll(List.of("cart-1", "cart-2"), true).toCompletableFuture().join();
 * }</pre>
 *
 * <p>It works on the stores the plugins are configured with (their {@code store} key, opened
 * through {@code StrataExtension}, so the same instances the plugins use), and runs on the journal's
 * {@code plugin-dispatcher}. Use it for ids whose actors are not running: a running persistent actor
 * keeps its state in memory, and keeps writing after its sequence number. A delete of many records is
 * written in batches of {@value #DELETE_BATCH}, oldest first: a crash part-way leaves a shorter prefix
 * deleted, and running the call again finishes it. Thread-safe.
 */
public final class StrataCleanup {
  /** Records deleted per write batch: bounds the batch, and the memory of its keys. */
  static final int DELETE_BATCH = 4096;
  /** Commits lost in a row before a state delete gives up, as {@link StrataDurableStateStore}. */
  private static final int MAX_ATTEMPTS = 16;

  private final Strata journal;
  private final Strata snapshots;
  private final Strata state;
  private final Executor executor;

  private StrataCleanup(Strata journal, Strata snapshots, Strata state, Executor executor) {
    this.journal = journal;
    this.snapshots = snapshots;
    this.state = state;
    this.executor = executor;
  }

  /** Cleanup for the plugins at their default paths: {@code strata.persistence.journal}, {@code .snapshot-store}, {@code .state}. */
  public static StrataCleanup create(ActorSystem<?> system) {
    return create(system, "strata.persistence.journal", "strata.persistence.snapshot-store", "strata.persistence.state");
  }

  /** Cleanup for the plugins configured at these paths (copies of Strata's plugin blocks). */
  public static StrataCleanup create(ActorSystem<?> system, String journalPath, String snapshotStorePath,
      String statePath) {
    Objects.requireNonNull(system, "system must not be null");
    PluginSettings journalSettings = settings(system, journalPath);
    akka.actor.ActorSystem classic = Adapter.toClassic(system);
    return new StrataCleanup(journalSettings.openStore(classic), settings(system, snapshotStorePath).openStore(classic),
        settings(system, statePath).openStore(classic), classic.dispatchers().lookup(journalSettings.dispatcherId()));
  }

  private static PluginSettings settings(ActorSystem<?> system, String path) {
    Objects.requireNonNull(path, "plugin config path must not be null");
    if (!system.settings().config().hasPath(path)) {
      throw new IllegalArgumentException("no persistence plugin configured at '" + path + "'");
    }
    return PluginSettings.fromConfig(system.settings().config().getConfig(path), path);
  }

  /**
   * Deletes every event of {@code persistenceId}. With {@code resetSequenceNumber} its highest
   * sequence number goes too, and the id starts again at 1, as if it had never been used; without, an
   * actor of that id carries on after its old sequence numbers (with nothing to replay).
   */
  public CompletionStage<Done> deleteAllEvents(String persistenceId, boolean resetSequenceNumber) {
    return async(() -> {
      deleteEvents(persistenceId, Long.MAX_VALUE, resetSequenceNumber);
      return Done.getInstance();
    });
  }

  /**
   * Deletes the events of {@code persistenceId} up to and including the sequence number of its latest
   * snapshot: a recovery starts from that snapshot and replays only the events after it. Nothing
   * when the id has no snapshot. The sequence numbers are kept.
   */
  public CompletionStage<Done> deleteEventsBeforeSnapshot(String persistenceId) {
    return async(() -> {
      Optional<Long> latest = latestSnapshotSequenceNr(persistenceId);
      if (latest.isPresent()) {
        deleteEvents(persistenceId, latest.get(), false);
      }
      return Done.getInstance();
    });
  }

  /** Deletes every snapshot of {@code persistenceId}. */
  public CompletionStage<Done> deleteAllSnapshots(String persistenceId) {
    return async(() -> {
      deleteAllSnapshotsNow(persistenceId);
      return Done.getInstance();
    });
  }

  /** Deletes every event and every snapshot of {@code persistenceId}; see {@link #deleteAllEvents}. */
  public CompletionStage<Done> deleteAll(String persistenceId, boolean resetSequenceNumber) {
    return deleteAll(List.of(persistenceId), resetSequenceNumber);
  }

  /** Deletes every event and every snapshot of each of {@code persistenceIds}, one id after the other. */
  public CompletionStage<Done> deleteAll(List<String> persistenceIds, boolean resetSequenceNumber) {
    List<String> ids = List.copyOf(persistenceIds);
    return async(() -> {
      for (String id : ids) {
        deleteEvents(id, Long.MAX_VALUE, resetSequenceNumber);
        deleteAllSnapshotsNow(id);
      }
      return Done.getInstance();
    });
  }

  /**
   * Deletes the durable state of {@code persistenceId}. With {@code resetRevisionNumber} the record goes
   * and the id starts again at revision 1; without, the record keeps its revision and loses its value,
   * so a {@code DurableStateBehavior} of that id starts from its empty state and carries on after the
   * revision (what {@code deleteObject(id, revision)} leaves).
   */
  public CompletionStage<Done> deleteState(String persistenceId, boolean resetRevisionNumber) {
    return deleteStates(List.of(persistenceId), resetRevisionNumber);
  }

  /** {@link #deleteState} for each of {@code persistenceIds}. */
  public CompletionStage<Done> deleteStates(List<String> persistenceIds, boolean resetRevisionNumber) {
    List<String> ids = List.copyOf(persistenceIds);
    return async(() -> {
      for (String id : ids) {
        deleteStateNow(id, resetRevisionNumber);
      }
      return Done.getInstance();
    });
  }

  /** Deletes the id's events with sequence numbers up to {@code toSequenceNr}, oldest first. */
  private void deleteEvents(String persistenceId, long toSequenceNr, boolean resetSequenceNumber) {
    WriteBatch batch = new WriteBatch();
    try (StrataIterator it = journal.scan(Bound.included(PersistenceKeys.event(persistenceId, 0)),
        Bound.included(PersistenceKeys.event(persistenceId, toSequenceNr)))) {
      for (; it.isValid(); it.next()) {
        batch.delete(it.key());
        if (batch.count() == DELETE_BATCH) {
          journal.write(batch);
          batch = new WriteBatch();
        }
      }
    }
    if (resetSequenceNumber) {
      batch.delete(PersistenceKeys.highestSequenceNr(persistenceId)); // last: only once every event is gone
    }
    journal.write(batch);
  }

  private Optional<Long> latestSnapshotSequenceNr(String persistenceId) {
    try (StrataIterator it = snapshotScan(persistenceId)) {
      return it.isValid() ? Optional.of(PersistenceKeys.snapshotSequenceNr(it.key())) : Optional.empty();
    }
  }

  private void deleteAllSnapshotsNow(String persistenceId) {
    WriteBatch batch = new WriteBatch();
    try (StrataIterator it = snapshotScan(persistenceId)) {
      for (; it.isValid(); it.next()) {
        batch.delete(it.key());
        if (batch.count() == DELETE_BATCH) {
          snapshots.write(batch);
          batch = new WriteBatch();
        }
      }
    }
    snapshots.write(batch);
  }

  /** The id's snapshots, newest first (their keys sort so). */
  private StrataIterator snapshotScan(String persistenceId) {
    return snapshots.scan(Bound.included(PersistenceKeys.snapshot(persistenceId, Long.MAX_VALUE)),
        Bound.included(PersistenceKeys.snapshot(persistenceId, 0)));
  }

  private void deleteStateNow(String persistenceId, boolean resetRevisionNumber) {
    byte[] key = PersistenceKeys.state(persistenceId);
    if (resetRevisionNumber) {
      state.delete(key);
      return;
    }
    // Read, then write the same revision without a value, in a transaction: an update of the id that
    // commits in between makes this commit fail and retry, rather than be overwritten by a stale revision.
    for (int attempt = 1; ; attempt++) {
      try (Transaction txn = state.begin()) {
        byte[] current = txn.get(key);
        if (current == null) {
          return;
        }
        txn.put(key, StateRecords.encode(StateRecords.revision(current), "", Optional.empty()));
        txn.commit();
        return;
      } catch (TransactionConflictException e) {
        if (attempt == MAX_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** Runs {@code work} on the plugin dispatcher; the stage fails with what {@code work} throws, unwrapped. */
  private <T> CompletionStage<T> async(Supplier<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          result.complete(work.get());
        } catch (Throwable e) {
          result.completeExceptionally(e);
        }
      });
    } catch (RuntimeException e) { // the dispatcher refused: the system is shutting down
      result.completeExceptionally(e);
    }
    return result;
  }
}
