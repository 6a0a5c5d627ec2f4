package dev.strata.akka.persistence;

import akka.Done;
import akka.actor.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.pattern.Patterns;
import akka.persistence.DeleteMessagesFailure;
import akka.persistence.DeleteMessagesSuccess;
import akka.persistence.DeleteSnapshotsFailure;
import akka.persistence.DeleteSnapshotsSuccess;
import akka.persistence.JournalProtocol;
import akka.persistence.Persistence;
import akka.persistence.SnapshotProtocol;
import akka.persistence.SnapshotSelectionCriteria;
import akka.persistence.state.DurableStateStoreRegistry;
import akka.persistence.state.javadsl.DurableStateUpdateStore;
import com.typesafe.config.ConfigFactory;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.util.BlockingCalls;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Deletes what the persistence plugins keep of persistence ids, as {@code EventSourcedCleanup} and
 * {@code DurableStateCleanup} do for Akka's JDBC and R2DBC plugins: all the events of an id (keeping
 * or resetting its sequence numbers), the events its latest snapshot makes unnecessary, its
 * snapshots, its durable state.
 *
 * <pre>{@code
 * StrataCleanup cleanup = StrataCleanup.create(system);
 * cleanup.deleteAll(List.of("cart-1", "cart-2"), true).toCompletableFuture().join();
 * }</pre>
 *
 * <p>Every delete goes through the plugin that owns the records (the journal and snapshot store
 * actors, by Akka's own {@code DeleteMessagesTo} and {@code DeleteSnapshots}; the durable state
 * store's {@code deleteObject}), so whatever each plugin keeps beside its records is deleted with
 * them; only what the plugins' protocols cannot express (reading the latest snapshot's sequence
 * number, resetting an id's sequence numbers) reads or writes their store directly, the one their
 * {@code store} key names, opened through {@code StrataExtension}. Use it for ids whose actors are not
 * running: a running persistent actor keeps its state in memory and writes after its sequence number.
 * A call waits for each plugin at most {@code strata.persistence.cleanup.operation-timeout}.
 * Thread-safe.
 */
public final class StrataCleanup {
  private final ActorRef journal;
  private final ActorRef snapshotStore;
  private final DurableStateUpdateStore<Object> stateStore;
  private final Strata journalStore;
  private final Strata snapshotStrata;
  private final Executor executor;
  private final Duration timeout;

  private StrataCleanup(ActorRef journal, ActorRef snapshotStore, DurableStateUpdateStore<Object> stateStore,
      Strata journalStore, Strata snapshotStrata, Executor executor, Duration timeout) {
    this.journal = journal;
    this.snapshotStore = snapshotStore;
    this.stateStore = stateStore;
    this.journalStore = journalStore;
    this.snapshotStrata = snapshotStrata;
    this.executor = executor;
    this.timeout = timeout;
  }

  /**
   * Cleanup for the plugins at their default paths: {@code strata.persistence.journal},
   * {@code strata.persistence.snapshot-store} and {@code strata.persistence.state}.
   */
  public static StrataCleanup create(ActorSystem<?> system) {
    return create(system, "strata.persistence.journal", "strata.persistence.snapshot-store", "strata.persistence.state");
  }

  /** Cleanup for Strata's plugins configured at these paths (for instance copies of its plugin blocks). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static StrataCleanup create(ActorSystem<?> system, String journalPath, String snapshotStorePath,
      String statePath) {
    Objects.requireNonNull(system, "system must not be null");
    PluginSettings journalSettings = settings(system, journalPath);
    PluginSettings snapshotSettings = settings(system, snapshotStorePath);
    settings(system, statePath);
    akka.actor.ActorSystem classic = Adapter.toClassic(system);
    Persistence persistence = Persistence.get(classic);
    DurableStateUpdateStore<Object> state = DurableStateStoreRegistry.get(classic)
        .getDurableStateStoreFor(DurableStateUpdateStore.class, statePath);
    return new StrataCleanup(persistence.journalFor(journalPath, ConfigFactory.empty()),
        persistence.snapshotStoreFor(snapshotStorePath, ConfigFactory.empty()), state,
        journalSettings.openStore(classic), snapshotSettings.openStore(classic),
        classic.dispatchers().lookup(journalSettings.dispatcherId()),
        system.settings().config().getDuration("strata.persistence.cleanup.operation-timeout"));
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
    CompletionStage<Done> deleted = deleteEventsTo(persistenceId, Long.MAX_VALUE);
    if (!resetSequenceNumber) {
      return deleted;
    }
    byte[] highest = PersistenceKeys.highestSequenceNr(persistenceId);
    return deleted.thenCompose(done -> async(() -> {
      journalStore.delete(highest); // only once every event is gone
      return Done.getInstance();
    }));
  }

  /**
   * Deletes the events of {@code persistenceId} up to and including the sequence number of its latest
   * snapshot: a recovery starts from that snapshot and replays only the events after it. Nothing
   * when the id has no snapshot. The sequence numbers are kept.
   */
  public CompletionStage<Done> deleteEventsBeforeSnapshot(String persistenceId) {
    byte[] newest = PersistenceKeys.snapshot(persistenceId, Long.MAX_VALUE);
    byte[] oldest = PersistenceKeys.snapshot(persistenceId, 0);
    return async(() -> {
      try (StrataIterator it = snapshotStrata.scan(Bound.included(newest), Bound.included(oldest))) {
        return it.isValid() ? Optional.of(PersistenceKeys.snapshotSequenceNr(it.key())) : Optional.<Long>empty();
      }
    }).thenCompose(latest -> latest.isPresent() ? deleteEventsTo(persistenceId, latest.get())
        : CompletableFuture.completedFuture(Done.getInstance()));
  }

  /** Deletes every snapshot of {@code persistenceId}. */
  public CompletionStage<Done> deleteAllSnapshots(String persistenceId) {
    SnapshotSelectionCriteria all = SnapshotSelectionCriteria.create(Long.MAX_VALUE, Long.MAX_VALUE);
    return Patterns.ask(snapshotStore, new SnapshotProtocol.DeleteSnapshots(persistenceId, all), timeout)
        .thenApply(reply -> {
          if (reply instanceof DeleteSnapshotsSuccess) {
            return Done.getInstance();
          }
          throw failure("deleting the snapshots of '" + persistenceId + "'", reply instanceof DeleteSnapshotsFailure f
              ? f.cause() : null, reply);
        });
  }

  /** Deletes every event and every snapshot of {@code persistenceId}; see {@link #deleteAllEvents}. */
  public CompletionStage<Done> deleteAll(String persistenceId, boolean resetSequenceNumber) {
    return deleteAllEvents(persistenceId, resetSequenceNumber).thenCompose(done -> deleteAllSnapshots(persistenceId));
  }

  /** Deletes every event and every snapshot of each of {@code persistenceIds}, one id after the other. */
  public CompletionStage<Done> deleteAll(List<String> persistenceIds, boolean resetSequenceNumber) {
    return forEach(persistenceIds, id -> deleteAll(id, resetSequenceNumber));
  }

  /**
   * Deletes the durable state of {@code persistenceId}. With {@code resetRevisionNumber} the record goes
   * and the id starts again at revision 1; without, the state is deleted at the next revision (as
   * {@code DurableStateBehavior}'s own delete does), so an actor of that id starts from its empty
   * state and carries on after that revision. Nothing when the id has no state.
   */
  @SuppressWarnings("deprecation") // Akka deprecates deleteObject(id) for behaviors; it is what a reset is
  public CompletionStage<Done> deleteState(String persistenceId, boolean resetRevisionNumber) {
    if (resetRevisionNumber) {
      return stateStore.deleteObject(persistenceId); // Strata's store removes the record and its revision
    }
    return stateStore.getObject(persistenceId).thenCompose(current -> current.revision() == 0
        ? CompletableFuture.completedFuture(Done.getInstance())
        : stateStore.deleteObject(persistenceId, current.revision() + 1));
  }

  /** {@link #deleteState} for each of {@code persistenceIds}, one after the other. */
  public CompletionStage<Done> deleteStates(List<String> persistenceIds, boolean resetRevisionNumber) {
    return forEach(persistenceIds, id -> deleteState(id, resetRevisionNumber));
  }

  private CompletionStage<Done> deleteEventsTo(String persistenceId, long toSequenceNr) {
    return Patterns.askWithReplyTo(journal,
            replyTo -> new JournalProtocol.DeleteMessagesTo(persistenceId, toSequenceNr, replyTo), timeout)
        .thenApply(reply -> {
          if (reply instanceof DeleteMessagesSuccess) {
            return Done.getInstance();
          }
          throw failure("deleting the events of '" + persistenceId + "'", reply instanceof DeleteMessagesFailure f
              ? f.cause() : null, reply);
        });
  }

  private static IllegalStateException failure(String what, Throwable cause, Object reply) {
    return new IllegalStateException(what + " failed: " + (cause != null ? cause : "unexpected reply " + reply), cause);
  }

  private static CompletionStage<Done> forEach(List<String> persistenceIds, Function<String, CompletionStage<Done>> delete) {
    CompletionStage<Done> chain = CompletableFuture.completedFuture(Done.getInstance());
    for (String id : List.copyOf(persistenceIds)) {
      chain = chain.thenCompose(done -> delete.apply(id));
    }
    return chain;
  }

  /** Runs {@code work} on the plugin dispatcher; the stage fails with what {@code work} throws, unwrapped. */
  private <T> CompletionStage<T> async(Supplier<T> work) {
    return BlockingCalls.supply(executor, work);
  }
}
