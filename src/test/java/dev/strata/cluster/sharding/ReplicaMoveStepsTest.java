package dev.strata.cluster.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The steps of a replica move, without actors: what {@link ReplicaMoves} asks of the nodes and
 * what each answer changes. Shard 0 starts on a, b and c, led by a; d is a node with nothing yet.
 */
class ReplicaMoveStepsTest {
  private static final Set<String> ALL = Set.of("a", "b", "c", "d");

  /** Records the asks; a node outside {@code known} has no host, so nothing is asked of it. */
  private static final class RecordingHosts implements ReplicaMoves.Hosts {
    final Set<String> known = new TreeSet<>(ALL);
    final List<String> asked = new ArrayList<>();

    @Override
    public boolean changeReplicas(ReplicaMoves.Move move, ReplicaMoves.Phase phase, String leader,
        List<String> members) {
      return ask(leader, phase + " " + members + " at " + leader);
    }

    @Override
    public boolean askProgress(ReplicaMoves.Move move, String leader) {
      return ask(leader, "progress at " + leader);
    }

    @Override
    public boolean dropReplica(ReplicaMoves.Move move, String node) {
      return ask(node, "DROP at " + node);
    }

    @Override
    public boolean dropStore(int shard, String node) {
      return ask(node, "drop store of " + shard + " at " + node);
    }

    @Override
    public void led(int shard, String node) {
      asked.add(node + " leads " + shard);
    }

    private boolean ask(String node, String what) {
      if (!known.contains(node)) {
        return false;
      }
      asked.add(what);
      return true;
    }

    /** The asks since the previous call. */
    List<String> take() {
      List<String> taken = List.copyOf(asked);
      asked.clear();
      return taken;
    }
  }

  private final Map<Integer, String> leaders = new TreeMap<>(Map.of(0, "a"));
  private final Map<Integer, TreeSet<String>> replicas = new TreeMap<>(Map.of(0, new TreeSet<>(Set.of("a", "b", "c"))));
  private final Map<Integer, List<String>> committed = new HashMap<>(Map.of(0, List.of("a", "b", "c")));
  private final Map<Integer, Set<String>> holders = new HashMap<>(Map.of(0, new TreeSet<>(Set.of("a", "b", "c"))));
  private final RecordingHosts hosts = new RecordingHosts();
  private final ReplicaMoves moves = new ReplicaMoves("test", LoggerFactory.getLogger(ReplicaMoveStepsTest.class),
      hosts, leaders, replicas, committed, holders);

  /** The leader's progress: it leads shard 0 at {@code commit}, and d's log matches up to {@code match}. */
  private static ReplicaHost.Progress progress(long match, long commit) {
    return new ReplicaHost.Progress("a", List.of(new ReplicaHost.ReplicaProgress(0, true, 1, commit, commit,
        Map.of("d", match))), 0, 0);
  }

  /** Starts moving shard 0's replica from a to d and has d added. */
  private ReplicaMoves.Move addD() {
    moves.start(new ReplicaBalancer.Move(0, "a", "d"));
    ReplicaMoves.Move move = moves.of(0);
    moves.step(ALL);
    assertEquals(List.of("ADD [a, b, c, d] at a"), hosts.take());
    assertTrue(moves.stepAnswered(move, ReplicaMoves.Phase.ADD, true, null));
    assertEquals(Set.of("a", "b", "c", "d"), replicas.get(0));
    assertEquals(List.of("a", "b", "c", "d"), committed.get(0));
    return move;
  }

  @Test
  void aMoveAddsCatchesUpHandsLeadershipOverRemovesTheOldReplicaAndDropsItsStore() {
    ReplicaMoves.Move move = addD();
    assertEquals(ReplicaMoves.Phase.CATCH_UP, move.phase());

    moves.step(ALL);
    assertEquals(List.of("progress at a"), hosts.take());
    assertFalse(moves.leaderProgress(move, progress(4, 10)), "d is behind the commit index");
    moves.step(ALL);
    assertEquals(List.of("progress at a"), hosts.take());
    assertTrue(moves.leaderProgress(move, progress(10, 12)), "d reached the commit index of the previous look");
    assertEquals(ReplicaMoves.Phase.LEAD_AWAY, move.phase());

    moves.step(ALL);
    assertEquals(List.of("d leads 0"), hosts.take());
    assertEquals("d", leaders.get(0));
    moves.step(ALL);
    assertEquals(List.of("REMOVE [b, c, d] at d"), hosts.take());
    assertTrue(moves.stepAnswered(move, ReplicaMoves.Phase.REMOVE, true, null));
    assertEquals(Set.of("b", "c", "d"), replicas.get(0));
    assertEquals(List.of("b", "c", "d"), committed.get(0));

    moves.step(ALL);
    assertEquals(List.of("DROP at a"), hosts.take());
    assertTrue(moves.stepAnswered(move, ReplicaMoves.Phase.DROP, true, null));
    assertTrue(moves.isEmpty());
    assertEquals(Set.of("b", "c", "d"), holders.get(0));
    assertEquals(1, moves.takeFinished());
    assertEquals(0, moves.takeFinished());
  }

  @Test
  void aReplicaOnlyRemovedLeavesTheLeaderFirstToTheLeastLoadedLiveReplica() {
    leaders.put(1, "b");
    replicas.put(1, new TreeSet<>(Set.of("b", "c")));
    moves.start(new ReplicaBalancer.Move(0, "a", null));
    assertEquals(ReplicaMoves.Phase.LEAD_AWAY, moves.of(0).phase());
    moves.step(ALL);
    assertEquals(List.of("c leads 0"), hosts.take(), "b leads a shard already, c none");
    moves.step(ALL);
    assertEquals(List.of("REMOVE [b, c] at c"), hosts.take());
  }

  @Test
  void aStepNotDoneIsAskedAgainAndAnAnswerToAnEarlierAskIsIgnored() {
    moves.start(new ReplicaBalancer.Move(0, "a", "d"));
    ReplicaMoves.Move move = moves.of(0);
    moves.step(ALL);
    moves.step(ALL);
    assertEquals(List.of("ADD [a, b, c, d] at a"), hosts.take(), "a step is asked once until it is answered");
    assertFalse(moves.stepAnswered(move, ReplicaMoves.Phase.ADD, false, "not the leader"));
    assertEquals(ReplicaMoves.Phase.ADD, move.phase());
    moves.step(ALL);
    assertEquals(List.of("ADD [a, b, c, d] at a"), hosts.take());
    assertTrue(moves.stepAnswered(move, ReplicaMoves.Phase.ADD, true, null));
    assertFalse(moves.stepAnswered(move, ReplicaMoves.Phase.ADD, true, null), "the move is past ADD");
    assertEquals(ReplicaMoves.Phase.CATCH_UP, move.phase());
  }

  @Test
  void nothingIsAskedOfALeaderThatIsNotLive() {
    moves.start(new ReplicaBalancer.Move(0, "a", "d"));
    moves.step(Set.of("b", "c", "d"));
    assertEquals(List.of(), hosts.take());
    hosts.known.remove("a");
    moves.step(ALL);
    assertEquals(List.of(), hosts.take(), "a has no host known");
    hosts.known.add("a");
    moves.step(ALL);
    assertEquals(List.of("ADD [a, b, c, d] at a"), hosts.take());
  }

  @Test
  void aMoveWhoseNewNodeIsLostAfterItWasAddedIsUndoneAndWhatItReceivedDropped() {
    ReplicaMoves.Move move = addD();
    moves.step(Set.of("a", "b", "c"));
    assertEquals(ReplicaMoves.Phase.UNDO, move.phase());
    assertEquals(List.of("UNDO [a, b, c] at a"), hosts.take());
    assertTrue(moves.stepAnswered(move, ReplicaMoves.Phase.UNDO, true, null));
    assertTrue(moves.isEmpty());
    assertEquals(Set.of("a", "b", "c"), replicas.get(0));
    assertEquals(List.of("a", "b", "c"), committed.get(0));
    assertEquals(List.of("drop store of 0 at d"), hosts.take());
    assertEquals(0, moves.takeFinished(), "an undone move did not finish");
  }

  @Test
  void aMoveWhoseNewNodeIsLostBeforeItWasAddedIsGivenUp() {
    moves.start(new ReplicaBalancer.Move(0, "a", "d"));
    moves.step(Set.of("a", "b", "c"));
    assertTrue(moves.isEmpty());
    assertNull(moves.of(0));
    assertEquals(List.of(), hosts.take());
    assertEquals(Set.of("a", "b", "c"), replicas.get(0));
  }

  @Test
  void aStoreOutsideTheReplicaSetIsDroppedOnlyWhenNoMoveOfItsShardIsUnderWay() {
    leaders.put(1, "b");
    replicas.put(1, new TreeSet<>(Set.of("b", "c", "d")));
    committed.put(1, List.of("b", "c", "d"));
    holders.put(1, new TreeSet<>(Set.of("a", "b", "c", "d")));
    holders.get(0).add("d");
    moves.start(new ReplicaBalancer.Move(1, "d", null));
    moves.dropRemovedReplicas();
    assertEquals(List.of("drop store of 0 at d"), hosts.take(),
        "shard 1 is being moved, so a's store of it is left alone");
    assertEquals(Set.of("a", "b", "c"), holders.get(0));
    assertEquals(Set.of("a", "b", "c", "d"), holders.get(1));
  }

  @Test
  void aStoreOnANodeWithNoHostKnownIsKeptUntilItReportsAgain() {
    holders.get(0).add("d");
    hosts.known.remove("d");
    moves.dropRemovedReplicas();
    assertEquals(List.of(), hosts.take());
    assertEquals(Set.of("a", "b", "c", "d"), holders.get(0));
  }
}
