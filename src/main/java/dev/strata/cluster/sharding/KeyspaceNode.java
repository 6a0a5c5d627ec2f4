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
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.util.ArrayList;
import java.util.List;
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
  private final ActorRef<ReplicaHost.Command> host;
  /** Completes once the keyspace's shards are placed; replaced when it failed, to ask again. */
  private final AtomicReference<CompletableFuture<Done>> placed = new AtomicReference<>();

  private KeyspaceNode(KeyspaceSettings settings, ClusterSharding sharding, EntityTypeKey<Command> typeKey,
      ActorSystem<?> system, ActorRef<PlacementCoordinator.Command> coordinator, ActorRef<ReplicaHost.Command> host) {
    this.host = host;
    this.settings = settings;
    this.sharding = sharding;
    this.typeKey = typeKey;
    this.system = system;
    this.coordinator = coordinator;
  }

  /** Starts keyspace {@code settings} on {@code system}'s node (a cluster member). */
  public static KeyspaceNode start(ActorSystem<?> system, KeyspaceSettings settings) {
    String selfAddress = Cluster.get(system).selfMember().address().toString();
    ActorRef<ReplicaHost.Command> host = system.systemActorOf(ReplicaHost.create(settings, selfAddress),
        "strata-replica-host-" + settings.name(), Props.empty().withDispatcherFromConfig("strata.cluster.dispatcher"));
    ActorRef<PlacementCoordinator.Command> coordinator = ClusterSingleton.get(system).init(
        SingletonActor.of(Behaviors.supervise(PlacementCoordinator.create(settings))
            .onFailure(SupervisorStrategy.restart()), "strata-placement-" + settings.name()));
    EntityTypeKey<Command> typeKey = EntityTypeKey.create(Command.class, settings.entityTypeName());
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(typeKey, ctx -> ShardEntity.create(settings, Integer.parseInt(ctx.getEntityId()),
            selfAddress, coordinator, host))
        .withMessageExtractor(new ShardNumberExtractor<>())
        .withAllocationStrategy(new ExternalShardAllocationStrategy(system, typeKey.name(),
            Timeout.create(settings.askTimeout())))
        .withEntityProps(ShardEntity.DISPATCHER));
    return new KeyspaceNode(settings, sharding, typeKey, system, coordinator, host);
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
        replyTo -> new PlacementProtocol.Locate(0, "", replyTo), settings.askTimeout(), system.scheduler())
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

  /** {@code key} of {@code shard} from this node's replica, if it holds one (see {@link ReplicaHost.LocalRead}). */
  public CompletionStage<ShardProtocol.Reply> readLocally(int shard, byte[] key) {
    return AskPattern.ask(host, replyTo -> new ReplicaHost.LocalRead(shard, key, replyTo), settings.askTimeout(),
        system.scheduler());
  }

  /**
   * Balances the replicas over the live nodes (moves that run in the background) and the leaders
   * between the replicas of their shards; answers how many of each move.
   */
  public CompletionStage<PlacementProtocol.Rebalanced> rebalance() {
    return AskPattern.ask(coordinator, PlacementProtocol.Rebalance::new, settings.askTimeout(), system.scheduler());
  }

  /**
   * Moves every replica of the keyspace off node {@code address} (an Akka address string) and
   * completes once it holds none: asks the placement coordinator every half second (a coordinator
   * that moved meanwhile learns of the drain from the next ask) for the shards left. Fails after
   * {@code timeout}; the moves carry on.
   */
  public CompletionStage<Done> drain(String address, java.time.Duration timeout) {
    CompletableFuture<Done> drained = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    askDrain(address, deadline, drained);
    return drained;
  }

  private void askDrain(String address, long deadline, CompletableFuture<Done> drained) {
    AskPattern.<PlacementCoordinator.Command, PlacementProtocol.Draining>ask(coordinator,
        replyTo -> new PlacementProtocol.Drain(address, replyTo), settings.askTimeout(), system.scheduler())
        .whenComplete((draining, failure) -> {
          if (draining != null && draining.remaining() == 0) {
            drained.complete(Done.getInstance());
          } else if (System.nanoTime() > deadline) {
            drained.completeExceptionally(new TimeoutException("keyspace '" + settings.name() + "': " + address
                + " still holds replicas of " + (draining == null ? "some" : draining.remaining())
                + " shards; the moves carry on"));
          } else {
            system.scheduler().scheduleOnce(java.time.Duration.ofMillis(500),
                () -> askDrain(address, deadline, drained), system.executionContext());
          }
        });
  }

  /** Every shard's leader and replica set, from the placement coordinator. */
  public CompletionStage<PlacementProtocol.Placement> placement() {
    return AskPattern.ask(coordinator, PlacementProtocol.GetPlacement::new, settings.askTimeout(), system.scheduler());
  }

  /** The progress of every node's replicas of the keyspace (the nodes that answer within the ask timeout). */
  public CompletionStage<List<ReplicaHost.Progress>> progress() {
    ServiceKey<ReplicaHost.Command> key = ReplicaHost.serviceKey(settings.name());
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            replyTo -> Receptionist.find(key, replyTo), settings.askTimeout(), system.scheduler())
        .thenCompose(listing -> {
          List<CompletableFuture<ReplicaHost.Progress>> asks = new ArrayList<>();
          for (ActorRef<ReplicaHost.Command> host : listing.getServiceInstances(key)) {
            asks.add(AskPattern.<ReplicaHost.Command, ReplicaHost.Progress>ask(host, ReplicaHost.GetProgress::new,
                    settings.askTimeout(), system.scheduler())
                .toCompletableFuture().exceptionally(failure -> null));
          }
          return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<ReplicaHost.Progress> answers = new ArrayList<>();
            asks.forEach(a -> {
              if (a.join() != null) {
                answers.add(a.join());
              }
            });
            return answers;
          });
        });
  }

  /** The leader entity of shard {@code shard}, wherever it runs. */
  public EntityRef<Command> shard(int shard) {
    return sharding.entityRefFor(typeKey, Integer.toString(shard));
  }
}
