package dev.strata.akka.projection;

import akka.projection.ProjectionId;
import akka.projection.StatusObserver;
import akka.projection.internal.AtLeastOnce;
import akka.projection.internal.ExactlyOnce;
import akka.projection.internal.NoopStatusObserver$;
import akka.projection.internal.SourceProviderAdapter;
import akka.projection.javadsl.AtLeastOnceProjection;
import akka.projection.javadsl.ExactlyOnceProjection;
import akka.projection.javadsl.GroupedProjection;
import akka.projection.javadsl.SourceProvider;
import dev.strata.Strata;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import scala.Option;

/**
 * Akka Projections whose read model and offsets live in a Strata store (Java API). Run one as any
 * projection, for instance with {@code ProjectionBehavior.create(projection)}, and manage it with
 * {@code ProjectionManagement}: pause, resume, set or clear its offset.
 *
 * <pre>{@code
 * SourceProvider<Offset, EventEnvelope<Event>> events =
 *     EventSourcedProvider.eventsByTag(system, "strata.persistence.query", "orders");
 * ExactlyOnceProjection<Offset, EventEnvelope<Event>> projection = StrataProjection.exactlyOnce(
 *     ProjectionId.of("order-totals", "orders"), events, store,
 *     () -> envelope -> new WriteBatch().put(totalKey(envelope), newTotal(store, envelope)));
 * system.systemActorOf(ProjectionBehavior.create(projection), "order-totals", Props.empty());
 * }</pre>
 *
 * <ul>
 *   <li>{@link #exactlyOnce}: the handler's batch and the envelope's offset commit in one atomic
 *       write. After a crash or a restart the projection resumes after the last envelope whose batch
 *       committed: every envelope's writes are applied exactly once.
 *   <li>{@link #groupedWithin}: as exactly-once, for a group of envelopes at a time (Akka's
 *       {@code akka.projection.grouped} settings, or {@code withGroup}): one batch, one write, and
 *       the group's last offset in it.
 *   <li>{@link #atLeastOnce}: each batch is written alone and the offset only every N envelopes or
 *       T ({@code akka.projection.at-least-once}, or {@code withSaveOffset}): cheaper, but a restart
 *       processes again the envelopes since the last saved offset, so the handler's writes must be
 *       idempotent.
 * </ul>
 *
 * <p>Offsets are kept by {@link StrataOffsetStore} in {@code store}, under the projection id's name
 * and key; management state (paused) too. Handlers run on {@code strata.projection.dispatcher}.
 */
public final class StrataProjection {
  private StrataProjection() {}

  /** A projection that commits each envelope's writes and its offset in one atomic write. */
  public static <Offset, Envelope> ExactlyOnceProjection<Offset, Envelope> exactlyOnce(ProjectionId projectionId,
      SourceProvider<Offset, Envelope> sourceProvider, Strata store, Supplier<StrataHandler<Envelope>> handlerFactory) {
    return create(projectionId, sourceProvider, store, StrataProjectionImpl.Kind.EXACTLY_ONCE, handlerFactory,
        new ExactlyOnce(Option.empty()));
  }

  /**
   * A projection that writes each envelope's batch alone and saves the offset after a number of
   * envelopes or an interval; after a restart, envelopes since the last saved offset are processed again.
   */
  public static <Offset, Envelope> AtLeastOnceProjection<Offset, Envelope> atLeastOnce(ProjectionId projectionId,
      SourceProvider<Offset, Envelope> sourceProvider, Strata store, Supplier<StrataHandler<Envelope>> handlerFactory) {
    return create(projectionId, sourceProvider, store, StrataProjectionImpl.Kind.AT_LEAST_ONCE, handlerFactory,
        new AtLeastOnce(Option.empty(), Option.empty(), Option.empty()));
  }

  /**
   * A projection that hands its handler groups of envelopes and commits each group's batch with the
   * offset of its last envelope in one atomic write.
   */
  public static <Offset, Envelope> GroupedProjection<Offset, Envelope> groupedWithin(ProjectionId projectionId,
      SourceProvider<Offset, Envelope> sourceProvider, Strata store,
      Supplier<StrataHandler<List<Envelope>>> handlerFactory) {
    return create(projectionId, sourceProvider, store, StrataProjectionImpl.Kind.GROUPED, handlerFactory,
        new ExactlyOnce(Option.empty()));
  }

  @SuppressWarnings("unchecked")
  private static <Offset, Envelope> StrataProjectionImpl<Offset, Envelope> create(ProjectionId projectionId,
      SourceProvider<Offset, Envelope> sourceProvider, Strata store, StrataProjectionImpl.Kind kind,
      Supplier<? extends StrataHandler<?>> handlerFactory, akka.projection.internal.OffsetStrategy offsetStrategy) {
    Objects.requireNonNull(projectionId, "projectionId must not be null");
    Objects.requireNonNull(sourceProvider, "sourceProvider must not be null");
    Objects.requireNonNull(store, "store must not be null");
    Objects.requireNonNull(handlerFactory, "handlerFactory must not be null");
    OffsetKeys.offset(projectionId); // a projection id too long for a key fails here, not at its first offset
    return new StrataProjectionImpl<>(projectionId, new SourceProviderAdapter<>(sourceProvider), store, kind,
        handlerFactory, offsetStrategy, Option.empty(), Option.empty(), Option.empty(),
        (StatusObserver<Envelope>) (StatusObserver<?>) NoopStatusObserver$.MODULE$);
  }
}
