package dev.strata.cluster.replication;

import static dev.strata.cluster.replication.ReplicaHarness.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.cluster.replication.Message.Append;
import dev.strata.cluster.replication.Message.AppendReply;
import dev.strata.cluster.replication.Message.Prepare;
import dev.strata.cluster.replication.Message.Promise;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each rule of the replication protocol, one at a time, on replicas wired by hand.
 *
 * <p>Each rule was removed from {@link Replica} by hand once (2026-12-06) to see these tests fail;
 * "+ sim" marks the rules whose removal ReplicationSimulationTest also catches:
 * promise only a greater epoch (the promise tests); refuse an older epoch (the epoch rule tests,
 * and the simulation's own mutation test); truncate a conflicting suffix (+ sim); check log
 * matching at prevIndex (+ sim); no-op before serving (+ sim); the current-epoch commit rule
 * (the figure 8 test only); count a majority (+ sim); confirm reads with a majority (+ sim);
 * adopt the most up-to-date log (+ sim); refuse a stale checkpoint (+ sim); one configuration
 * change at a time; step down when refused at one's own epoch (+ sim).
 */
class ReplicaRulesTest {

  private static LogEntry write(long index, long epoch, String key, String value) {
    return new LogEntry(index, epoch, new LogEntry.Write(BatchCodec.encode(put(key, value))));
  }

  private static <T extends Message> T only(List<Output> out, Class<T> type) {
    List<T> found = out.stream().filter(o -> o instanceof Output.Send s && type.isInstance(s.message()))
        .map(o -> type.cast(((Output.Send) o).message())).toList();
    assertEquals(1, found.size(), "one " + type.getSimpleName() + " in " + out);
    return found.get(0);
  }

  // ---------------------------------------------------------------- epochs

  @Test
  void aReplicaPromisesOnlyAnEpochGreaterThanItsPromiseOrRepeatsItToTheSameLeader() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c");
    Replica b = h.r("b");
    assertTrue(only(b.receive(new Prepare("a", 5)), Promise.class).granted());
    assertEquals(5, h.storage.get("b").promisedEpoch(), "the promise is durable before the reply");
    Promise sameEpochOtherLeader = only(b.receive(new Prepare("c", 5)), Promise.class);
    assertFalse(sameEpochOtherLeader.granted());
    assertEquals(5, sameEpochOtherLeader.promised());
    assertFalse(only(b.receive(new Prepare("c", 4)), Promise.class).granted());
    assertTrue(only(b.receive(new Prepare("a", 5)), Promise.class).granted(), "a lost reply may be asked again");
    assertTrue(only(b.receive(new Prepare("c", 6)), Promise.class).granted());
    assertEquals("c", h.storage.get("b").promisedTo());
  }

  @Test
  void aPromiseSurvivesARestart() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c");
    h.r("b").receive(new Prepare("a", 5));
    Replica b = h.restart("b");
    assertFalse(only(b.receive(new Prepare("c", 5)), Promise.class).granted());
    assertTrue(only(b.receive(new Prepare("a", 5)), Promise.class).granted());
  }

  /** The scenario of the epoch rule: b promised epoch 7 to c, then the deposed leader a (epoch 1) writes. */
  private static ReplicaHarness deposedLeaderWrites(boolean epochRule) {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    h.r("b").refusesOlderEpochs = epochRule;
    h.r("b").receive(new Prepare("c", 7));
    h.handle("a", h.r("a").propose(1, put("k", "from the deposed leader")));
    h.deliver(s -> s.to().equals("c"));
    return h;
  }

  @Test
  void anAppendOfAnOlderEpochIsRefusedSoADeposedLeaderNeverAcknowledgesAWrite() {
    ReplicaHarness h = deposedLeaderWrites(true);
    assertEquals(2, h.storage.get("b").lastIndex(), "b stored nothing of epoch 1 after promising 7");
    assertTrue(h.outputsOf(Output.WriteAcked.class).isEmpty(), h.events.toString());
    Output.RequestFailed failed = h.outputsOf(Output.RequestFailed.class).get(0);
    assertEquals(1, failed.requestId());
    assertTrue(failed.outcomeUnknown(), "the write is in a's log: its fate is not known");
    assertFalse(h.r("a").isLeading(), "a learned of epoch 7 and stepped down");
  }

  /** The mutation test, by hand: without the epoch rule the scenario above acknowledges the write. */
  @Test
  void theEpochRuleTestFailsOnAMutantWithoutTheRule() {
    ReplicaHarness h = deposedLeaderWrites(false);
    assertEquals(List.of(new Output.WriteAcked(1, 3)), h.outputsOf(Output.WriteAcked.class),
        "the mutant lets a deposed leader acknowledge a write that epoch 7's leader may never see");
  }

  // ---------------------------------------------------------------- log matching

  @Test
  void aConflictingUncommittedSuffixIsTruncated() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c");
    Replica b = h.r("b");
    b.receive(new Append("a", 1, 1, 0, List.of(write(2, 1, "k", "x"), write(3, 1, "k", "y")), 1, 0, 0));
    assertEquals(3, h.storage.get("b").lastIndex());
    AppendReply r = only(b.receive(new Append("c", 2, 1, 0, List.of(write(2, 2, "k", "z")), 1, 0, 0)),
        AppendReply.class);
    assertTrue(r.matched());
    assertEquals(2, r.matchIndex());
    assertEquals(2, h.storage.get("b").lastIndex(), "entry 3 of epoch 1 went with the conflict");
    assertEquals(2, h.storage.get("b").entry(2).epoch());
  }

  @Test
  void aDuplicatedOrShorterAppendKeepsTheEntriesThatMatch() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c");
    Replica b = h.r("b");
    b.receive(new Append("a", 1, 1, 0, List.of(write(2, 1, "k", "x"), write(3, 1, "k", "y")), 1, 0, 0));
    AppendReply r = only(b.receive(new Append("a", 1, 1, 0, List.of(write(2, 1, "k", "x")), 1, 0, 0)),
        AppendReply.class);
    assertEquals(2, r.matchIndex());
    assertEquals(3, h.storage.get("b").lastIndex(), "a late, shorter copy must not cut entry 3");
  }

  @Test
  void anAppendThatDoesNotFollowTheLogIsRefusedWithAnIndexToResendFrom() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c");
    Replica b = h.r("b");
    AppendReply gap = only(b.receive(new Append("a", 1, 5, 1, List.of(write(6, 1, "k", "x")), 1, 0, 0)),
        AppendReply.class);
    assertFalse(gap.matched());
    assertEquals(1, gap.hintIndex());
    b.receive(new Append("a", 1, 1, 0, List.of(write(2, 1, "k", "x"), write(3, 1, "k", "y")), 1, 0, 0));
    AppendReply conflict = only(b.receive(new Append("c", 2, 3, 2, List.of(write(4, 2, "k", "z")), 1, 0, 0)),
        AppendReply.class);
    assertFalse(conflict.matched());
    assertEquals(1, conflict.hintIndex(), "only the committed prefix is known to match");
    assertEquals(3, h.storage.get("b").lastIndex());
  }

  @Test
  void aConflictWithACommittedEntryIsReportedAsCorruptionNotTruncated() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c");
    Replica b = h.r("b");
    b.receive(new Append("a", 1, 1, 0, List.of(write(2, 1, "k", "x")), 2, 0, 0));
    assertEquals("x", h.value("b", "k"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> b.receive(new Append("c", 2, 1, 0, List.of(write(2, 2, "k", "z")), 1, 0, 0)));
    assertTrue(e.getMessage().contains("conflicts with a committed entry"), e.getMessage());
  }

  // ---------------------------------------------------------------- leading

  @Test
  void aNewLeaderServesOnlyOnceItsNoOpCommitted() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c");
    Replica a = h.r("a");
    h.handle("a", a.startLeading());
    h.deliver(s -> s.message() instanceof Append);
    assertTrue(a.isLeading());
    assertFalse(a.isServing());
    h.handle("a", a.propose(1, put("k", "v")));
    h.handle("a", a.read(2));
    assertEquals(2, h.storage.get("a").lastIndex(), "the write waits: only the no-op is in the log");
    assertEquals(new LogEntry(2, 1, new LogEntry.NoOp()), h.storage.get("a").entry(2));
    assertTrue(h.outputs.isEmpty(), h.events.toString());
    h.handle("a", a.tick());
    h.deliverAll();
    assertEquals(List.of(new Output.Serving(1), new Output.WriteAcked(1, 3), new Output.ReadReady(2)),
        h.outputs);
  }

  @Test
  void aWriteIsAcknowledgedOnlyOnceAMajorityStoredIt() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    Replica a = h.r("a");
    h.handle("a", a.propose(1, put("k", "v")));
    h.deliver(s -> true);
    assertTrue(h.outputsOf(Output.WriteAcked.class).isEmpty(), "only the leader holds it");
    h.handle("a", a.tick());
    h.deliver(s -> s.to().equals("c"));
    assertEquals(List.of(new Output.WriteAcked(1, 3)), h.outputsOf(Output.WriteAcked.class));
    assertEquals("v", h.value("a", "k"));
    assertEquals(2, h.storage.get("c").lastIndex());
  }

  /** Raft's figure 8: an entry of an older epoch is not committed by counting replicas. */
  @Test
  void anEntryOfAnOlderEpochCommitsOnlyWithAnEntryOfTheLeadersEpoch() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    Replica a = h.r("a");
    h.handle("a", a.propose(1, put("k", "epoch 1")));
    h.deliver(s -> true);
    h.handle("a", a.stopLeading());
    h.handle("a", a.startLeading());
    h.deliver(s -> s.message() instanceof Append);
    assertEquals(2, a.leaderEpoch());
    assertEquals(4, h.storage.get("a").lastIndex(), "entry 3 (epoch 1), then the no-op of epoch 2");
    a.receive(new AppendReply("b", 2, true, 2, true, 3, 3, 0));
    assertEquals(2, a.commitIndex(), "a majority holds entry 3, but it is of epoch 1");
    assertNull(h.value("a", "k"));
    a.receive(new AppendReply("b", 2, true, 2, true, 4, 4, 0));
    assertEquals(4, a.commitIndex());
    assertEquals("epoch 1", h.value("a", "k"));
  }

  @Test
  void aNewLeaderAdoptsTheMostUpToDateLogOfItsMajority() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    h.handle("a", h.r("a").propose(1, put("k1", "v1")));
    h.handle("a", h.r("a").propose(2, put("k2", "v2")));
    h.deliver(s -> s.to().equals("c"));
    assertEquals(2, h.outputsOf(Output.WriteAcked.class).size());
    assertEquals(2, h.storage.get("c").lastIndex(), "c missed both writes");
    h.handle("a", h.r("a").stopLeading());
    h.handle("c", h.r("c").startLeading());
    h.deliver(s -> s.to().equals("a") || s.message().from().equals("a"));
    assertTrue(h.r("c").isServing(), h.r("c").toString());
    assertEquals("v1", h.value("c", "k1"));
    assertEquals("v2", h.value("c", "k2"));
    assertEquals(h.storage.get("b").entry(4), h.storage.get("c").entry(4));
    assertEquals(new LogEntry(5, 2, new LogEntry.NoOp()), h.storage.get("c").entry(5));
  }

  @Test
  void aLeaderRefusedAtItsOwnEpochStepsDownInsteadOfWaiting() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c");
    h.r("b").receive(new Prepare("c", 1));
    h.r("c").receive(new Prepare("c", 1));
    h.lead("a");
    assertFalse(h.r("a").isLeading());
    assertTrue(h.outputs.contains(new Output.SteppedDown(1, "replica b promised epoch 1")), h.events.toString());
  }

  // ---------------------------------------------------------------- reads

  @Test
  void aReadIsReadyOnlyAfterAMajorityConfirmedTheEpoch() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    Replica a = h.r("a");
    h.handle("a", a.read(7));
    h.deliver(s -> true);
    assertTrue(h.outputsOf(Output.ReadReady.class).isEmpty());
    h.handle("a", a.tick());
    h.deliver(s -> s.to().equals("c"));
    assertEquals(List.of(new Output.ReadReady(7)), h.outputsOf(Output.ReadReady.class));
  }

  @Test
  void aDeposedLeaderServesNoRead() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    h.r("b").receive(new Prepare("c", 7));
    h.handle("a", h.r("a").read(8));
    h.deliver(s -> s.to().equals("c"));
    assertTrue(h.outputsOf(Output.ReadReady.class).isEmpty());
    assertEquals(8, h.outputsOf(Output.RequestFailed.class).get(0).requestId());
  }

  @Test
  void readsThatArriveDuringARoundShareTheNextRound() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    Replica a = h.r("a");
    h.handle("a", a.read(1));
    assertEquals(2, h.network.size(), "round 1: one heartbeat per follower");
    h.handle("a", a.read(2));
    h.handle("a", a.read(3));
    assertEquals(2, h.network.size(), "reads 2 and 3 wait for the next round");
    h.deliverAll();
    assertEquals(List.of(new Output.ReadReady(1), new Output.ReadReady(2), new Output.ReadReady(3)),
        h.outputsOf(Output.ReadReady.class));
  }

  // ---------------------------------------------------------------- truncation, checkpoints, configuration

  @Test
  void theLogIsTruncatedOnceEveryReplicaHoldsItsEntriesAndALaggardThenNeedsACheckpoint() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").withEmpty("d").lead("a");
    Replica a = h.r("a");
    h.handle("a", a.propose(1, put("k", "v")));
    h.deliverAll();
    h.handle("a", a.tick());
    h.deliverAll();
    assertEquals(4, h.storage.get("a").firstIndex(), "entries 1..3 are held by every replica");
    assertEquals(4, h.storage.get("b").firstIndex());
    h.handle("a", a.changeConfig(2, List.of("a", "b", "c", "d")));
    h.deliverAll();
    assertTrue(h.outputs.contains(new Output.CheckpointNeeded("a", "d")), h.events.toString());
    MemoryStorage checkpoint = h.storage.get("a").copy();
    assertTrue(Replica.mayInstallCheckpoint(h.storage.get("d"), checkpoint));
    h.storage.put("d", checkpoint);
    h.restart("d");
    h.handle("a", a.tick());
    h.deliverAll();
    assertEquals("v", h.value("d", "k"));
    assertEquals(h.storage.get("a").lastIndex(), h.storage.get("d").lastIndex());
    assertEquals(List.of("a", "b", "c", "d"), h.r("d").config());
  }

  /**
   * Issue 18's stall: d needs a checkpoint, and while it streams a fast writer commits more entries
   * than the leader keeps ({@code maxLogEntries} 2). Had the leader dropped the entries after the
   * checkpoint's applied index, d would install it and still be behind the log, and wait for the
   * next offer; the leader keeps them while the transfer is in flight, so d continues from its log.
   */
  @Test
  void aLeaderKeepsTheEntriesAFollowerCatchesUpFromWhileItsCheckpointIsInFlight() {
    ReplicaHarness h = ReplicaHarness.of(new ReplicaSettings(16, 256, 1, 2, 1, 5, 1_000), "a", "b", "c")
        .withEmpty("d").lead("a");
    Replica a = h.r("a");
    for (int i = 0; i < 5; i++) {
      h.handle("a", a.propose(i, put("k" + i, "v" + i)));
      h.deliverAll();
    }
    h.handle("a", a.changeConfig(100, List.of("a", "b", "c", "d")));
    h.deliverAll();
    assertTrue(h.has(new Output.CheckpointNeeded("a", "d")), h.events.toString());
    MemoryStorage checkpoint = h.storage.get("a").copy();

    for (int i = 5; i < 30; i++) { // the writer goes on while the checkpoint streams
      h.handle("a", a.propose(i, put("k" + i, "v" + i)));
      h.deliverAll();
      h.handle("a", a.tick());
      h.deliverAll();
    }
    assertTrue(h.storage.get("a").firstIndex() <= checkpoint.appliedIndex() + 1,
        "a keeps the entries after the checkpoint: " + a);

    assertTrue(Replica.mayInstallCheckpoint(h.storage.get("d"), checkpoint));
    h.storage.put("d", checkpoint);
    h.restart("d");
    h.outputs.clear(); // (the leader repeated its need while the checkpoint streamed: the host ignores repeats)
    h.handle("a", a.tick());
    h.deliverAll();
    assertEquals("v29", h.value("d", "k29"), "d continued from the leader's log: " + h.r("d") + " " + a);
    assertEquals(h.storage.get("a").lastIndex(), h.storage.get("d").lastIndex());
    assertEquals(List.of(), h.outputsOf(Output.CheckpointNeeded.class), "d needs no second checkpoint");

    for (int i = 30; i < 40; i++) { // caught up: the log is short again
      h.handle("a", a.propose(i, put("k" + i, "v" + i)));
      h.deliverAll();
    }
    assertTrue(h.storage.get("a").lastIndex() - h.storage.get("a").firstIndex() < 5, "log of a: " + a);
  }

  /**
   * A follower that never installs its checkpoint (its node died) cannot make the leader's log grow
   * forever: past {@code maxCatchUpEntries} the leader lets the entries go, and asks for a new
   * checkpoint.
   */
  @Test
  void aCheckpointThatNeverArrivesHoldsTheLogOnlyUpToALimit() {
    ReplicaHarness h = ReplicaHarness.of(new ReplicaSettings(16, 256, 1, 2, 1, 5, 10), "a", "b", "c")
        .withEmpty("d").lead("a");
    Replica a = h.r("a");
    h.handle("a", a.changeConfig(100, List.of("a", "b", "c", "d")));
    h.deliverAll();
    assertTrue(h.has(new Output.CheckpointNeeded("a", "d")), h.events.toString());
    for (int i = 0; i < 60; i++) {
      h.handle("a", a.propose(i, put("k" + i, "v" + i)));
      h.deliverAll();
      h.handle("a", a.tick());
      h.deliverAll();
      long kept = h.storage.get("a").lastIndex() - h.storage.get("a").firstIndex() + 1;
      assertTrue(kept <= 10 + 2 + 1, "a keeps " + kept + " entries: " + a);
    }
    h.outputs.clear();
    for (int i = 0; i < ReplicaHarness.SETTINGS.checkpointRetryTicks(); i++) {
      h.handle("a", a.tick());
    }
    assertTrue(h.has(new Output.CheckpointNeeded("a", "d")), "d is still asked a checkpoint: " + h.events);
  }

  @Test
  void aCheckpointOfAnOlderEpochOrAShorterLogIsNotInstalled() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    MemoryStorage early = h.storage.get("a").copy();
    h.handle("a", h.r("a").propose(1, put("k", "v")));
    h.deliverAll();
    assertFalse(Replica.mayInstallCheckpoint(h.storage.get("b"), early), "b acknowledged entries the copy lacks");
    assertTrue(Replica.mayInstallCheckpoint(h.storage.get("b"), h.storage.get("a").copy()));
    h.r("b").receive(new Prepare("c", 9));
    assertFalse(Replica.mayInstallCheckpoint(h.storage.get("b"), h.storage.get("a").copy()),
        "b promised a later epoch than the copy's");
  }

  @Test
  void theReplicaSetChangesOneReplicaAtATime() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").withEmpty("d").withEmpty("e").lead("a");
    Replica a = h.r("a");
    IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
        () -> a.changeConfig(1, List.of("a", "b", "c", "d", "e")));
    assertTrue(two.getMessage().contains("exactly one replica"), two.getMessage());
    h.handle("a", a.changeConfig(2, List.of("a", "b", "c", "d")));
    assertEquals(List.of("a", "b", "c", "d"), a.config(), "in force from the moment it is in the log");
    h.handle("a", a.changeConfig(3, List.of("a", "b", "c", "d", "e")));
    assertEquals(3, h.outputsOf(Output.RequestFailed.class).get(0).requestId(), "one change at a time");
    h.deliverAll();
    assertTrue(h.outputs.contains(new Output.WriteAcked(2, 3)), h.events.toString());
  }

  @Test
  void aLeaderRemovedFromTheReplicaSetStepsDownOnceTheChangeCommits() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    h.handle("a", h.r("a").changeConfig(1, List.of("b", "c")));
    assertTrue(h.r("a").isLeading());
    h.deliverAll();
    assertTrue(h.outputs.contains(new Output.WriteAcked(1, 3)));
    assertFalse(h.r("a").isLeading());
    assertEquals(List.of("b", "c"), h.r("b").config());
  }

  @Test
  void aReplicaOutsideTheReplicaSetRefusesToLead() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").withEmpty("d");
    List<Output> out = h.r("d").startLeading();
    assertEquals(1, out.size(), out.toString());
    assertTrue(out.get(0) instanceof Output.SteppedDown s && s.reason().contains("not in the replica set"), out.toString());
    assertFalse(h.r("d").isLeading());
    assertEquals(0, h.storage.get("d").promisedEpoch(), "it promised nothing");
  }

  @Test
  void aRequestToAReplicaThatDoesNotLeadFailsAtOnceAndSafely() {
    ReplicaHarness h = ReplicaHarness.of("a", "b", "c").lead("a");
    List<Output> out = h.r("b").propose(1, put("k", "v"));
    Output.RequestFailed f = (Output.RequestFailed) out.get(0);
    assertFalse(f.outcomeUnknown());
    assertEquals("a", f.leaderHint());
  }

  @Test
  void aKeyTooLongForTheShardStoreIsRefusedBeforeItEntersTheLog() {
    ReplicaHarness h = ReplicaHarness.of("a").lead("a");
    byte[] key = new byte[Replica.MAX_USER_KEY_BYTES + 1];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> h.r("a").propose(1, new dev.strata.WriteBatch().put(key, "v".getBytes(StandardCharsets.UTF_8))));
    assertTrue(e.getMessage().contains("replicated keyspace"), e.getMessage());
  }
}
