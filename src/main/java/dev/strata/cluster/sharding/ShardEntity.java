package dev.strata.cluster.sharding;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.StashBuffer;
import dev.strata.cluster.sharding.PlacementProtocol.Locate;
import dev.strata.cluster.sharding.PlacementProtocol.Location;
import dev.strata.cluster.sharding.ShardProtocol.Command;
import dev.strata.cluster.sharding.ShardProtocol.Failure;
import dev.strata.cluster.sharding.ShardProtocol.Get;
import dev.strata.cluster.sharding.ShardProtocol.ScanPage;
import dev.strata.cluster.sharding.ShardProtocol.Write;

/**
 * The leader of one shard of a keyspace: the sharded entity (entity id = shard number) whose
 * presence on a node makes that node's replica of the shard lead it. It holds no data itself: it
 * tells this node's {@link ReplicaHost} to lead the shard while it runs, and hands it every
 * client request; the replica answers once the request is committed on a majority (writes) or
 * confirmed by one (reads).
 *
 * <p>Before it leads, it asks the placement coordinator where the shard belongs. Cluster
 * Sharding starts the entity wherever the allocation strategy says, and
 * {@code ExternalShardAllocationStrategy} falls back to the requesting node when the placed node
 * is not a member: leading there would start the shard on a node that holds no replica of it. So
 * an entity started on a node the coordinator did not place it on leads nothing; it fails the
 * requests (retriably, nothing was done), naming the node, and stops after a while to ask again.
 *
 * <p>Used by its actor only.
 */
public final class ShardEntity extends AbstractBehavior<Command> {
  /** The dispatcher the entities run on (strata.cluster.dispatcher in reference.conf). */
  public static final DispatcherSelector DISPATCHER = DispatcherSelector.fromConfig("strata.cluster.dispatcher");

  /** Messages the entity sends itself. */
  sealed interface Internal extends Command {}

  private record Located(Location location) implements Internal {}

  private record LocateFailed(Throwable cause) implements Internal {}

  private enum Retry implements Internal { INSTANCE }

  private final KeyspaceSettings settings;
  private final int shard;
  private final String selfAddress;
  private final ActorRef<ReplicaHost.Command> host;
  private final StashBuffer<Command> stash;
  private boolean leading;
  /** Why this entity does not lead, once it knows it must not. */
  private String refusal;

  private ShardEntity(ActorContext<Command> context, StashBuffer<Command> stash, KeyspaceSettings settings, int shard,
      String selfAddress, ActorRef<PlacementCoordinator.Command> coordinator, ActorRef<ReplicaHost.Command> host) {
    super(context);
    this.settings = settings;
    this.shard = shard;
    this.selfAddress = selfAddress;
    this.host = host;
    this.stash = stash;
    context.ask(Location.class, coordinator, settings.askTimeout(), replyTo -> new Locate(shard, selfAddress, replyTo),
        (location, failure) -> location != null ? new Located(location) : new LocateFailed(failure));
  }

  /** The entity of shard {@code shard}; {@code selfAddress} is this node's address string, {@code host} its replica host. */
  public static Behavior<Command> create(KeyspaceSettings settings, int shard, String selfAddress,
      ActorRef<PlacementCoordinator.Command> coordinator, ActorRef<ReplicaHost.Command> host) {
    return Behaviors.withStash(10_000, stash -> Behaviors.setup(
        context -> new ShardEntity(context, stash, settings, shard, selfAddress, coordinator, host)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Located.class, this::onLocated)
        .onMessage(LocateFailed.class, m -> refuse("its placement is not known yet (" + m.cause().getMessage() + ")"))
        .onMessageEquals(Retry.INSTANCE, Behaviors::stopped)
        .onMessage(Write.class, m -> onRequest(m, m.replyTo()))
        .onMessage(Get.class, m -> onRequest(m, m.replyTo()))
        .onMessage(ScanPage.class, m -> onRequest(m, m.replyTo()))
        .onSignal(PostStop.class, s -> {
          if (leading) {
            host.tell(new ReplicaHost.Unlead(shard));
          }
          return this;
        })
        .build();
  }

  private Behavior<Command> onLocated(Located m) {
    if (!m.location().address().equals(selfAddress)) {
      return refuse("it is led from " + m.location().address() + ", which does not serve it now (down or moving)");
    }
    if (!m.location().members().contains(selfAddress)) {
      return refuse("this node holds no replica of it (its replicas: " + m.location().members() + ")");
    }
    host.tell(new ReplicaHost.Lead(shard, m.location().members()));
    leading = true;
    getContext().getLog().debug("keyspace '{}' shard {}: leading on {}", settings.name(), shard, selfAddress);
    return stash.unstashAll(this);
  }

  /** From now on every request fails with {@code why}; the entity stops after an ask timeout to try again. */
  private Behavior<Command> refuse(String why) {
    refusal = "keyspace '" + settings.name() + "' shard " + shard + " is not served on " + selfAddress + ": " + why;
    getContext().getLog().warn(refusal);
    getContext().scheduleOnce(settings.askTimeout(), getContext().getSelf(), Retry.INSTANCE);
    return stash.unstashAll(this);
  }

  private Behavior<Command> onRequest(Command request, ActorRef<ShardProtocol.Reply> replyTo) {
    if (leading) {
      host.tell(new ReplicaHost.Client(shard, request));
    } else if (refusal != null) {
      replyTo.tell(new Failure(refusal, true));
    } else if (stash.isFull()) {
      replyTo.tell(new Failure("keyspace '" + settings.name() + "' shard " + shard + " is starting and has "
          + stash.size() + " requests waiting already", true));
    } else {
      stash.stash(request);
    }
    return this;
  }
}
