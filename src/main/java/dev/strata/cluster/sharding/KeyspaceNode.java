package dev.strata.cluster.sharding;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.external.ExternalShardAllocationStrategy;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import akka.util.Timeout;
import dev.strata.cluster.sharding.ShardProtocol.Command;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One keyspace's wiring on one node: the Cluster Sharding of its leader entities (type
 * {@code strata-keyspace-<name>}, entity id = shard number, placed by
 * {@code ExternalShardAllocationStrategy}), this node's {@link ReplicaHost}, and the proxy of the
 * keyspace's {@link PlacementCoordinator} singleton. Started once per keyspace per node; thread-safe
 * after construction (immutable).
 */
public final class KeyspaceNode {
  private final KeyspaceSettings settings;
  private final ClusterSharding sharding;
  private final EntityTypeKey<Command> typeKey;
  private final ActorSystem<?> system;
  private final ActorRef<PlacementCoordinator.Command> coordinator;
  /** Completes once the keyspace's shards are placed; replaced when it failed, to ask again. */
  private final AtomicReference<CompletableFuture<Done>> placed = new AtomicReference<>();

  private KeyspaceNode(KeyspaceSettings settings, ClusterSharding sharding, EntityTypeKey<Command> typeKey,
      ActorSystem<?> system, ActorRef<PlacementCoordinator.Command> coordinator) {
    this.settings = settings;
    this.sharding = sharding;
    this.typeKey = typeKey;
    this.system = system;
    this.coordinator = coordinator;
  }

  /** Starts keyspace {@code settings} on {@code system}'s node (a cluster member). */
  public static KeyspaceNode start(ActorSystem<?> system, KeyspaceSettings settings) {
    String selfAddress = Cluster.get(system).selfMember().address().toString();
    system.systemActorOf(ReplicaHost.create(settings, selfAddress), "strata-replica-host-" + settings.name(),
        Props.empty().withDispatcherFromConfig("strata.cluster.dispatcher"));
    ActorRef<PlacementCoordinator.Command> coordinator = ClusterSingleton.get(system).init(
        SingletonActor.of(Behaviors.supervise(PlacementCoordinator.create(settings))
            .onFailure(SupervisorStrategy.restart()), "strata-placement-" + settings.name()));
    EntityTypeKey<Command> typeKey = EntityTypeKey.create(Command.class, settings.entityTypeName());
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(typeKey, ctx -> ShardEntity.create(settings, Integer.parseInt(ctx.getEntityId()),
            selfAddress, coordinator))
        .withMessageExtractor(new ShardNumberExtractor<>())
        .withAllocationStrategy(new ExternalShardAllocationStrategy(system, typeKey.name(),
            Timeout.create(settings.askTimeout())))
        .withEntityProps(ShardEntity.DISPATCHER));
    return new KeyspaceNode(settings, sharding, typeKey, system, coordinator);
  }

  /**
   * Completes once the placement coordinator has placed every shard of the keyspace (and Sharding
   * has seen it): requests sent earlier would start shards on whichever node asked, to be handed
   * off again, and Sharding drops the messages it buffered for a shard in hand-off. Fails after
   * the ask timeout; the next call asks again.
   */
  public CompletionStage<Done> awaitPlacement() {
    CompletableFuture<Done> current = placed.get();
    if (current != null && !current.isCompletedExceptionally()) {
      return current;
    }
    CompletableFuture<Done> next = new CompletableFuture<>();
    if (!placed.compareAndSet(current, next)) {
      return awaitPlacement();
    }
    AskPattern.<PlacementCoordinator.Command, PlacementProtocol.Location>ask(coordinator,
        replyTo -> new PlacementProtocol.Locate(0, replyTo), settings.askTimeout(), system.scheduler())
        .whenComplete((location, failure) -> {
          if (failure == null) {
            next.complete(Done.getInstance());
          } else {
            next.completeExceptionally(new TimeoutException("keyspace '" + settings.name() + "' has not placed its "
                + "shards within " + settings.askTimeout() + " (strata.cluster.ask-timeout): it waits until every "
                + "Up member has started the keyspace and at least akka.cluster.min-nr-of-members are Up"));
          }
        });
    return next;
  }

  public KeyspaceSettings settings() {
    return settings;
  }

  /** The leader entity of shard {@code shard}, wherever it runs. */
  public EntityRef<Command> shard(int shard) {
    return sharding.entityRefFor(typeKey, Integer.toString(shard));
  }
}
