package dev.strata.cluster.sharding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Chooses the next replica move of a keyspace: pure arithmetic over the replica sets, no actor,
 * so that {@link ReplicaMoves} only carries moves out. Stateless and thread-safe.
 *
 * <p>The target: every shard has {@code min(replication-factor, nodes)} replicas, and each node
 * holds {@code shards * factor / nodes} of them, give or take one, except the nodes being drained,
 * which hold none. In this order it
 * <ol>
 *   <li>moves a replica off a node being drained (to the node holding fewest),
 *   <li>adds a replica to a shard that has too few (on the node holding fewest),
 *   <li>removes one from a shard that has too many (from the node holding most),
 *   <li>moves one from the node holding most to the node holding fewest, while they differ by two
 *       or more, choosing a shard the source does not lead when it can (a leader's move costs a
 *       hand-over).
 * </ol>
 * A shard with a replica on a node that is not live, or with a move under way, is left alone.
 */
final class ReplicaBalancer {
  private ReplicaBalancer() {}

  /** Moves shard {@code shard}'s replica from node {@code from} (null: adds one) to node {@code to} (null: removes one). */
  record Move(int shard, String from, String to) {
    Move {
      if (from == null && to == null) {
        throw new IllegalArgumentException("a move of shard " + shard + " adds or removes a replica");
      }
    }

    /** The replica set after this move. */
    TreeSet<String> applyTo(Set<String> members) {
      TreeSet<String> next = new TreeSet<>(members);
      if (from != null) {
        next.remove(from);
      }
      if (to != null) {
        next.add(to);
      }
      return next;
    }
  }

  /**
   * The next move, or null when the replicas are balanced. {@code replicas}: each shard's replica
   * set with the moves under way counted as done; {@code busy}: the shards being moved;
   * {@code leaders}: each shard's leader; {@code nodes}: the live nodes that reported;
   * {@code draining}: those of them to hold no replica.
   */
  static Move next(Map<Integer, ? extends Set<String>> replicas, Map<Integer, String> leaders, Set<String> nodes,
      int replicationFactor, Set<Integer> busy, Set<String> draining) {
    Set<String> targets = new TreeSet<>(nodes);
    targets.removeAll(draining);
    if (targets.isEmpty()) {
      return null;
    }
    int factor = Math.min(replicationFactor, targets.size());
    Map<String, Integer> load = new TreeMap<>();
    targets.forEach(n -> load.put(n, 0));
    replicas.values().forEach(set -> set.forEach(n -> load.computeIfPresent(n, (k, c) -> c + 1)));
    List<Integer> movable = new ArrayList<>();
    replicas.forEach((shard, set) -> {
      if (!busy.contains(shard) && !set.isEmpty() && nodes.containsAll(set)) {
        movable.add(shard);
      }
    });
    for (int shard : movable) {
      Set<String> set = replicas.get(shard);
      for (String node : set) {
        if (draining.contains(node)) {
          TreeSet<String> others = new TreeSet<>(targets);
          others.removeAll(set);
          if (!others.isEmpty()) {
            return new Move(shard, node, extreme(load, others, false));
          }
          if (set.size() > 1) {
            return new Move(shard, node, null); // fewer nodes than replicas: the shard keeps one fewer
          }
        }
      }
    }
    for (int shard : movable) {
      Set<String> set = replicas.get(shard);
      if (set.size() < factor) {
        TreeSet<String> others = new TreeSet<>(targets);
        others.removeAll(set);
        return new Move(shard, null, extreme(load, others, false));
      }
      if (set.size() > factor) {
        TreeSet<String> members = new TreeSet<>(set);
        if (members.size() > 1) {
          members.remove(leaders.get(shard));
        }
        return new Move(shard, extreme(load, members, true), null);
      }
    }
    String most = extreme(load, load.keySet(), true);
    String fewest = extreme(load, load.keySet(), false);
    if (load.get(most) - load.get(fewest) < 2) {
      return null;
    }
    Move ledByMost = null;
    for (int shard : movable) {
      Set<String> set = replicas.get(shard);
      if (set.contains(most) && !set.contains(fewest)) {
        if (!most.equals(leaders.get(shard))) {
          return new Move(shard, most, fewest);
        }
        if (ledByMost == null) {
          ledByMost = new Move(shard, most, fewest);
        }
      }
    }
    return ledByMost;
  }

  /**
   * How many moves {@link #next} makes, one after the other, until the replicas are balanced
   * (moves under way not counted).
   */
  static int plannedMoves(Map<Integer, ? extends Set<String>> replicas, Map<Integer, String> leaders,
      Set<String> nodes, int replicationFactor, Set<Integer> busy, Set<String> draining) {
    Map<Integer, TreeSet<String>> simulated = new HashMap<>();
    replicas.forEach((shard, set) -> simulated.put(shard, new TreeSet<>(set)));
    int moves = 0;
    int bound = Math.max(1, simulated.size()) * Math.max(1, replicationFactor) * 2;
    Move move;
    while (moves < bound && (move = next(simulated, leaders, nodes, replicationFactor, busy, draining)) != null) {
      simulated.put(move.shard(), move.applyTo(simulated.get(move.shard())));
      moves++;
    }
    return moves;
  }

  /** The node of {@code among} holding most ({@code most}) or fewest replicas; ties go to the first in address order. */
  private static String extreme(Map<String, Integer> load, Set<String> among, boolean most) {
    Comparator<String> byLoad = Comparator.comparing((String n) -> load.getOrDefault(n, 0));
    return among.stream().min(most ? byLoad.reversed().thenComparing(n -> n) : byLoad.thenComparing(n -> n))
        .orElseThrow();
  }
}
