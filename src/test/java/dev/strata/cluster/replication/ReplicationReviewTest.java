package dev.strata.cluster.replication;

import static dev.strata.cluster.replication.ReplicaHarness.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Scenarios found by the safety review of issue 18 (each failed before its fix): a replica set
 * that has a live majority holding every committed entry must get back to serving, and a leader
 * must not go on believing a follower holds entries it lost.
 */
class ReplicationReviewTest {

  private static Predicate<Output.Send> involving(String id) {
    return s -> s.to().equals(id) || s.message().from().equals(id);
  }

  private static void tick(ReplicaHarness h, String id, int times, Predicate<Output.Send> drop) {
    for (int i = 0; i < times; i++) {
      h.handle(id, h.r(id).tick());
      h.deliver(drop);
    }
  }

  /**
   * b led epochs 1 to 5 with a while c heard nothing. When c is asked to lead, a and b refuse its
   * epoch 1 and say they promised 5; c's next attempt must prepare above 5, not at 2 (each attempt
   * is a client request failing in the Akka wiring, so a node back from a long partition took one
   * failed request per epoch it missed).
   */
  @Test
  void aLeaderRefusedByAHigherPromisePreparesAboveItNextTime() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c");
    for (int i = 0; i < 5; i++) {
      h.handle("b", h.r("b").startLeading());
      h.deliver(involving("c"));
      assertTrue(h.r("b").isServing(), h.r("b").toString());
      h.handle("b", h.r("b").stopLeading());
    }
    assertEquals(5, h.storage.get("a").promisedEpoch());

    h.handle("c", h.r("c").startLeading());
    h.deliverAll();
    assertFalse(h.r("c").isLeading(), "a and b promised epoch 5: c's epoch 1 is refused");

    h.handle("c", h.r("c").startLeading());
    h.deliverAll();
    assertTrue(h.r("c").isServing(), "the second attempt prepares above the promise it was told of: " + h.r("c"));
    assertEquals(6, h.r("c").leaderEpoch());
  }

  /**
   * A write committed on a and c while b heard nothing; a crashed. b is asked to lead: c, the most
   * up-to-date promiser, promises and then crashes before answering b's fetch. a comes back with
   * every committed entry, so a and b are a majority that can serve; b must not wait for c forever.
   */
  @Test
  void aLeaderWhoseFetchSourceIsLostFetchesFromAnotherMajority() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    h.handle("a", h.r("a").propose(1, put("k", "v1")));
    h.deliver(involving("b"));
    assertTrue(h.has(new Output.WriteAcked(1, 3)), h.events.toString());

    // a crashes; b prepares, c promises; c crashes before b's Fetch reaches it.
    h.handle("b", h.r("b").startLeading());
    h.deliver(s -> s.to().equals("a") || s.message() instanceof Message.Fetch);
    assertTrue(h.r("b").toString().contains("FETCHING epoch 2 from c"), "b adopts c's log: " + h.r("b"));
    h.restart("a");
    tick(h, "b", 200, involving("c"));

    assertTrue(h.r("b").isServing(), "a and b are a majority holding every committed entry: " + h.r("b"));
    assertEquals("v1", h.value("b", "k"));
  }

  /**
   * With sync-writes off, a replica whose machine loses power comes back with its store as of its
   * last sync (its promise): the entries it acknowledged since are gone. The leader must resend
   * them, not go on counting b as holding them: otherwise b never catches up, the shard map shows
   * it in step, and with c cut off the shard cannot commit although a and b are up. (Here the
   * leader already dropped those entries from its log, so b gets them as a checkpoint.)
   */
  @Test
  void aFollowerThatLostItsUnsyncedTailIsCaughtUpAgain() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    MemoryStorage asOfLastSync = h.storage.get("b").copy();
    for (int i = 1; i <= 3; i++) {
      h.handle("a", h.r("a").propose(i, put("k" + i, "v" + i)));
      h.deliverAll();
    }
    assertEquals(3, h.outputsOf(Output.WriteAcked.class).size(), h.events.toString());
    assertEquals(5L, h.r("a").followerMatch().get("b"));

    h.storage.put("b", asOfLastSync);
    h.restart("b");
    h.handle("a", h.r("a").propose(4, put("k4", "v4")));
    h.deliver(involving("c"));
    for (int i = 0; i < 20 && !h.has(new Output.WriteAcked(4, 6)); i++) {
      tick(h, "a", 1, involving("c"));
      // a dropped the entries every replica had matched: as a host does, stream b a checkpoint of a
      if (!h.outputsOf(Output.CheckpointNeeded.class).isEmpty()) {
        h.outputs.removeIf(o -> o instanceof Output.CheckpointNeeded);
        MemoryStorage checkpoint = h.storage.get("a").copy();
        assertTrue(Replica.mayInstallCheckpoint(h.storage.get("b"), checkpoint));
        h.storage.put("b", checkpoint);
        h.restart("b");
      }
    }

    assertTrue(h.has(new Output.WriteAcked(4, 6)), "a and b commit the write: " + h.events);
    assertEquals(6, h.storage.get("b").lastIndex());
    assertEquals("v1", h.value("b", "k1"));
  }

  /**
   * b was cut off while a and c went on and dropped the entries b lacks from their logs; a crashed.
   * b leads, c promises with the best log, and b's Fetch asks c for entries c no longer has. b
   * then needs a checkpoint of c's store, and the checkpoint must come from c: a host offers a
   * checkpoint only of its own store (ReplicaHost.checkpointNeeded ignores a need whose source is
   * another node), so c itself has to say so, or b waits forever.
   */
  @Test
  void theSourceOfAFetchBelowItsLogOffersTheCheckpoint() {
    ReplicaSettings keepTwo = new ReplicaSettings(16, 256, 1, 2, 1, 5);
    ReplicaHarness h = new ReplicaHarness();
    for (String id : new String[] {"a", "b", "c"}) {
      MemoryStorage s = new MemoryStorage();
      Replica.bootstrap(s, java.util.List.of("a", "b", "c"));
      h.storage.put(id, s);
      h.replicas.put(id, Replica.open(id, s, keepTwo));
    }
    h.lead("a");
    for (int i = 1; i <= 6; i++) {
      h.handle("a", h.r("a").propose(i, put("k" + i, "v" + i)));
      h.deliver(involving("b"));
    }
    assertTrue(h.storage.get("c").firstIndex() > h.storage.get("b").lastIndex() + 1,
        "c dropped entries b lacks: " + h.r("c") + " / " + h.r("b"));

    h.outputs.clear();
    h.handle("b", h.r("b").startLeading());
    h.deliver(involving("a"));
    assertTrue(h.events.stream().anyMatch(e -> e.startsWith("c: CheckpointNeeded[source=c, target=b]")),
        "c, whose host can stream its store, asks for the checkpoint: " + h.events);
  }
}
