package dev.strata.cluster.sharding;

import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent.CurrentClusterState;
import akka.cluster.Member;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides which nodes hold each shard of a keyspace and which of them leads it: a cluster
 * singleton per keyspace, which writes the leaders to {@code ExternalShardAllocation} (Cluster
 * Sharding then allocates each shard's entity there) and answers the entities' {@link Locate}.
 *
 * <p>The rules. A shard's leader is always one of its replicas: the replication protocol's
 * Prepare round then brings the new leader's log up to the most up-to-date majority's, so any
 * live replica may lead. Before it places anything the coordinator learns what exists: the
 * leaders already in {@code ExternalShardAllocation} (a previous coordinator's decisions,
 * replicated to every node) and the shard stores every node's {@link ReplicaHost} holds, each
 * with its replica's own configuration and last log position; it waits until every Up member has
 * reported and at least {@code akka.cluster.min-nr-of-members} have. A shard's replica set is the
 * configuration of its most up-to-date reporter (the replicas themselves carry it in their log,
 * so a coordinator that moves keeps it); a store on a node outside its shard's committed set is
 * a removed replica, and is deleted. A shard nobody holds is new, and gets
 * {@code replication-factor} replicas (at most one per node) on the nodes holding fewest,
 * its leader on the node leading fewest. When a shard's leader is no longer an Up, reachable
 * member, leadership moves to another of its replicas that is; with one replica it cannot move,
 * and the shard's requests fail until its node is back.
 *
 * <p>Replicas move (see {@link ReplicaBalancer} for which) when a node joins after the shards were
 * placed and on {@link PlacementProtocol.Rebalance}, at most {@code max-concurrent-moves} at a time
 * and one per shard; {@link ReplicaMoves} carries each move out, step by step, and this actor sends
 * the steps it asks and hands it their answers. Writes continue throughout: every configuration
 * change keeps a majority of the old set in the new one. Used by its actor only.
 */
public final class PlacementCoordinator extends AbstractBehavior<PlacementCoordinator.Command> {
  /** What the coordinator is asked; {@link Locate} from the entities, the rest its own. */
  public sealed interface Command permits Locate, PlacementProtocol.GetPlacement, PlacementProtocol.Rebalance,
      PlacementProtocol.Drain, Internal {}

  private sealed interface Internal extends Command {}

  private record HostsChanged(Set<ActorRef<ReplicaHost.Command>> hosts) implements Internal {}

  private record GotHoldings(ActorRef<ReplicaHost.Command> host, Holdings holdings) implements Internal {}

  private record HoldingsFailed(ActorRef<ReplicaHost.Command> host) implements Internal {}

  private record PreviousLocations(Map<Integer, String> locations) implements Internal {}

  private enum Tick implements Internal { INSTANCE }

  /** A move's step was answered: {@code done}, or not and {@code reason} says why. */
  private record StepAnswered(ReplicaMoves.Move move, ReplicaMoves.Phase phase, boolean done, String reason)
      implements Internal {}

  /** The progress of the leader's replicas, asked to see whether a move's new replica caught up. */
  private record LeaderProgress(ReplicaMoves.Move move, ReplicaHost.Progress progress) implements Internal {}

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
  /** Shard -> the node leading it. */
  private final Map<Integer, String> leaders = new TreeMap<>();
  /** Shard -> the nodes holding its replicas. */
  private final Map<Integer, TreeSet<String>> replicas = new TreeMap<>();
  private final Map<ActorRef<ReplicaHost.Command>, String> reported = new HashMap<>();
  /** Shards some node reported a store of (replica sets learnt from holdings rather than from a leader alone). */
  private final Set<Integer> held = new HashSet<>();
  private final Set<ActorRef<ReplicaHost.Command>> hosts = new HashSet<>();
  /** Shard -> the most up-to-date of its replicas that reported, as it sees itself. */
  private final Map<Integer, PlacementProtocol.HeldShard> best = new HashMap<>();
  /** Shard -> the nodes that reported a store of it. */
  private final Map<Integer, Set<String>> holders = new HashMap<>();
  /** Shard -> its replica set as last known committed (reported, or changed by this coordinator). */
  private final Map<Integer, List<String>> committed = new HashMap<>();
  /** The replica moves under way. */
  private final ReplicaMoves moves;
  /** Replicas are being balanced (a node joined, or a rebalance was asked). */
  private boolean balancing;
  /** Nodes to hold no replica (drained), as long as this coordinator runs. */
  private final Set<String> draining = new TreeSet<>();
  private final List<Locate> waiting = new ArrayList<>();
  private final List<PlacementProtocol.GetPlacement> waitingForPlacement = new ArrayList<>();
  private boolean previousKnown;
  /** Every shard has replicas and a leader (answers wait for {@link #ready}). */
  private boolean placed;
  /** Placed, published and settled: Locate is answered. */
  private boolean ready;
  private int publishing;

  private PlacementCoordinator(ActorContext<Command> context, KeyspaceSettings settings) {
    super(context);
    this.settings = settings;
    this.allocation = ExternalShardAllocation.get(context.getSystem()).getClient(settings.entityTypeName());
    this.minMembers = context.getSystem().settings().config().getInt("akka.cluster.min-nr-of-members");
    this.moves = new ReplicaMoves(settings.name(), context.getLog(), new MoveSteps(), leaders, replicas, committed,
        holders);
    context.getSystem().receptionist().tell(Receptionist.subscribe(ReplicaHost.serviceKey(settings.name()),
        context.messageAdapter(Receptionist.Listing.class,
            l -> new HostsChanged(l.getServiceInstances(ReplicaHost.serviceKey(settings.name()))))));
    Cluster.get(context.getSystem()).subscriptions().tell(akka.cluster.typed.Subscribe.create(
        context.messageAdapter(akka.cluster.ClusterEvent.ClusterDomainEvent.class, e -> Tick.INSTANCE),
        akka.cluster.ClusterEvent.ClusterDomainEvent.class));
    context.pipeToSelf(allocation.getShardLocations(), (locations, failure) ->
        new PreviousLocations(failure == null ? byShard(locations) : Map.of()));
  }

  public static Behavior<Command> create(KeyspaceSettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(500));
      return new PlacementCoordinator(context, settings);
    }));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Locate.class, this::onLocate)
        .onMessage(PlacementProtocol.GetPlacement.class, m -> {
          waitingForPlacement.add(m);
          return answerWaiting();
        })
        .onMessage(PlacementProtocol.Rebalance.class, this::onRebalance)
        .onMessage(PlacementProtocol.Drain.class, this::onDrain)
        .onMessage(HostsChanged.class, this::onHostsChanged)
        .onMessage(GotHoldings.class, this::onHoldings)
        .onMessage(HoldingsFailed.class, m -> {
          if (hosts.contains(m.host())) {
            askHoldings(m.host());
          }
          return this;
        })
        .onMessage(PreviousLocations.class, this::onPreviousLocations)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(Published.INSTANCE, this::onPublished)
        .onMessageEquals(Settled.INSTANCE, () -> {
          ready = true;
          return answerWaiting();
        })
        .onMessage(PublishFailed.class, this::onPublishFailed)
        .onMessage(StepAnswered.class, this::onStepAnswered)
        .onMessage(LeaderProgress.class, m -> {
          if (moves.leaderProgress(m.move(), m.progress())) {
            driveMoves(liveMembers()); // the next step at once, not at the next tick
          }
          return this;
        })
        .build();
  }

  private Behavior<Command> onLocate(Locate m) {
    waiting.add(m);
    return answerWaiting();
  }

  /**
   * Sharding starts a shard's entity on the node that asked for it when the placed leader is not a
   * member: if that node holds a replica, it leads from now on (the Prepare round makes that safe),
   * rather than refusing until the next tick moves the leader and Sharding hands the shard off
   * again, dropping the messages it buffered meanwhile.
   */
  private void takeOverFromLostLeader(Locate m, Set<String> live) {
    String leader = leaders.get(m.shard());
    if (leader == null || live.contains(leader) || !live.contains(m.requester())
        || !replicas.getOrDefault(m.shard(), new TreeSet<>()).contains(m.requester())) {
      return;
    }
    getContext().getLog().info("keyspace '{}' shard {}: leader {} is gone, {} where its entity started leads now",
        settings.name(), m.shard(), leader, m.requester());
    leaders.put(m.shard(), m.requester());
    publish(Map.of(Integer.toString(m.shard()), AddressFromURIString.parse(m.requester())));
  }

  private Behavior<Command> onHostsChanged(HostsChanged m) {
    for (ActorRef<ReplicaHost.Command> host : m.hosts()) {
      if (hosts.add(host)) {
        askHoldings(host);
      }
    }
    hosts.retainAll(m.hosts());
    reported.keySet().retainAll(m.hosts());
    return onTick();
  }

  private void askHoldings(ActorRef<ReplicaHost.Command> host) {
    getContext().ask(Holdings.class, host, settings.askTimeout(), ListHoldings::new,
        (holdings, failure) -> holdings != null ? new GotHoldings(host, holdings) : new HoldingsFailed(host));
  }

  private Behavior<Command> onHoldings(GotHoldings m) {
    if (!hosts.contains(m.host())) {
      return this;
    }
    String node = m.holdings().address();
    // A node that joins holding no store of the keyspace is a new node: it gets its share. A node
    // that comes back holding stores (a restart, say after a kill) rejoins its replica sets by
    // catching up; balancing then, while other nodes may still be down, moved replicas in the
    // middle of failures and left shards without a serving leader in the kill -9 test.
    // `rebalance` balances such a cluster when asked.
    boolean joined = !reported.containsValue(node) && m.holdings().shards().isEmpty();
    reported.put(m.host(), node);
    // Only the replica sets learn from holdings: leaders are chosen once everything is known
    // (placeNewShards), or the first node to report would lead every shard it holds.
    for (PlacementProtocol.HeldShard h : m.holdings().shards()) {
      holders.computeIfAbsent(h.shard(), s -> new TreeSet<>()).add(node);
      if (h.members().isEmpty()) {
        continue; // a store that never got its shard's first entry knows no replica set
      }
      PlacementProtocol.HeldShard previous = best.get(h.shard());
      if (previous == null || h.newerThan(previous)
          || (!previous.newerThan(h) && h.members().contains(node) && !previous.members().contains(node))) {
        best.put(h.shard(), h);
        if (!h.committedMembers().isEmpty()) {
          committed.put(h.shard(), h.committedMembers());
        }
        if (!placed) {
          // Once placed, the coordinator's own changes are newer than any report.
          replicas.put(h.shard(), new TreeSet<>(h.members()));
        }
      }
      committed.putIfAbsent(h.shard(), h.committedMembers());
      held.add(h.shard());
    }
    if (placed) {
      balancing |= joined;
      moves.dropRemovedReplicas();
    }
    return onTick();
  }

  private Behavior<Command> onPreviousLocations(PreviousLocations m) {
    m.locations().forEach((shard, node) -> {
      leaders.putIfAbsent(shard, node);
      if (!held.contains(shard)) {
        replicas.computeIfAbsent(shard, s -> new TreeSet<>()).add(node);
      }
    });
    previousKnown = true;
    return onTick();
  }

  /** The Up, reachable members' addresses. */
  private Set<String> liveMembers() {
    CurrentClusterState state = Cluster.get(getContext().getSystem()).state();
    Set<String> unreachable = new HashSet<>();
    state.getUnreachable().forEach(member -> unreachable.add(member.address().toString()));
    Set<String> live = new TreeSet<>();
    for (Member member : state.getMembers()) {
      if (member.status() == MemberStatus.up() && !unreachable.contains(member.address().toString())) {
        live.add(member.address().toString());
      }
    }
    return live;
  }

  private Behavior<Command> onTick() {
    Set<String> live = liveMembers();
    if (!placed) {
      placeNewShards(live);
      if (placed) {
        moves.dropRemovedReplicas();
      }
    } else {
      moveLeadersOffLostNodes(live);
      driveMoves(live);
    }
    return answerWaiting();
  }

  /** Once every live member reported what it holds, gives every shard nobody holds its replicas and leader. */
  private void placeNewShards(Set<String> live) {
    Set<String> reportedNodes = new TreeSet<>(reported.values());
    if (!previousKnown || reportedNodes.size() < minMembers || !reportedNodes.containsAll(live)) {
      return;
    }
    Map<String, Integer> leading = new TreeMap<>();
    Map<String, Integer> holding = new TreeMap<>();
    reportedNodes.forEach(n -> {
      leading.put(n, 0);
      holding.put(n, 0);
    });
    leaders.values().forEach(n -> leading.computeIfPresent(n, (k, c) -> c + 1));
    replicas.values().forEach(set -> set.forEach(n -> holding.computeIfPresent(n, (k, c) -> c + 1)));
    int factor = Math.min(settings.replicationFactor(), reportedNodes.size());
    Map<String, akka.actor.Address> changes = new HashMap<>();
    for (int shard = 0; shard < settings.shards(); shard++) {
      String previous = leaders.get(shard);
      if (previous != null && !held.contains(shard) && reportedNodes.contains(previous)) {
        // A coordinator that took over (the singleton moved) learns replica sets only from the
        // stores on disk, and a shard whose entity has not started yet has none anywhere: its
        // leader, known from the allocation, holds no store either, so it never bootstrapped a
        // replica configuration. Give it a whole replica set as a new shard gets, or its entity
        // would bootstrap a replica set of the leader alone (replication factor 1, for good).
        TreeSet<String> members = new TreeSet<>();
        members.add(previous);
        while (members.size() < factor) {
          Set<String> others = new TreeSet<>(reportedNodes);
          others.removeAll(members);
          members.add(leastLoaded(holding, others));
        }
        members.stream().filter(n -> !n.equals(previous)).forEach(n -> holding.merge(n, 1, Integer::sum));
        replicas.put(shard, members);
        continue;
      }
      if (previous != null && replicas.getOrDefault(shard, new TreeSet<>()).contains(previous)) {
        continue;
      }
      TreeSet<String> held = replicas.get(shard);
      if (held != null && !held.isEmpty()) {
        // Held, but its leader is not known (a full restart): one of its live replicas leads.
        Set<String> candidates = new TreeSet<>(held);
        candidates.retainAll(live);
        String leader = leastLoaded(leading, candidates.isEmpty() ? held : candidates);
        leading.merge(leader, 1, Integer::sum);
        leaders.put(shard, leader);
        changes.put(Integer.toString(shard), AddressFromURIString.parse(leader));
        continue;
      }
      String leader = leastLoaded(leading, reportedNodes);
      TreeSet<String> members = new TreeSet<>();
      members.add(leader);
      while (members.size() < factor) {
        Set<String> others = new TreeSet<>(reportedNodes);
        others.removeAll(members);
        members.add(leastLoaded(holding, others));
      }
      members.forEach(n -> holding.merge(n, 1, Integer::sum));
      leading.merge(leader, 1, Integer::sum);
      leaders.put(shard, leader);
      replicas.put(shard, members);
      changes.put(Integer.toString(shard), AddressFromURIString.parse(leader));
    }
    publish(changes);
    placed = true;
    getContext().getLog().info("keyspace '{}': {} shards placed, leaders per node {}", settings.name(),
        settings.shards(), leading);
    if (publishing == 0) {
      getContext().scheduleOnce(SETTLE, getContext().getSelf(), Settled.INSTANCE);
    }
  }

  static String leastLoaded(Map<String, Integer> load, Set<String> among) {
    return among.stream().min(Comparator.comparing((String n) -> load.getOrDefault(n, 0)).thenComparing(n -> n))
        .orElseThrow();
  }

  /** A shard whose leader is gone gets another live replica as its leader. */
  private void moveLeadersOffLostNodes(Set<String> live) {
    Map<String, Integer> leading = new TreeMap<>();
    leaders.values().forEach(n -> leading.merge(n, 1, Integer::sum));
    Map<String, akka.actor.Address> changes = new HashMap<>();
    for (Map.Entry<Integer, String> e : leaders.entrySet()) {
      if (live.contains(e.getValue())) {
        continue;
      }
      Set<String> candidates = new TreeSet<>(replicas.getOrDefault(e.getKey(), new TreeSet<>()));
      candidates.retainAll(live);
      if (candidates.isEmpty()) {
        continue;
      }
      String next = leastLoaded(leading, candidates);
      getContext().getLog().info("keyspace '{}' shard {}: leader {} is gone, {} leads now", settings.name(),
          e.getKey(), e.getValue(), next);
      leading.merge(next, 1, Integer::sum);
      e.setValue(next);
      changes.put(Integer.toString(e.getKey()), AddressFromURIString.parse(next));
    }
    publish(changes);
  }

  /**
   * Starts balancing the replicas (moves run from the ticks, leaders are balanced again after
   * them) and balances the leaders now; answers how many replicas are to move and how many
   * leaders moved.
   */
  private Behavior<Command> onRebalance(PlacementProtocol.Rebalance m) {
    if (!placed) {
      m.replyTo().tell(new PlacementProtocol.Rebalanced(0, 0));
      return this;
    }
    Set<String> live = liveMembers();
    int replicaMoves = ReplicaBalancer.plannedMoves(moves.replicasAfterMoves(), leaders, balancedNodes(live),
        settings.replicationFactor(), moves.shards(), draining) + moves.size();
    balancing = true;
    int leadersMoved = balanceLeaders(live);
    getContext().getLog().info("keyspace '{}': rebalance moves {} replicas and moved {} leaders", settings.name(),
        replicaMoves, leadersMoved);
    m.replyTo().tell(new PlacementProtocol.Rebalanced(replicaMoves, leadersMoved));
    return this;
  }

  /**
   * Starts moving every replica off the node (if not yet) and answers how many shards it still
   * holds a replica of or is moving one away from.
   */
  private Behavior<Command> onDrain(PlacementProtocol.Drain m) {
    if (!placed) {
      m.replyTo().tell(new PlacementProtocol.Draining(m.address(), settings.shards()));
      return this;
    }
    if (draining.add(m.address())) {
      getContext().getLog().info("keyspace '{}': draining {}", settings.name(), m.address());
    }
    balancing = true;
    int remaining = 0;
    for (Map.Entry<Integer, TreeSet<String>> e : replicas.entrySet()) {
      if (e.getValue().contains(m.address()) || moves.movesAway(e.getKey(), m.address())) {
        remaining++;
      }
    }
    m.replyTo().tell(new PlacementProtocol.Draining(m.address(), remaining));
    return this;
  }

  /**
   * Moves leaders, one shard at a time, from the live node leading most to a live replica of that
   * shard leading fewest, while that narrows the gap; returns how many moved. A node that holds no
   * replica of a shard never leads it.
   */
  private int balanceLeaders(Set<String> live) {
    Map<String, Integer> leading = new TreeMap<>();
    live.forEach(n -> leading.put(n, 0));
    leaders.values().forEach(n -> leading.computeIfPresent(n, (k, c) -> c + 1));
    Map<String, akka.actor.Address> changes = new HashMap<>();
    boolean movedOne = true;
    while (movedOne) {
      movedOne = false;
      for (Map.Entry<Integer, String> e : leaders.entrySet()) {
        String from = e.getValue();
        if (!live.contains(from) || moves.of(e.getKey()) != null) {
          continue;
        }
        Set<String> candidates = new TreeSet<>(replicas.getOrDefault(e.getKey(), new TreeSet<>()));
        candidates.retainAll(live);
        candidates.remove(from);
        candidates.removeAll(draining);
        if (candidates.isEmpty()) {
          continue;
        }
        String to = leastLoaded(leading, candidates);
        if (leading.get(to) + 1 < leading.get(from) || (draining.contains(from) && !draining.contains(to))) {
          leading.merge(from, -1, Integer::sum);
          leading.merge(to, 1, Integer::sum);
          e.setValue(to);
          changes.put(Integer.toString(e.getKey()), AddressFromURIString.parse(to));
          movedOne = true;
        }
      }
    }
    publish(changes);
    getContext().getLog().info("keyspace '{}': {} leaders moved; leaders per node {}", settings.name(),
        changes.size(), leading);
    return changes.size();
  }

  // ---------------------------------------------------------------- replica moves

  /** The live nodes that reported: where replicas may go. */
  private Set<String> balancedNodes(Set<String> live) {
    Set<String> nodes = new TreeSet<>(reported.values());
    nodes.retainAll(live);
    return nodes;
  }

  private ActorRef<ReplicaHost.Command> hostOf(String node) {
    for (Map.Entry<ActorRef<ReplicaHost.Command>, String> e : reported.entrySet()) {
      if (e.getValue().equals(node)) {
        return e.getKey();
      }
    }
    return null;
  }

  /** Starts the moves balancing calls for, up to the bound, and asks each move's next step. */
  private void driveMoves(Set<String> live) {
    Set<String> nodes = balancedNodes(live);
    while (balancing && moves.size() < settings.maxConcurrentMoves()) {
      ReplicaBalancer.Move plan = ReplicaBalancer.next(moves.replicasAfterMoves(), leaders, nodes,
          settings.replicationFactor(), moves.shards(), draining);
      if (plan == null) {
        break;
      }
      moves.start(plan);
    }
    if (balancing && moves.isEmpty()) {
      balancing = false;
      int movesDone = moves.takeFinished();
      if (movesDone > 0) {
        getContext().getLog().info("keyspace '{}': {} replica moves done", settings.name(), movesDone);
        balanceLeaders(live);
      }
    }
    moves.step(live);
  }

  private Behavior<Command> onStepAnswered(StepAnswered m) {
    if (!moves.stepAnswered(m.move(), m.phase(), m.done(), m.reason())) {
      return this;
    }
    driveMoves(liveMembers()); // the next step at once, not at the next tick
    return answerWaiting();
  }

  /** The steps {@link ReplicaMoves} asks, sent as asks whose answers come back to this actor. */
  private final class MoveSteps implements ReplicaMoves.Hosts {
    @Override
    public boolean changeReplicas(ReplicaMoves.Move move, ReplicaMoves.Phase phase, String leader,
        List<String> members) {
      ActorRef<ReplicaHost.Command> host = hostOf(leader);
      if (host == null) {
        return false;
      }
      getContext().ask(PlacementProtocol.ReplicasChanged.class, host, settings.askTimeout(),
          replyTo -> new PlacementProtocol.ChangeReplicas(move.plan.shard(), members, replyTo),
          (r, failure) -> new StepAnswered(move, phase, r != null && r.done(),
              r != null ? r.reason() : String.valueOf(failure)));
      return true;
    }

    @Override
    public boolean askProgress(ReplicaMoves.Move move, String leader) {
      ActorRef<ReplicaHost.Command> host = hostOf(leader);
      if (host == null) {
        return false;
      }
      getContext().ask(ReplicaHost.Progress.class, host, settings.askTimeout(), ReplicaHost.GetProgress::new,
          (p, failure) -> new LeaderProgress(move, p));
      return true;
    }

    @Override
    public boolean dropReplica(ReplicaMoves.Move move, String node) {
      ActorRef<ReplicaHost.Command> host = hostOf(node);
      if (host == null) {
        return false;
      }
      getContext().ask(PlacementProtocol.Dropped.class, host, settings.askTimeout(),
          replyTo -> new PlacementProtocol.DropReplica(move.plan.shard(), replyTo),
          (r, failure) -> new StepAnswered(move, ReplicaMoves.Phase.DROP, r != null && r.done(),
              r != null ? r.reason() : String.valueOf(failure)));
      return true;
    }

    @Override
    public boolean dropStore(int shard, String node) {
      ActorRef<ReplicaHost.Command> host = hostOf(node);
      if (host == null) {
        return false;
      }
      getContext().ask(PlacementProtocol.Dropped.class, host, settings.askTimeout(),
          replyTo -> new PlacementProtocol.DropReplica(shard, replyTo), (r, failure) -> Tick.INSTANCE);
      return true;
    }

    @Override
    public void led(int shard, String node) {
      publish(Map.of(Integer.toString(shard), AddressFromURIString.parse(node)));
    }
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
    Set<String> live = waiting.isEmpty() ? Set.of() : liveMembers();
    for (Locate m : waiting) {
      takeOverFromLostLeader(m, live);
      m.replyTo().tell(location(m.shard()));
    }
    waiting.clear();
    if (!waitingForPlacement.isEmpty()) {
      List<Location> all = new ArrayList<>(settings.shards());
      for (int shard = 0; shard < settings.shards(); shard++) {
        all.add(location(shard));
      }
      waitingForPlacement.forEach(m -> m.replyTo().tell(new PlacementProtocol.Placement(all)));
      waitingForPlacement.clear();
    }
    return this;
  }

  private Location location(int shard) {
    return new Location(shard, leaders.get(shard), List.copyOf(replicas.getOrDefault(shard, new TreeSet<>())));
  }

  /**
   * Writes the leaders of {@code changes} to ExternalShardAllocation; a failed write is retried
   * with every leader, so Sharding never keeps an outdated location.
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
    leaders.forEach((shard, address) -> all.put(Integer.toString(shard), AddressFromURIString.parse(address)));
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
