package dev.strata.akka.persistence;

import akka.Done;
import akka.NotUsed;
import akka.persistence.query.DurableStateChange;
import akka.persistence.query.Offset;
import akka.persistence.query.scaladsl.DurableStateStorePagedPersistenceIdsQuery;
import akka.persistence.query.scaladsl.DurableStateStoreQuery;
import akka.persistence.state.javadsl.GetObjectResult;
import akka.persistence.state.scaladsl.DurableStateUpdateStore;
import akka.stream.scaladsl.Source;
import scala.Option;
import scala.concurrent.Future;
import scala.jdk.javaapi.OptionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Scala API of a {@link StrataDurableStateStore}, which does the work; Akka's typed
 * {@code DurableStateBehavior} talks to this one. Thread-safe.
 */
final class ScalaDurableStateStore implements DurableStateUpdateStore<Object>, DurableStateStoreQuery<Object>,
    DurableStateStorePagedPersistenceIdsQuery<Object> {
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

  @Override
  public Source<DurableStateChange<Object>, NotUsed> currentChanges(String tag, Offset offset) {
    return store.currentChanges(tag, offset).asScala();
  }

  @Override
  public Source<DurableStateChange<Object>, NotUsed> changes(String tag, Offset offset) {
    return store.changes(tag, offset).asScala();
  }

  @Override
  public Source<String, NotUsed> currentPersistenceIds(Option<String> afterId, long limit) {
    return store.currentPersistenceIds(OptionConverters.toJava(afterId), limit).asScala();
  }
}
