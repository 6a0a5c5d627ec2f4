package dev.strata.cluster.sharding;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;

/**
 * Carries out a keyspace's replica moves, one per shard, each a small state machine; which moves
 * to make is {@link ReplicaBalancer}'s choice and sending the steps is the {@link Hosts} given.
 * Not thread-safe: used by the coordinator's actor only (a {@link PlacementCoordinator}), which
 * feeds it every answer as a message of its own.
 *
 * <p>A move of shard s from X to N: s's leader adds N to the replica set (a configuration change
 * carried in the log); N catches up from the log or a checkpoint; once N's match reached the
 * leader's commit index, leadership leaves X if X leads (to an up-to-date replica); the leader
 * removes X; once that committed, X's host deletes its store. Each step is asked again until it
 * is answered; a move whose new node is lost before it caught up is undone (N removed again), one
 * that makes no headway in {@link #MOVE_PATIENCE} is given up. Writes continue throughout: every
 * configuration change keeps a majority of the old set in the new one.
 *
 * <p>It works on the coordinator's own maps (leaders, replica sets, committed replica sets, the
 * nodes holding a store of each shard), which it is given and changes in place: a step's answer
 * is the coordinator's knowledge from then on.
 */
final class ReplicaMoves {
  /** The steps of a replica move (see the class comment). */
  enum Phase { ADD, CATCH_UP, LEAD_AWAY, REMOVE, DROP, UNDO }

  /** One replica move under way; mutable, this class's own. */
  static final class Move {
    final ReplicaBalancer.Move plan;
    private Phase phase;
    private boolean asked;
    /** The leader's commit index at the previous look, which the new replica must reach. */
    private long commitToReach = -1;
    /** When the move last made headway (System.nanoTime). */
    private long progressed = System.nanoTime();

    Move(ReplicaBalancer.Move plan) {
      this.plan = plan;
      // A replica only removed (a set too long, a drain with no other node) may be the leader's:
      // leadership leaves it first.
      this.phase = plan.to() != null ? Phase.ADD : Phase.LEAD_AWAY;
    }

    Phase phase() {
      return phase;
    }

    private void advance(Phase next) {
      phase = next;
      asked = false;
      progressed = System.nanoTime();
    }

    @Override
    public String toString() {
      return "shard " + plan.shard() + " from " + plan.from() + " to " + plan.to() + " (" + phase + ")";
    }
  }

  /**
   * What a move asks of the nodes. Each ask answers false, asking nothing, when the node has no
   * replica host known; an asked step's answer comes back through {@link #stepAnswered} or
   * {@link #leaderProgress}.
   */
  interface Hosts {
    /** Asks {@code leader}'s host to change {@code move}'s shard's replica set to {@code members}. */
    boolean changeReplicas(Move move, Phase phase, String leader, List<String> members);

    /** Asks {@code leader}'s host for the progress of its replicas. */
    boolean askProgress(Move move, String leader);

    /** Asks {@code node}'s host to delete its store of {@code move}'s shard, the move's last step. */
    boolean dropReplica(Move move, String node);

    /** Asks {@code node}'s host to delete its store of {@code shard}; the answer is not awaited. */
    boolean dropStore(int shard, String node);

    /** {@code node} leads {@code shard} from now on: publishes it (the leaders map already says so). */
    void led(int shard, String node);
  }

  /** How long a move may make no headway before it is given up (or undone). */
  static final Duration MOVE_PATIENCE = Duration.ofMinutes(2);

  private final String keyspace;
  private final Logger log;
  private final Hosts hosts;
  /** Shard -> the node leading it. */
  private final Map<Integer, String> leaders;
  /** Shard -> the nodes holding its replicas. */
  private final Map<Integer, TreeSet<String>> replicas;
  /** Shard -> its replica set as last known committed. */
  private final Map<Integer, List<String>> committed;
  /** Shard -> the nodes that reported (or were given) a store of it. */
  private final Map<Integer, Set<String>> holders;
  /** Shard -> its move under way. */
  private final Map<Integer, Move> moves = new TreeMap<>();
  /** Moves finished since {@link #takeFinished} was last called. */
  private int finished;

  ReplicaMoves(String keyspace, Logger log, Hosts hosts, Map<Integer, String> leaders,
      Map<Integer, TreeSet<String>> replicas, Map<Integer, List<String>> committed, Map<Integer, Set<String>> holders) {
    this.keyspace = keyspace;
    this.log = log;
    this.hosts = hosts;
    this.leaders = leaders;
    this.replicas = replicas;
    this.committed = committed;
    this.holders = holders;
  }

  /** Starts {@code plan}; its first step is asked by the next {@link #step}. */
  void start(ReplicaBalancer.Move plan) {
    log.info("keyspace '{}': moving a replica of shard {} from {} to {}", keyspace, plan.shard(), plan.from(),
        plan.to());
    moves.put(plan.shard(), new Move(plan));
  }

  /** The move of {@code shard} under way, or null. */
  Move of(int shard) {
    return moves.get(shard);
  }

  /** The shards being moved. */
  Set<Integer> shards() {
    return Collections.unmodifiableSet(moves.keySet());
  }

  int size() {
    return moves.size();
  }

  boolean isEmpty() {
    return moves.isEmpty();
  }

  /** Whether a move of {@code shard} takes a replica away from {@code node}. */
  boolean movesAway(int shard, String node) {
    Move move = moves.get(shard);
    return move != null && node.equals(move.plan.from());
  }

  /** How many moves finished since the last call. */
  int takeFinished() {
    int n = finished;
    finished = 0;
    return n;
  }

  /** Each shard's replica set with the moves under way counted as done. */
  Map<Integer, TreeSet<String>> replicasAfterMoves() {
    Map<Integer, TreeSet<String>> after = new TreeMap<>();
    replicas.forEach((shard, set) -> {
      Move move = moves.get(shard);
      after.put(shard, move == null || move.phase == Phase.UNDO ? set : move.plan.applyTo(set));
    });
    return after;
  }

  /** Asks the next step of every move under way that has none asked; {@code live}: the live nodes. */
  void step(Set<String> live) {
    for (Move move : List.copyOf(moves.values())) {
      step(move, live);
    }
  }

  private void step(Move move, Set<String> live) {
    int shard = move.plan.shard();
    String to = move.plan.to();
    String from = move.plan.from();
    if ((move.phase == Phase.ADD || move.phase == Phase.CATCH_UP) && !live.contains(to)) {
      log.warn("keyspace '{}': {} is lost; undoing the move", keyspace, move);
      move.advance(replicas.get(shard).contains(to) ? Phase.UNDO : null);
    } else if (System.nanoTime() - move.progressed > MOVE_PATIENCE.toNanos()
        && (move.phase == Phase.ADD || move.phase == Phase.CATCH_UP)) {
      log.warn("keyspace '{}': the move of {} made no headway in {}; undoing it", keyspace, move, MOVE_PATIENCE);
      move.advance(replicas.get(shard).contains(to) ? Phase.UNDO : null);
    }
    if (move.phase == null) {
      moves.remove(shard);
      return;
    }
    if (move.asked) {
      return;
    }
    String leader = leaders.get(shard);
    // A leader off a lost node moves first (the coordinator's ticks see to it); until then, wait.
    String liveLeader = leader == null || !live.contains(leader) ? null : leader;
    switch (move.phase) {
      case ADD, REMOVE, UNDO -> {
        if (liveLeader == null) {
          return;
        }
        TreeSet<String> members = new TreeSet<>(replicas.get(shard));
        if (move.phase == Phase.ADD) {
          members.add(to);
        } else {
          members.remove(move.phase == Phase.UNDO ? to : from);
        }
        move.asked = hosts.changeReplicas(move, move.phase, liveLeader, List.copyOf(members));
      }
      case CATCH_UP -> {
        if (liveLeader == null) {
          return;
        }
        move.asked = hosts.askProgress(move, liveLeader);
      }
      case LEAD_AWAY -> {
        if (from.equals(leader)) {
          // The new replica has caught up: it leads now (any up-to-date replica may).
          leaders.put(shard, to != null ? to : leastLoadedLeader(shard, from, live));
          hosts.led(shard, leaders.get(shard));
          log.info("keyspace '{}' shard {}: leadership moves from {} to {} before {} leaves", keyspace, shard, from,
              leaders.get(shard), from);
        }
        move.advance(Phase.REMOVE);
      }
      case DROP -> {
        if (!live.contains(from) || !hosts.dropReplica(move, from)) {
          finish(move); // its store goes when it reports again (dropRemovedReplicas)
          return;
        }
        move.asked = true;
      }
      default -> throw new IllegalStateException(move.toString());
    }
  }

  private String leastLoadedLeader(int shard, String from, Set<String> live) {
    Map<String, Integer> leading = new TreeMap<>();
    leaders.values().forEach(n -> leading.merge(n, 1, Integer::sum));
    Set<String> candidates = new TreeSet<>(replicas.get(shard));
    candidates.retainAll(live);
    candidates.remove(from);
    return candidates.isEmpty() ? from : PlacementCoordinator.leastLoaded(leading, candidates);
  }

  /**
   * {@code move}'s step {@code phase} was answered: {@code done}, or not and {@code reason} says
   * why. Answers whether the move went on (its next step is then to be asked at once).
   */
  boolean stepAnswered(Move move, Phase phase, boolean done, String reason) {
    int shard = move.plan.shard();
    if (moves.get(shard) != move || move.phase != phase) {
      return false; // an answer to a step asked again meanwhile
    }
    move.asked = false;
    if (!done) {
      log.debug("keyspace '{}': {} not yet: {}", keyspace, move, reason);
      return false;
    }
    switch (phase) {
      case ADD -> {
        replicas.get(shard).add(move.plan.to());
        committed.put(shard, List.copyOf(replicas.get(shard)));
        move.advance(Phase.CATCH_UP);
      }
      case REMOVE -> {
        replicas.get(shard).remove(move.plan.from());
        committed.put(shard, List.copyOf(replicas.get(shard)));
        move.advance(Phase.DROP);
      }
      case UNDO -> {
        replicas.get(shard).remove(move.plan.to());
        committed.put(shard, List.copyOf(replicas.get(shard)));
        log.info("keyspace '{}': the move of {} is undone", keyspace, move);
        moves.remove(shard);
        // What the new node received of the shard is not a replica: it goes (now, or when it reports again).
        holders.computeIfAbsent(shard, s -> new TreeSet<>()).add(move.plan.to());
        dropRemovedReplicas();
      }
      case DROP -> finish(move);
      default -> throw new IllegalStateException(move + " answered " + phase);
    }
    return true;
  }

  private void finish(Move move) {
    Set<String> holding = holders.computeIfAbsent(move.plan.shard(), s -> new TreeSet<>());
    if (move.plan.from() != null) {
      holding.remove(move.plan.from());
    }
    if (move.plan.to() != null) {
      holding.add(move.plan.to());
    }
    moves.remove(move.plan.shard());
    finished++;
    log.info("keyspace '{}': moved {}", keyspace, move);
  }

  /**
   * The leader's progress, asked in {@code move}'s CATCH_UP (null: the ask failed). The new replica
   * caught up once its match reached the leader's commit index of the previous look. Answers
   * whether it did (its next step is then to be asked at once).
   */
  boolean leaderProgress(Move move, ReplicaHost.Progress progress) {
    int shard = move.plan.shard();
    if (moves.get(shard) != move || move.phase != Phase.CATCH_UP) {
      return false;
    }
    move.asked = false;
    if (progress == null) {
      return false;
    }
    for (ReplicaHost.ReplicaProgress r : progress.replicas()) {
      if (r.shard() != shard || !r.leading()) {
        continue;
      }
      long match = r.followerMatch().getOrDefault(move.plan.to(), 0L);
      if (move.commitToReach >= 0 && match >= move.commitToReach || match >= r.commitIndex()) {
        log.info("keyspace '{}' shard {}: {} caught up (match {}, commit {})", keyspace, shard, move.plan.to(), match,
            r.commitIndex());
        move.advance(move.plan.from() == null ? null : Phase.LEAD_AWAY);
        if (move.phase == null) {
          finish(move);
        }
        return true;
      }
      if (match > 0 && match > move.commitToReach) {
        move.progressed = System.nanoTime();
      }
      move.commitToReach = r.commitIndex();
    }
    return false;
  }

  /**
   * Deletes the stores of removed replicas: a node that reported a store of a shard it is in
   * neither the replica set nor the committed replica set of, while no move of the shard is under
   * way.
   */
  void dropRemovedReplicas() {
    holders.forEach((shard, nodes) -> {
      List<String> known = committed.get(shard);
      Set<String> members = replicas.get(shard);
      if (moves.containsKey(shard) || known == null || known.isEmpty() || members == null) {
        return;
      }
      for (String node : List.copyOf(nodes)) {
        if (!members.contains(node) && !known.contains(node) && hosts.dropStore(shard, node)) {
          log.info("keyspace '{}' shard {}: {} holds a store of it outside its replica set {}; deleting it", keyspace,
              shard, node, members);
          nodes.remove(node);
        }
      }
    });
  }
}
