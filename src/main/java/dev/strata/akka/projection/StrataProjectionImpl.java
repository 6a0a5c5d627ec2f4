package dev.strata.akka.projection;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.event.Logging;
import akka.event.LoggingAdapter;
import akka.projection.HandlerRecoveryStrategy;
import akka.projection.ProjectionId;
import akka.projection.RunningProjection;
import akka.projection.RunningProjectionManagement;
import akka.projection.StatusObserver;
import akka.projection.internal.ActorHandlerInit;
import akka.projection.internal.AtLeastOnce;
import akka.projection.internal.ExactlyOnce;
import akka.projection.internal.GroupedHandlerAdapter;
import akka.projection.internal.GroupedHandlerStrategy;
import akka.projection.internal.HandlerAdapter;
import akka.projection.internal.HandlerStrategy;
import akka.projection.internal.InternalProjection;
import akka.projection.internal.InternalProjectionState;
import akka.projection.internal.ManagementState;
import akka.projection.internal.OffsetStrategy;
import akka.projection.internal.ProjectionSettings;
import akka.projection.internal.SettingsImpl;
import akka.projection.internal.SingleHandlerStrategy;
import akka.projection.javadsl.AtLeastOnceProjection;
import akka.projection.javadsl.ExactlyOnceProjection;
import akka.projection.javadsl.GroupedProjection;
import akka.projection.scaladsl.SourceProvider;
import akka.stream.RestartSettings;
import akka.stream.scaladsl.Source;
import dev.strata.Strata;
import java.time.Duration;
import java.util.function.Supplier;
import scala.Option;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.FutureConverters;
import scala.jdk.javaapi.OptionConverters;

/**
 * The projection {@link StrataProjection} builds: Akka Projections' own processing stream
 * ({@code InternalProjectionState}: pause, restart with backoff, recovery strategies, status
 * observers) over a {@link StrataOffsetStore}, and Strata's own handlers ({@link StrataHandlers}).
 * What it adds to Akka's stream is where the offset goes: into the read model's batch for
 * exactly-once and grouped processing, into its own write every N envelopes or T for at-least-once.
 *
 * <p>It implements the javadsl views of every kind, as Akka's JDBC projection does; which one a
 * caller sees is the kind {@link StrataProjection} built, and only that kind's settings apply.
 * The running instance implements {@link RunningProjectionManagement}, which is what lets
 * {@code ProjectionManagement} pause, resume and move its offset.
 *
 * <p>Immutable: every {@code with...} returns a copy. Built on Akka Projections' internal API
 * (akka.projection.internal), as every offset store of Akka Projections is.
 */
final class StrataProjectionImpl<Offset, Envelope> implements ExactlyOnceProjection<Offset, Envelope>,
    AtLeastOnceProjection<Offset, Envelope>, GroupedProjection<Offset, Envelope>,
    SettingsImpl<StrataProjectionImpl<Offset, Envelope>>, InternalProjection {

  /** How the projection processes and where its offset goes. */
  enum Kind { EXACTLY_ONCE, AT_LEAST_ONCE, GROUPED }

  private final ProjectionId projectionId;
  private final SourceProvider<Offset, Envelope> sourceProvider;
  private final Strata store;
  private final Kind kind;
  /** The user's handler factory: of {@code Envelope}, or of {@code List<Envelope>} for {@link Kind#GROUPED}. */
  private final Supplier<? extends StrataHandler<?>> handlerFactory;
  private final OffsetStrategy offsetStrategy;
  private final Option<Object> groupAfterEnvelopes;
  private final Option<FiniteDuration> groupAfterDuration;
  private final Option<RestartSettings> restartBackoff;
  private final StatusObserver<Envelope> statusObserver;

  StrataProjectionImpl(ProjectionId projectionId, SourceProvider<Offset, Envelope> sourceProvider, Strata store,
      Kind kind, Supplier<? extends StrataHandler<?>> handlerFactory, OffsetStrategy offsetStrategy,
      Option<Object> groupAfterEnvelopes, Option<FiniteDuration> groupAfterDuration,
      Option<RestartSettings> restartBackoff, StatusObserver<Envelope> statusObserver) {
    this.projectionId = projectionId;
    this.sourceProvider = sourceProvider;
    this.store = store;
    this.kind = kind;
    this.handlerFactory = handlerFactory;
    this.offsetStrategy = offsetStrategy;
    this.groupAfterEnvelopes = groupAfterEnvelopes;
    this.groupAfterDuration = groupAfterDuration;
    this.restartBackoff = restartBackoff;
    this.statusObserver = statusObserver;
  }

  private StrataProjectionImpl<Offset, Envelope> with(OffsetStrategy offsets, Option<Object> groupEnvelopes,
      Option<FiniteDuration> groupDuration, Option<RestartSettings> restart, StatusObserver<Envelope> observer) {
    return new StrataProjectionImpl<>(projectionId, sourceProvider, store, kind, handlerFactory, offsets,
        groupEnvelopes, groupDuration, restart, observer);
  }

  @Override
  public ProjectionId projectionId() {
    return projectionId;
  }

  @Override
  public OffsetStrategy offsetStrategy() {
    return offsetStrategy;
  }

  @Override
  public StatusObserver<Envelope> statusObserver() {
    return statusObserver;
  }

  @Override
  public StrataProjectionImpl<Offset, Envelope> withStatusObserver(StatusObserver<Envelope> observer) {
    return with(offsetStrategy, groupAfterEnvelopes, groupAfterDuration, restartBackoff, observer);
  }

  @Override
  public StrataProjectionImpl<Offset, Envelope> withRestartBackoffSettings(RestartSettings restart) {
    return with(offsetStrategy, groupAfterEnvelopes, groupAfterDuration, Option.apply(restart), statusObserver);
  }

  @Override
  public StrataProjectionImpl<Offset, Envelope> withRestartBackoff(FiniteDuration minBackoff, FiniteDuration maxBackoff,
      double randomFactor) {
    return SettingsImpl.super.withRestartBackoff(minBackoff, maxBackoff, randomFactor);
  }

  @Override
  public StrataProjectionImpl<Offset, Envelope> withRestartBackoff(FiniteDuration minBackoff, FiniteDuration maxBackoff,
      double randomFactor, int maxRestarts) {
    return SettingsImpl.super.withRestartBackoff(minBackoff, maxBackoff, randomFactor, maxRestarts);
  }

  @Override
  public StrataProjectionImpl<Offset, Envelope> withRestartBackoff(Duration minBackoff, Duration maxBackoff,
      double randomFactor) {
    return SettingsImpl.super.withRestartBackoff(minBackoff, maxBackoff, randomFactor);
  }

  @Override
  public StrataProjectionImpl<Offset, Envelope> withRestartBackoff(Duration minBackoff, Duration maxBackoff,
      double randomFactor, int maxRestarts) {
    return SettingsImpl.super.withRestartBackoff(minBackoff, maxBackoff, randomFactor, maxRestarts);
  }

  /** At-least-once only: save the offset after this many envelopes, or this long after the last save. */
  @Override
  public StrataProjectionImpl<Offset, Envelope> withSaveOffset(int afterEnvelopes, FiniteDuration afterDuration) {
    if (!(offsetStrategy instanceof AtLeastOnce atLeastOnce)) {
      throw new IllegalStateException("withSaveOffset applies to at-least-once projections; " + projectionId
          + " is " + kind);
    }
    return with(new AtLeastOnce(Option.apply(afterEnvelopes), Option.apply(afterDuration),
        atLeastOnce.recoveryStrategy()), groupAfterEnvelopes, groupAfterDuration, restartBackoff, statusObserver);
  }

  @Override
  public StrataProjectionImpl<Offset, Envelope> withSaveOffset(int afterEnvelopes, Duration afterDuration) {
    return SettingsImpl.super.withSaveOffset(afterEnvelopes, afterDuration);
  }

  /** Grouped only: hand the handler a group once it has this many envelopes, or this long after its first. */
  @Override
  public StrataProjectionImpl<Offset, Envelope> withGroup(int afterEnvelopes, FiniteDuration afterDuration) {
    if (kind != Kind.GROUPED) {
      throw new IllegalStateException("withGroup applies to grouped projections; " + projectionId + " is " + kind);
    }
    return with(offsetStrategy, Option.apply(afterEnvelopes), Option.apply(afterDuration), restartBackoff,
        statusObserver);
  }

  @Override
  public StrataProjectionImpl<Offset, Envelope> withGroup(int afterEnvelopes, Duration afterDuration) {
    return SettingsImpl.super.withGroup(afterEnvelopes, afterDuration);
  }

  @Override
  public StrataProjectionImpl<Offset, Envelope> withRecoveryStrategy(HandlerRecoveryStrategy strategy) {
    OffsetStrategy offsets = offsetStrategy instanceof AtLeastOnce a
        ? new AtLeastOnce(a.afterEnvelopes(), a.orAfterDuration(), Option.apply(strategy))
        : new ExactlyOnce(Option.apply(strategy));
    return with(offsets, groupAfterEnvelopes, groupAfterDuration, restartBackoff, statusObserver);
  }

  @Override
  public <T> Option<ActorHandlerInit<T>> actorHandlerInit() {
    return Option.empty(); // Strata's handlers are functions, never actors
  }

  @Override
  public RunningProjection run(ActorSystem<?> system) {
    State state = newState(system);
    return new Running(state, RunningProjection.withBackoff(state::mappedSource, state.settings), system);
  }

  /** The processing stream before any sink; Akka's projection test kit attaches its own. */
  @Override
  public Source<Done, Future<Done>> mappedSource(ActorSystem<?> system) {
    return newState(system).mappedSource();
  }

  private State newState(ActorSystem<?> system) {
    ProjectionSettings settings = ProjectionSettings.apply(system);
    if (restartBackoff.isDefined()) {
      settings = settings.copy(restartBackoff.get(), settings.saveOffsetAfterEnvelopes(),
          settings.saveOffsetAfterDuration(), settings.groupAfterEnvelopes(), settings.groupAfterDuration(),
          settings.recoveryStrategy());
    }
    StrataOffsetStore offsets = StrataOffsetStore.create(system, store);
    return new State(system, settings, offsets, handlerStrategy(offsets));
  }

  @SuppressWarnings("unchecked")
  private HandlerStrategy handlerStrategy(StrataOffsetStore offsets) {
    boolean withOffset = kind != Kind.AT_LEAST_ONCE;
    if (kind == Kind.GROUPED) {
      Supplier<StrataHandler<java.util.List<Envelope>>> factory =
          (Supplier<StrataHandler<java.util.List<Envelope>>>) handlerFactory;
      return new GroupedHandlerStrategy<Envelope>(() -> new GroupedHandlerAdapter<>(StrataHandlers.grouped(
          factory.get(), offsets, projectionId, sourceProvider)), groupAfterEnvelopes, groupAfterDuration);
    }
    Supplier<StrataHandler<Envelope>> factory = (Supplier<StrataHandler<Envelope>>) handlerFactory;
    return new SingleHandlerStrategy<Envelope>(() -> new HandlerAdapter<>(StrataHandlers.single(
        factory.get(), offsets, projectionId, sourceProvider, withOffset)));
  }

  /** One run of the projection: Akka's processing stream with Strata's offset store under it. */
  private final class State extends InternalProjectionState<Offset, Envelope> {
    private final ActorSystem<?> system;
    private final ProjectionSettings settings;
    private final StrataOffsetStore offsets;
    private final LoggingAdapter logger;

    State(ActorSystem<?> system, ProjectionSettings settings, StrataOffsetStore offsets, HandlerStrategy handlers) {
      super(projectionId, sourceProvider, offsetStrategy, handlers, statusObserver, settings);
      this.system = system;
      this.settings = settings;
      this.offsets = offsets;
      this.logger = Logging.apply(system.classicSystem(), StrataProjectionImpl.class,
          akka.event.LogSource$.MODULE$.fromAnyClass());
    }

    @Override
    public LoggingAdapter logger() {
      return logger;
    }

    @Override
    public ActorSystem<?> system() {
      return system;
    }

    @Override
    public ExecutionContext executionContext() {
      return system.executionContext();
    }

    @Override
    public Future<Object> readPaused() {
      return FutureConverters.asScala(offsets.readPaused(projectionId).thenApply(p -> (Object) p.orElse(false)));
    }

    @Override
    public Future<Option<Offset>> readOffsets() {
      return FutureConverters.asScala(offsets.<Offset>readOffset(projectionId).thenApply(OptionConverters::toScala));
    }

    @Override
    public Future<Done> saveOffset(ProjectionId id, Offset offset) {
      try {
        return FutureConverters.asScala(offsets.saveOffset(id, offset));
      } catch (IllegalArgumentException e) { // an offset type the store does not keep: fail the stream, do not throw in it
        return akka.dispatch.Futures.failed(e);
      }
    }
  }

  /** A running projection; {@code ProjectionManagement} reaches the offset store through it. */
  private final class Running implements RunningProjection, RunningProjectionManagement<Offset> {
    private final State state;
    private final Future<Done> streamDone;

    Running(State state, Source<Done, ?> source, ActorSystem<?> system) {
      this.state = state;
      this.streamDone = FutureConverters.asScala(source.asJava().runWith(akka.stream.javadsl.Sink.ignore(), system));
    }

    @Override
    public Future<Done> stop() {
      state.killSwitch().shutdown();
      // A handler being retried would hold the stream until its retries ran out: abort it.
      state.abort().tryFailure(RunningProjection.AbortProjectionException$.MODULE$);
      return streamDone;
    }

    @Override
    public Future<Option<Offset>> getOffset() {
      return state.readOffsets();
    }

    @Override
    public Future<Done> setOffset(Option<Offset> offset) {
      return offset.isDefined() ? state.saveOffset(projectionId, offset.get())
          : FutureConverters.asScala(state.offsets.clearOffset(projectionId));
    }

    @Override
    public Future<Option<ManagementState>> getManagementState() {
      return FutureConverters.asScala(state.offsets.readPaused(projectionId)
          .thenApply(p -> OptionConverters.toScala(p.map(ManagementState::apply))));
    }

    @Override
    public Future<Done> setPaused(boolean paused) {
      return FutureConverters.asScala(state.offsets.savePaused(projectionId, paused));
    }
  }

  @Override
  public String toString() {
    return "StrataProjection(" + projectionId + ", " + kind + ")";
  }
}
