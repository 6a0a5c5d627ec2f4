package dev.strata.cluster.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Which replica moves next: the placement coordinator's balancing, without actors. */
class ReplicaBalancerTest {
  private static final Set<String> ABC = Set.of("a", "b", "c");

  /** {@code shards} shards, each with a replica on a, b and c, led in turn by each. */
  private static Map<Integer, TreeSet<String>> everyShardOnABC(int shards) {
    Map<Integer, TreeSet<String>> replicas = new TreeMap<>();
    for (int s = 0; s < shards; s++) {
      replicas.put(s, new TreeSet<>(ABC));
    }
    return replicas;
  }

  private static Map<Integer, String> ledInTurn(int shards) {
    Map<Integer, String> leaders = new HashMap<>();
    for (int s = 0; s < shards; s++) {
      leaders.put(s, new String[] {"a", "b", "c"}[s % 3]);
    }
    return leaders;
  }

  /** Applies moves until none is left; returns how many. */
  private static int balance(Map<Integer, TreeSet<String>> replicas, Map<Integer, String> leaders, Set<String> nodes,
      Set<String> draining) {
    int moves = 0;
    ReplicaBalancer.Move move;
    while ((move = ReplicaBalancer.next(replicas, leaders, nodes, 3, Set.of(), draining)) != null) {
      assertTrue(moves++ < 100, "balancing ends");
      TreeSet<String> next = move.applyTo(replicas.get(move.shard()));
      assertTrue(next.size() >= 2, "a move never leaves a shard short of a majority: " + move);
      replicas.put(move.shard(), next);
    }
    return moves;
  }

  private static Map<String, Integer> load(Map<Integer, TreeSet<String>> replicas) {
    Map<String, Integer> load = new TreeMap<>();
    replicas.values().forEach(set -> set.forEach(n -> load.merge(n, 1, Integer::sum)));
    return load;
  }

  @Test
  void aJoinedNodeGetsItsShareAndEveryShardKeepsThreeReplicas() {
    Map<Integer, TreeSet<String>> replicas = everyShardOnABC(8);
    Set<String> nodes = Set.of("a", "b", "c", "d");
    int planned = ReplicaBalancer.plannedMoves(replicas, ledInTurn(8), nodes, 3, Set.of(), Set.of());
    assertEquals(6, balance(replicas, ledInTurn(8), nodes, Set.of()));
    assertEquals(6, planned);
    assertEquals(Map.of("a", 6, "b", 6, "c", 6, "d", 6), load(replicas));
    replicas.values().forEach(set -> assertEquals(3, set.size(), replicas.toString()));
  }

  @Test
  void aMovePrefersAShardItsSourceDoesNotLead() {
    ReplicaBalancer.Move move = ReplicaBalancer.next(everyShardOnABC(3), ledInTurn(3), Set.of("a", "b", "c", "d"), 3,
        Set.of(), Set.of());
    assertEquals("d", move.to());
    assertFalse(move.from().equals(ledInTurn(3).get(move.shard())), move.toString());
  }

  @Test
  void balancedReplicasAndShardsWithALostReplicaOrAMoveUnderWayStayPut() {
    assertNull(ReplicaBalancer.next(everyShardOnABC(8), ledInTurn(8), ABC, 3, Set.of(), Set.of()));
    // d joined but c is down: every shard has a replica on c, so none moves.
    assertNull(ReplicaBalancer.next(everyShardOnABC(8), ledInTurn(8), Set.of("a", "b", "d"), 3, Set.of(), Set.of()));
    // Every shard but 5 is being moved: only 5 may move.
    Set<Integer> busy = new TreeSet<>(Set.of(0, 1, 2, 3, 4, 6, 7));
    assertEquals(5, ReplicaBalancer.next(everyShardOnABC(8), ledInTurn(8), Set.of("a", "b", "c", "d"), 3, busy,
        Set.of()).shard());
  }

  @Test
  void shortAndLongReplicaSetsGetReplicationFactorReplicas() {
    Map<Integer, TreeSet<String>> replicas = everyShardOnABC(4);
    replicas.put(1, new TreeSet<>(Set.of("a")));
    replicas.put(2, new TreeSet<>(Set.of("a", "b", "c", "d")));
    Map<Integer, String> leaders = Map.of(0, "a", 1, "a", 2, "d", 3, "c");
    ReplicaBalancer.Move first = ReplicaBalancer.next(replicas, leaders, Set.of("a", "b", "c", "d"), 3, Set.of(),
        Set.of());
    assertEquals(new ReplicaBalancer.Move(1, null, "d"), first, "the short set grows on the node holding fewest");
    balance(replicas, leaders, Set.of("a", "b", "c", "d"), Set.of());
    replicas.values().forEach(set -> assertEquals(3, set.size(), replicas.toString()));
    assertTrue(replicas.get(2).contains("d"), "the long set keeps its leader: " + replicas);
  }

  @Test
  void aDrainedNodeEndsWithNoReplica() {
    Map<Integer, TreeSet<String>> replicas = everyShardOnABC(8);
    balance(replicas, ledInTurn(8), Set.of("a", "b", "c", "d"), Set.of());
    balance(replicas, ledInTurn(8), Set.of("a", "b", "c", "d"), Set.of("b"));
    assertFalse(load(replicas).containsKey("b"), replicas.toString());
    assertEquals(Map.of("a", 8, "c", 8, "d", 8), load(replicas));
    // With no other node left, a drained node's replicas are removed, not moved.
    Map<Integer, TreeSet<String>> three = everyShardOnABC(2);
    balance(three, ledInTurn(2), ABC, Set.of("c"));
    assertEquals(Map.of("a", 2, "b", 2), load(three));
  }
}
