package dev.strata.akka.persistence;

import akka.Done;
import akka.NotUsed;
import akka.persistence.query.DeletedDurableState;
import akka.persistence.query.DurableStateChange;
import akka.persistence.query.Offset;
import akka.persistence.query.UpdatedDurableState;
import akka.persistence.query.javadsl.DurableStateStorePagedPersistenceIdsQuery;
import akka.persistence.query.javadsl.DurableStateStoreQuery;
import akka.persistence.state.javadsl.DurableStateUpdateStore;
import akka.persistence.state.javadsl.GetObjectResult;
import akka.stream.javadsl.Source;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.Transaction;
import dev.strata.TransactionConflictException;
import dev.strata.util.BlockingCalls;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Akka Persistence durable state on a Strata store, one record per persistence id ({@link
 * PersistenceKeys}, {@link StateRecords}); the Java API that {@link StrataDurableStateStoreProvider}
 * hands out.
 *
 * <p>Revisions: {@code upsertObject(id, N, ...)} and {@code deleteObject(id, N)} succeed only when
 * the stored revision is N - 1 (0 when the id has no record), else they fail with {@link
 * RevisionMismatchException} and write nothing. A delete keeps a record without a value, so the
 * revision carries on: {@code getObject} then answers an empty value and that revision.
 * {@code deleteObject(id)}, without a revision, removes the record and its revision.
 *
 * <p>The check and the write are one Strata {@link Transaction}: it reads the record, checks the
 * revision and writes, and its commit fails if any other write of that key committed after it began
 * (snapshot isolation's first-committer-wins on the written key, which this key always is, so the
 * store needs no {@code serializable} option). A lost commit retries on a fresh snapshot, where the
 * winner's revision is then seen and reported as a mismatch. A transaction rather than a lock per
 * id: it also holds against every other writer of the store (another plugin instance or path
 * configured on the same store, or the application's own writes), and leaves no lock table to grow
 * with the number of ids.
 *
 * <p>Queries ({@code changes}, {@code currentChanges} by tag, {@code currentPersistenceIds}): every
 * change is numbered with the store's durable state ordering ({@link StateSequencer}), the
 * {@code Sequence} offset of {@code changes}, and a tagged state has one entry in the state tag
 * index, under its latest change. Changes commit one at a time per store, so that commit order is
 * offset order. Queries page through short-lived snapshots as {@link StrataReadJournal}'s do, and
 * live ones wake when a change commits ({@code refresh-interval} of {@code strata.persistence.query}
 * is the fallback). Obtain the queries with {@code DurableStateStoreRegistry.get(system)
 * .getDurableStateStoreFor(StrataDurableStateStore.class, "strata.persistence.state")}.
 *
 * <p>Thread-safe. Every store call runs on the plugin's {@code plugin-dispatcher}.
 */
public final class StrataDurableStateStore implements DurableStateUpdateStore<Object>,
    DurableStateStoreQuery<Object>, DurableStateStorePagedPersistenceIdsQuery<Object> {
  /** Commits lost in a row before giving up: each loss means another write of the same id committed. */
  private static final int MAX_ATTEMPTS = 16;

  private final Strata store;
  private final PayloadSerialization serialization;
  private final Executor blocking;
  private final StateSequencer sequencer;
  private final PagedQuery pages;

  StrataDurableStateStore(Strata store, PayloadSerialization serialization, Executor blocking,
      StateSequencer sequencer, PagedQuery pages) {
    this.store = store;
    this.serialization = serialization;
    this.blocking = blocking;
    this.sequencer = sequencer;
    this.pages = pages;
  }

  @Override
  public CompletionStage<GetObjectResult<Object>> getObject(String persistenceId) {
    return async(() -> {
      byte[] value = store.get(PersistenceKeys.state(persistenceId));
      if (value == null) {
        return new GetObjectResult<>(Optional.empty(), 0L);
      }
      StateRecords.Decoded record = StateRecords.decode(value);
      return new GetObjectResult<>(record.value().map(serialization::deserialize), record.revision());
    });
  }

  @Override
  public CompletionStage<Done> upsertObject(String persistenceId, long revision, Object value, String tag) {
    Objects.requireNonNull(value, "value must not be null (use deleteObject)");
    return async(() -> {
      Payload payload;
      try {
        payload = serialization.serialize(value);
      } catch (Exception e) {
        throw new IllegalArgumentException("durable state of '" + persistenceId + "' cannot be serialized: " + e, e);
      }
      return update("upsert", persistenceId, revision, tag == null ? "" : tag, Optional.of(payload));
    });
  }

  @Override
  public CompletionStage<Done> deleteObject(String persistenceId, long revision) {
    return async(() -> update("delete", persistenceId, revision, null, Optional.empty()));
  }

  /** Removes the record and its revision: the id starts again at revision 1. */
  @Override
  public CompletionStage<Done> deleteObject(String persistenceId) {
    byte[] key = PersistenceKeys.state(persistenceId);
    return async(() -> sequencer.serially(ordering -> {
      for (int attempt = 1; ; attempt++) {
        try (Transaction txn = store.begin()) {
          byte[] current = txn.get(key);
          if (current != null) {
            untag(txn, StateRecords.decode(current));
            txn.delete(key);
            txn.commit();
          }
          return Done.getInstance();
        } catch (TransactionConflictException e) {
          if (attempt == MAX_ATTEMPTS) {
            throw e;
          }
        }
      }
    }));
  }

  /**
   * Runs {@code work} on the plugin dispatcher. The stage fails with the exception {@code work}
   * throws, not wrapped in a {@code CompletionException} as {@code supplyAsync} would.
   */
  private <T> CompletionStage<T> async(Supplier<T> work) {
    return BlockingCalls.supply(blocking, work);
  }

  /**
   * Writes the new record if the stored revision is {@code revision - 1}, atomically with the check,
   * numbered with the next state ordering, and moves the id's tag index entry to it. A delete
   * ({@code tag} null, no value) keeps the tag the state had.
   */
  private Done update(String operation, String persistenceId, long revision, String tag, Optional<Payload> value) {
    if (revision < 1) {
      throw new IllegalArgumentException(operation + " of durable state '" + persistenceId
          + "': revisions start at 1, got " + revision);
    }
    byte[] key = PersistenceKeys.state(persistenceId);
    if (tag != null) {
      PersistenceKeys.stateTag(tag, 0); // checks its length before anything is written
    }
    return sequencer.serially(ordering -> {
      for (int attempt = 1; ; attempt++) {
        try (Transaction txn = store.begin()) {
          byte[] current = txn.get(key);
          long stored = current == null ? 0L : StateRecords.revision(current);
          if (stored != revision - 1) {
            throw new RevisionMismatchException(operation, persistenceId, revision, stored);
          }
          String newTag = tag;
          if (current != null) {
            StateRecords.Decoded previous = StateRecords.decode(current);
            untag(txn, previous);
            newTag = tag == null ? previous.tag() : tag;
          }
          newTag = newTag == null ? "" : newTag;
          txn.put(key, StateRecords.encode(revision, newTag, ordering, System.currentTimeMillis(), value));
          if (!newTag.isEmpty()) {
            txn.put(PersistenceKeys.stateTag(newTag, ordering), StateRecords.tagEntry(persistenceId));
          }
          txn.put(PersistenceKeys.highestStateOrdering(), JournalRecords.highestOrdering(ordering));
          txn.commit();
          return Done.getInstance();
        } catch (TransactionConflictException e) {
          if (attempt == MAX_ATTEMPTS) {
            throw e;
          }
        }
      }
    });
  }

  /** Removes the tag index entry of a record, if it has one. */
  private static void untag(Transaction txn, StateRecords.Decoded record) {
    if (!record.tag().isEmpty() && record.ordering() > 0) {
      txn.delete(PersistenceKeys.stateTag(record.tag(), record.ordering()));
    }
  }

  // ---------------------------------------------------------------- queries

  /** Each tagged id's latest change committed when the query starts, after {@code offset}, in ordering order. */
  @Override
  public Source<DurableStateChange<Object>, NotUsed> currentChanges(String tag, Offset offset) {
    return changes(tag, offset, false);
  }

  /**
   * Each tagged id's latest change after {@code offset}, then the changes committed later, as they
   * commit. As Akka's contract allows, a change replaced before the query reads it is not seen, only
   * the one that replaced it.
   */
  @Override
  public Source<DurableStateChange<Object>, NotUsed> changes(String tag, Offset offset) {
    return changes(tag, offset, true);
  }

  /** Up to {@code limit} ids with a durable state, in id order, after {@code afterId} when given. */
  @Override
  public Source<String, NotUsed> currentPersistenceIds(Optional<String> afterId, long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    Bound lower = afterId.map(id -> Bound.excluded(PersistenceKeys.state(id)))
        .orElse(Bound.included(PersistenceKeys.kindStart(PersistenceKeys.STATE)));
    return pages.source(lower, () -> Optional.of(Bound.excluded(PersistenceKeys.kindStart(PersistenceKeys.ORDERING))),
        false, (key, value) -> PersistenceKeys.persistenceIdOf(key)).take(limit);
  }

  private Source<DurableStateChange<Object>, NotUsed> changes(String tag, Offset offset, boolean live) {
    long after = StrataReadJournal.afterOffset(offset);
    PersistenceKeys.stateTag(tag, 0); // checks the tag now, not in the stream
    if (after == Long.MAX_VALUE) {
      return Source.empty();
    }
    return pages.source(Bound.included(PersistenceKeys.stateTag(tag, after + 1)), () -> {
      long to = Long.MAX_VALUE;
      if (!live) {
        byte[] highest = store.get(PersistenceKeys.highestStateOrdering());
        to = highest == null ? 0 : JournalRecords.readHighestOrdering(highest);
      }
      return to <= after ? Optional.empty() : Optional.of(Bound.included(PersistenceKeys.stateTag(tag, to)));
    }, live, (key, value) -> change(PersistenceKeys.orderingOf(key), StateRecords.readTagEntry(value)));
  }

  /** The change numbered {@code ordering} of {@code persistenceId}, or null when a later one replaced it. */
  private DurableStateChange<Object> change(long ordering, String persistenceId) {
    byte[] current = store.get(PersistenceKeys.state(persistenceId));
    if (current == null) {
      return null;
    }
    StateRecords.Decoded record = StateRecords.decode(current);
    if (record.ordering() != ordering) {
      return null;
    }
    Offset offset = Offset.sequence(ordering);
    return record.value().<DurableStateChange<Object>>map(v -> new UpdatedDurableState<>(persistenceId,
            record.revision(), serialization.deserialize(v), offset, record.timestamp()))
        .orElseGet(() -> new DeletedDurableState<>(persistenceId, record.revision(), offset, record.timestamp()));
  }
}
