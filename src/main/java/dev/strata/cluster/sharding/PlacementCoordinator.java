package dev.strata.cluster.sharding;

import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.external.ExternalShardAllocation;
import akka.cluster.sharding.external.ShardLocations;
import akka.cluster.sharding.external.javadsl.ExternalShardAllocationClient;
import akka.cluster.typed.Cluster;
import dev.strata.cluster.sharding.PlacementProtocol.Holdings;
import dev.strata.cluster.sharding.PlacementProtocol.ListHoldings;
import dev.strata.cluster.sharding.PlacementProtocol.Locate;
import dev.strata.cluster.sharding.PlacementProtocol.Location;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides where each shard of a keyspace is led: a cluster singleton per keyspace, which writes its
 * decisions to {@code ExternalShardAllocation} (Cluster Sharding then allocates each shard where it
 * says) and answers the entities' {@link Locate}.
 *
 * <p>The rule: a shard is placed only where its data is. Before it places anything the
 * coordinator learns what exists: the locations already in {@code ExternalShardAllocation} (the
 * decisions of a previous coordinator, replicated to every node) and the shards every node's
 * {@link ReplicaHost} holds on disk; it waits until every Up member has reported and at least
 * {@code akka.cluster.min-nr-of-members} have. A shard some node holds is placed there; a shard
 * nobody holds is new, and goes to the node leading the fewest shards (ties by address). A placed
 * shard never moves on its own: with one replica, moving it would serve an empty store; when its
 * node is down, its requests fail until the node is back (and rejoins with its data directory).
 * Used by its actor only.
 */
public final class PlacementCoordinator extends AbstractBehavior<PlacementCoordinator.Command> {
  /** What the coordinator is asked; {@link Locate} from the entities, the rest its own. */
  public sealed interface Command permits Locate, Internal {}

  private sealed interface Internal extends Command {}

  private record HostsChanged(Set<ActorRef<ReplicaHost.Command>> hosts) implements Internal {}

  private record GotHoldings(ActorRef<ReplicaHost.Command> host, Holdings holdings) implements Internal {}

  private record HoldingsFailed(ActorRef<ReplicaHost.Command> host) implements Internal {}

  private record PreviousLocations(Map<Integer, String> locations) implements Internal {}

  private enum Tick implements Internal { INSTANCE }

  private enum Published implements Internal { INSTANCE }

  private record PublishFailed(Throwable cause) implements Internal {}

  /** The placement has been published long enough for every subscriber of it to have seen it. */
  private enum Settled implements Internal { INSTANCE }

  /**
   * How long after its placement is written the coordinator starts answering: Sharding's
   * allocation strategy learns of a change from Distributed Data's subscriber notification, which
   * comes up to {@code akka.cluster.distributed-data.notify-subscribers-interval} (0.5 s) later.
   * Requests sent before it would reach a shard allocated to the requesting node, which Sharding
   * then hands off, dropping the messages it buffered.
   */
  private static final Duration SETTLE = Duration.ofSeconds(1);

  private final KeyspaceSettings settings;
  private final ExternalShardAllocationClient allocation;
  private final int minMembers;
  private final Map<Integer, String> placement = new TreeMap<>();
  private final Map<ActorRef<ReplicaHost.Command>, String> reported = new HashMap<>();
  private final Set<ActorRef<ReplicaHost.Command>> hosts = new HashSet<>();
  private final List<Locate> waiting = new ArrayList<>();
  private boolean previousKnown;
  /** Every shard has a node (answers wait for {@link #ready}). */
  private boolean placed;
  /** Placed, published and settled: Locate is answered. */
  private boolean ready;
  private int publishing;

  private PlacementCoordinator(ActorContext<Command> context, KeyspaceSettings settings) {
    super(context);
    this.settings = settings;
    this.allocation = ExternalShardAllocation.get(context.getSystem()).getClient(settings.entityTypeName());
    this.minMembers = context.getSystem().settings().config().getInt("akka.cluster.min-nr-of-members");
    context.getSystem().receptionist().tell(Receptionist.subscribe(ReplicaHost.serviceKey(settings.name()),
        context.messageAdapter(Receptionist.Listing.class,
            l -> new HostsChanged(l.getServiceInstances(ReplicaHost.serviceKey(settings.name()))))));
    context.pipeToSelf(allocation.getShardLocations(), (locations, failure) ->
        new PreviousLocations(failure == null ? byShard(locations) : Map.of()));
  }

  public static Behavior<Command> create(KeyspaceSettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofSeconds(1));
      return new PlacementCoordinator(context, settings);
    }));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Locate.class, this::onLocate)
        .onMessage(HostsChanged.class, this::onHostsChanged)
        .onMessage(GotHoldings.class, this::onHoldings)
        .onMessage(HoldingsFailed.class, m -> {
          askHoldings(m.host());
          return this;
        })
        .onMessage(PreviousLocations.class, this::onPreviousLocations)
        .onMessageEquals(Tick.INSTANCE, this::placeWhenReady)
        .onMessageEquals(Published.INSTANCE, this::onPublished)
        .onMessageEquals(Settled.INSTANCE, () -> {
          ready = true;
          return answerWaiting();
        })
        .onMessage(PublishFailed.class, this::onPublishFailed)
        .build();
  }

  private Behavior<Command> onLocate(Locate m) {
    String address = placement.get(m.shard());
    if (ready && address != null) {
      m.replyTo().tell(new Location(m.shard(), address));
    } else {
      waiting.add(m);
    }
    return this;
  }

  private Behavior<Command> onHostsChanged(HostsChanged m) {
    for (ActorRef<ReplicaHost.Command> host : m.hosts()) {
      if (hosts.add(host)) {
        askHoldings(host);
      }
    }
    hosts.retainAll(m.hosts());
    reported.keySet().retainAll(m.hosts());
    return placeWhenReady();
  }

  private void askHoldings(ActorRef<ReplicaHost.Command> host) {
    getContext().ask(Holdings.class, host, settings.askTimeout(), ListHoldings::new,
        (holdings, failure) -> holdings != null ? new GotHoldings(host, holdings) : new HoldingsFailed(host));
  }

  private Behavior<Command> onHoldings(GotHoldings m) {
    if (!hosts.contains(m.host())) {
      return this;
    }
    reported.put(m.host(), m.holdings().address());
    Map<String, akka.actor.Address> changes = new HashMap<>();
    for (int shard : m.holdings().shards()) {
      String current = placement.get(shard);
      if (current == null) {
        placement.put(shard, m.holdings().address());
        changes.put(Integer.toString(shard), AddressFromURIString.parse(m.holdings().address()));
      } else if (!current.equals(m.holdings().address())) {
        getContext().getLog().warn("keyspace '{}' shard {}: {} holds a store of it, but it is placed on {}; "
            + "the store on {} is not served", settings.name(), shard, m.holdings().address(), current,
            m.holdings().address());
      }
    }
    publish(changes);
    return placeWhenReady();
  }

  private Behavior<Command> onPreviousLocations(PreviousLocations m) {
    m.locations().forEach(placement::putIfAbsent);
    previousKnown = true;
    return placeWhenReady();
  }

  /** Places the new shards once every Up member has said what it holds, then answers the waiting entities. */
  private Behavior<Command> placeWhenReady() {
    if (!placed) {
      Set<String> up = new TreeSet<>();
      Cluster.get(getContext().getSystem()).state().getMembers().forEach(member -> {
        if (member.status() == MemberStatus.up()) {
          up.add(member.address().toString());
        }
      });
      Set<String> reportedAddresses = new TreeSet<>(reported.values());
      if (!previousKnown || reportedAddresses.size() < minMembers || !reportedAddresses.containsAll(up)) {
        return this;
      }
      Map<String, Integer> load = new TreeMap<>();
      reportedAddresses.forEach(a -> load.put(a, 0));
      placement.values().forEach(a -> load.computeIfPresent(a, (k, n) -> n + 1));
      Map<String, akka.actor.Address> changes = new HashMap<>();
      for (int shard = 0; shard < settings.shards(); shard++) {
        if (!placement.containsKey(shard)) {
          String least = load.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
          load.merge(least, 1, Integer::sum);
          placement.put(shard, least);
          changes.put(Integer.toString(shard), AddressFromURIString.parse(least));
        }
      }
      publish(changes);
      placed = true;
      getContext().getLog().info("keyspace '{}': {} shards placed on {}", settings.name(), settings.shards(), load);
      if (publishing == 0) {
        getContext().scheduleOnce(SETTLE, getContext().getSelf(), Settled.INSTANCE);
      }
    }
    return answerWaiting();
  }

  private Behavior<Command> onPublished() {
    publishing--;
    if (placed && !ready && publishing == 0) {
      getContext().scheduleOnce(SETTLE, getContext().getSelf(), Settled.INSTANCE);
    }
    return this;
  }

  private Behavior<Command> answerWaiting() {
    if (!ready) {
      return this;
    }
    for (Locate m : waiting) {
      m.replyTo().tell(new Location(m.shard(), placement.get(m.shard())));
    }
    waiting.clear();
    return this;
  }

  /**
   * Writes the placement of {@code changes} to ExternalShardAllocation; a failed write is retried
   * on the next tick with every placement, so Sharding never keeps an outdated location.
   */
  private void publish(Map<String, akka.actor.Address> changes) {
    if (!changes.isEmpty()) {
      publishing++;
      getContext().pipeToSelf(allocation.setShardLocations(changes),
          (done, failure) -> failure == null ? Published.INSTANCE : new PublishFailed(failure));
    }
  }

  private Behavior<Command> onPublishFailed(PublishFailed m) {
    publishing--;
    getContext().getLog().warn("keyspace '{}': recording shard locations failed, retrying: {}", settings.name(),
        m.cause().toString());
    Map<String, akka.actor.Address> all = new HashMap<>();
    placement.forEach((shard, address) -> all.put(Integer.toString(shard), AddressFromURIString.parse(address)));
    publish(all);
    return this;
  }

  private static Map<Integer, String> byShard(ShardLocations locations) {
    Map<Integer, String> byShard = new TreeMap<>();
    locations.getShardLocations().forEach((shard, location) -> {
      try {
        byShard.put(Integer.parseInt(shard), location.address().toString());
      } catch (NumberFormatException e) {
        // Not a shard of this keyspace's numbering: nothing to keep.
      }
    });
    return byShard;
  }
}
