package dev.strata.akka.persistence;

import akka.Done;
import akka.persistence.state.javadsl.GetObjectResult;
import akka.persistence.state.scaladsl.DurableStateUpdateStore;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Scala API of a {@link StrataDurableStateStore}, which does the work; Akka's typed
 * {@code DurableStateBehavior} talks to this one. Thread-safe.
 */
final class ScalaDurableStateStore implements DurableStateUpdateStore<Object> {
  private final StrataDurableStateStore store;

  ScalaDurableStateStore(StrataDurableStateStore store) {
    this.store = store;
  }

  @Override
  public Future<akka.persistence.state.scaladsl.GetObjectResult<Object>> getObject(String persistenceId) {
    return FutureConverters.asScala(store.getObject(persistenceId).thenApply(GetObjectResult::toScala));
  }

  @Override
  public Future<Done> upsertObject(String persistenceId, long revision, Object value, String tag) {
    return FutureConverters.asScala(store.upsertObject(persistenceId, revision, value, tag));
  }

  @Override
  public Future<Done> deleteObject(String persistenceId) {
    return FutureConverters.asScala(store.deleteObject(persistenceId));
  }

  @Override
  public Future<Done> deleteObject(String persistenceId, long revision) {
    return FutureConverters.asScala(store.deleteObject(persistenceId, revision));
  }
}
