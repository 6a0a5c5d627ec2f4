package dev.strata.akka.persistence;

import akka.Done;
import akka.persistence.state.javadsl.DurableStateUpdateStore;
import akka.persistence.state.javadsl.GetObjectResult;
import dev.strata.Strata;
import dev.strata.Transaction;
import dev.strata.TransactionConflictException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * <p>Thread-safe. Every store call runs on the plugin's {@code plugin-dispatcher}.
 */
public final class StrataDurableStateStore implements DurableStateUpdateStore<Object> {
  /** Commits lost in a row before giving up: each loss means another write of the same id committed. */
  private static final int MAX_ATTEMPTS = 16;

  private final Strata store;
  private final PayloadSerialization serialization;
  private final Executor blocking;

  StrataDurableStateStore(Strata store, PayloadSerialization serialization, Executor blocking) {
    this.store = store;
    this.serialization = serialization;
    this.blocking = blocking;
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
      return update("upsert", persistenceId, revision, StateRecords.encode(revision, tag == null ? "" : tag,
          Optional.of(payload)));
    });
  }

  @Override
  public CompletionStage<Done> deleteObject(String persistenceId, long revision) {
    return async(() -> update("delete", persistenceId, revision, StateRecords.encode(revision, "", Optional.empty())));
  }

  /** Removes the record and its revision: the id starts again at revision 1. */
  @Override
  public CompletionStage<Done> deleteObject(String persistenceId) {
    return async(() -> {
      store.delete(PersistenceKeys.state(persistenceId));
      return Done.getInstance();
    });
  }

  /**
   * Runs {@code work} on the plugin dispatcher. The stage fails with the exception {@code work}
   * throws, not wrapped in a {@code CompletionException} as {@code supplyAsync} would.
   */
  private <T> CompletionStage<T> async(Supplier<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      blocking.execute(() -> {
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

  /** Writes {@code record} if the stored revision is {@code revision - 1}, atomically with the check. */
  private Done update(String operation, String persistenceId, long revision, byte[] record) {
    if (revision < 1) {
      throw new IllegalArgumentException(operation + " of durable state '" + persistenceId
          + "': revisions start at 1, got " + revision);
    }
    byte[] key = PersistenceKeys.state(persistenceId);
    for (int attempt = 1; ; attempt++) {
      try (Transaction txn = store.begin()) {
        byte[] current = txn.get(key);
        long stored = current == null ? 0L : StateRecords.revision(current);
        if (stored != revision - 1) {
          throw new RevisionMismatchException(operation, persistenceId, revision, stored);
        }
        txn.put(key, record);
        txn.commit();
        return Done.getInstance();
      } catch (TransactionConflictException e) {
        if (attempt == MAX_ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
