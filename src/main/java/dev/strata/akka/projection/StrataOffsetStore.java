package dev.strata.akka.projection;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.projection.ProjectionId;
import dev.strata.Strata;
import dev.strata.WriteBatch;
import dev.strata.util.BlockingCalls;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The offsets and management state (paused or running) of projections, kept in a Strata store,
 * one record each per {@link ProjectionId} (name and key): keys {@link OffsetKeys}, values {@link
 * OffsetRecords}. Offsets may be {@code akka.persistence.query.Sequence} or {@code TimeBasedUUID},
 * {@code Long}, {@code Integer} or {@code String}; any other type is refused with an {@link
 * IllegalArgumentException} before anything is written.
 *
 * <p>The projections of {@link StrataProjection} use it, and {@code ProjectionManagement} reaches it
 * through them. An application may use it directly too, to read or reset a projection that is not
 * running (a running projection must be managed through {@code ProjectionManagement}, which stops it
 * around a change of offset).
 *
 * <p>Every call runs on the store's {@link #executor()} (the {@code strata.projection.dispatcher} for
 * {@link #create}), never on the caller's thread nor the writer's. Thread-safe: the store is.
 */
public final class StrataOffsetStore {
  /** The dispatcher {@link #create} runs the store calls on, and the projections their handlers. */
  public static final String DISPATCHER = "strata.projection.dispatcher";

  private final Strata store;
  private final Executor executor;

  private StrataOffsetStore(Strata store, Executor executor) {
    this.store = Objects.requireNonNull(store, "store must not be null");
    this.executor = Objects.requireNonNull(executor, "executor must not be null");
  }

  /** An offset store on {@code store} whose calls run on {@code strata.projection.dispatcher}. */
  public static StrataOffsetStore create(ActorSystem<?> system, Strata store) {
    Objects.requireNonNull(system, "system must not be null");
    return new StrataOffsetStore(store, system.dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER)));
  }

  /** An offset store on {@code store} whose calls run on {@code executor}, which may block on file I/O. */
  public static StrataOffsetStore create(Strata store, Executor executor) {
    return new StrataOffsetStore(store, executor);
  }

  /** The projection's stored offset; empty when it has none (it starts from the source's beginning). */
  @SuppressWarnings("unchecked")
  public <Offset> CompletionStage<Optional<Offset>> readOffset(ProjectionId projectionId) {
    byte[] key = OffsetKeys.offset(projectionId);
    return async(() -> Optional.ofNullable(store.get(key)).map(value -> (Offset) OffsetRecords.readOffset(value)));
  }

  /** Stores {@code offset} as the projection's offset, replacing the one before. */
  public CompletionStage<Done> saveOffset(ProjectionId projectionId, Object offset) {
    WriteBatch batch = new WriteBatch();
    addOffset(batch, projectionId, offset);
    return async(() -> {
      store.write(batch);
      return Done.getInstance();
    });
  }

  /** Removes the projection's offset: it starts again from the source's beginning. */
  public CompletionStage<Done> clearOffset(ProjectionId projectionId) {
    byte[] key = OffsetKeys.offset(projectionId);
    return async(() -> {
      store.delete(key);
      return Done.getInstance();
    });
  }

  /** Whether the projection is paused; empty when it was never paused nor resumed. */
  public CompletionStage<Optional<Boolean>> readPaused(ProjectionId projectionId) {
    byte[] key = OffsetKeys.management(projectionId);
    return async(() -> Optional.ofNullable(store.get(key)).map(OffsetRecords::readPaused));
  }

  /** Records that the projection is paused (it starts without consuming its source) or running. */
  public CompletionStage<Done> savePaused(ProjectionId projectionId, boolean paused) {
    byte[] key = OffsetKeys.management(projectionId);
    byte[] value = OffsetRecords.managementState(paused);
    return async(() -> {
      store.put(key, value);
      return Done.getInstance();
    });
  }

  /** The executor every call of this store runs on; the projections run their handlers there too. */
  public Executor executor() {
    return executor;
  }

  Strata store() {
    return store;
  }

  /**
   * Adds the put of the projection's offset to {@code batch}, so that the offset commits with
   * whatever else the batch holds, all or nothing.
   */
  void addOffset(WriteBatch batch, ProjectionId projectionId, Object offset) {
    batch.put(OffsetKeys.offset(projectionId), OffsetRecords.offset(offset));
  }

  /**
   * Runs {@code work} on the executor. The stage fails with the exception {@code work} throws, not
   * wrapped in a {@code CompletionException} as {@code supplyAsync} would.
   */
  <T> CompletionStage<T> async(Supplier<T> work) {
    return BlockingCalls.supply(executor, work);
  }

  @Override
  public String toString() {
    return "StrataOffsetStore(" + store + ")";
  }
}
