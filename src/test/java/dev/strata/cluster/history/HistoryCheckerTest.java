package dev.strata.cluster.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.TestHarness;
import dev.strata.cluster.history.Operation.Kind;
import dev.strata.cluster.history.Operation.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The history checker accepts what a linearizable store may answer and names each thing it may
 * not: hand-made histories, with made-up times, that must pass and that must fail, and random
 * histories of a store that is linearizable by construction.
 */
class HistoryCheckerTest {

  /** Builds a history by hand: operations with explicit [invoked, completed] times. */
  private static final class Hand {
    private final List<Operation> ops = new ArrayList<>();

    Hand put(String key, String value, long invoked, long completed) {
      return add(Kind.PUT, key, value, invoked, completed, Outcome.OK);
    }

    Hand putUnknown(String key, String value, long invoked) {
      return add(Kind.PUT, key, value, invoked, Long.MAX_VALUE, Outcome.INFO);
    }

    Hand putFailed(String key, String value, long invoked, long completed) {
      return add(Kind.PUT, key, value, invoked, completed, Outcome.FAIL);
    }

    Hand delete(String key, long invoked, long completed) {
      return add(Kind.DELETE, key, null, invoked, completed, Outcome.OK);
    }

    Hand get(String key, String result, long invoked, long completed) {
      return add(Kind.GET, key, result, invoked, completed, Outcome.OK);
    }

    private Hand add(Kind kind, String key, String value, long invoked, long completed, Outcome outcome) {
      ops.add(new Operation(ops.size(), ops.size(), kind, key, value, invoked, completed, outcome));
      return this;
    }

    HistoryChecker.Verdict check() {
      return HistoryChecker.check(ops);
    }

    HistoryChecker.Verdict checkFinal(String... keyValues) {
      Map<String, String> contents = new HashMap<>();
      for (int i = 0; i < keyValues.length; i += 2) {
        contents.put(keyValues[i], keyValues[i + 1]);
      }
      return HistoryChecker.check(ops, contents);
    }
  }

  private static void passes(HistoryChecker.Verdict verdict) {
    assertTrue(verdict.passed(), verdict.report(10));
  }

  private static void failsWith(HistoryChecker.Verdict verdict, String... fragments) {
    assertEquals(1, verdict.violations().size(), verdict.report(10));
    for (String fragment : fragments) {
      assertTrue(verdict.violations().get(0).contains(fragment), "'" + fragment + "' is not in " + verdict.report(10));
    }
  }

  // Histories a linearizable store may produce.

  @Test
  void aGetAfterAnAcknowledgedPutReturnsItsValue() {
    passes(new Hand().put("k", "v1", 0, 10).get("k", "v1", 20, 30).checkFinal("k", "v1"));
  }

  @Test
  void aGetOfAKeyNobodyWroteReturnsAbsent() {
    passes(new Hand().get("k", null, 0, 10).checkFinal());
  }

  @Test
  void aGetConcurrentWithAPutMayReturnTheOldOrTheNewValue() {
    passes(new Hand().put("k", "v1", 0, 10).put("k", "v2", 20, 40).get("k", "v1", 25, 30).check());
    passes(new Hand().put("k", "v1", 0, 10).put("k", "v2", 20, 40).get("k", "v2", 25, 30).check());
    passes(new Hand().put("k", "v1", 0, 10).get("k", null, 5, 30).check());
  }

  @Test
  void concurrentAcknowledgedPutsMayEachBeTheLast() {
    Hand hand = new Hand().put("k", "v1", 0, 20).put("k", "v2", 5, 15);
    passes(hand.checkFinal("k", "v1"));
    passes(hand.checkFinal("k", "v2"));
  }

  @Test
  void aWriteOfUnknownOutcomeMayHaveTakenEffectOrNot() {
    Hand hand = new Hand().put("k", "v1", 0, 10).putUnknown("k", "v2", 20).get("k", "v1", 30, 40).get("k", "v2", 50, 60);
    passes(hand.checkFinal("k", "v2"));
    passes(new Hand().put("k", "v1", 0, 10).putUnknown("k", "v2", 20).checkFinal("k", "v1"));
  }

  @Test
  void aDeletedKeyReadsAbsent() {
    passes(new Hand().put("k", "v1", 0, 10).delete("k", 20, 30).get("k", null, 40, 50).checkFinal());
  }

  @Test
  void keysAreIndependentRegisters() {
    passes(new Hand().put("a", "x", 0, 10).put("b", "y", 20, 30).get("a", "x", 40, 50).get("b", null, 5, 15)
        .checkFinal("a", "x", "b", "y"));
  }

  // Histories no linearizable store may produce: each must be caught, naming what went wrong.

  @Test
  void anAcknowledgedPutMissingAtTheEndFails() {
    failsWith(new Hand().put("k", "v1", 0, 10).checkFinal(), "final contents: k = absent", "[v1]");
  }

  @Test
  void anOverwrittenValueAtTheEndFails() {
    failsWith(new Hand().put("k", "v1", 0, 10).put("k", "v2", 20, 30).checkFinal("k", "v1"),
        "final contents: k = v1", "[v2]");
  }

  @Test
  void aDeletedKeyComingBackAtTheEndFails() {
    failsWith(new Hand().put("k", "v1", 0, 10).delete("k", 20, 30).checkFinal("k", "v1"), "k = v1", "[absent]");
  }

  @Test
  void aKeyNobodyWroteAtTheEndFails() {
    failsWith(new Hand().put("k", "v1", 0, 10).checkFinal("k", "v1", "ghost", "v9"), "ghost = v9", "nobody wrote");
  }

  @Test
  void aGetReturningAValueOverwrittenBeforeItBeganFails() {
    failsWith(new Hand().put("k", "v1", 0, 10).put("k", "v2", 20, 30).get("k", "v1", 40, 50).check(),
        "get(k) = v1", "stale");
  }

  @Test
  void aGetReturningAbsentAfterAnAcknowledgedPutFails() {
    failsWith(new Hand().put("k", "v1", 0, 10).get("k", null, 20, 30).check(), "get(k) = absent", "stale",
        "initial absent state");
  }

  @Test
  void aGetReturningAValueNobodyWroteFails() {
    failsWith(new Hand().put("k", "v1", 0, 10).get("k", "v7", 20, 30).check(), "get(k) = v7", "no write left");
  }

  @Test
  void aGetReturningTheValueOfAFailedPutFails() {
    failsWith(new Hand().putFailed("k", "v1", 0, 10).get("k", "v1", 20, 30).check(), "get(k) = v1", "no write left");
  }

  @Test
  void aGetReturningAValueWrittenOnlyAfterItCompletedFails() {
    failsWith(new Hand().get("k", "v1", 0, 10).put("k", "v1", 20, 30).check(), "get(k) = v1", "only later");
  }

  @Test
  void aGetGoingBackInTimeAfterAnotherGetFails() {
    // v2's put is still in flight, so v1 is not overwritten yet; but the first get saw v2 already.
    failsWith(new Hand().put("k", "v1", 0, 10).put("k", "v2", 20, 100).get("k", "v2", 30, 40)
        .get("k", "v1", 50, 60).check(), "get(k) = v1", "back in time");
  }

  @Test
  void aGetGoingBackToTheValueBeforeAWriteOfUnknownOutcomeFails() {
    failsWith(new Hand().put("k", "v1", 0, 10).putUnknown("k", "v2", 20).get("k", "v2", 30, 40)
        .get("k", "v1", 50, 60).check(), "get(k) = v1", "back in time");
  }

  // The recorder.

  @Test
  void theRecorderTimesEachOperationAndTellsAcknowledgedFromFailedFromUnknown() {
    History history = new History(error -> error instanceof IllegalArgumentException);
    CompletableFuture<String> acknowledged = new CompletableFuture<>();
    CompletableFuture<String> refused = new CompletableFuture<>();
    CompletableFuture<String> timedOut = new CompletableFuture<>();
    CompletableFuture<Optional<String>> read = new CompletableFuture<>();
    history.write(0, Kind.PUT, "k", "v1", acknowledged);
    history.write(1, Kind.PUT, "k", "v2", refused);
    history.write(2, Kind.DELETE, "k", null, timedOut);
    history.read(3, "k", read);
    history.invoke(4, Kind.PUT, "k", "v3"); // never answered
    acknowledged.complete("done");
    refused.completeExceptionally(new IllegalArgumentException("too long"));
    timedOut.completeExceptionally(new TimeoutException("ask timed out"));
    read.complete(Optional.of("v1"));

    List<Operation> ops = history.operations();
    assertEquals(List.of(Outcome.OK, Outcome.FAIL, Outcome.INFO, Outcome.OK, Outcome.INFO),
        ops.stream().map(Operation::outcome).toList());
    assertEquals("v1", ops.get(3).value());
    assertTrue(ops.get(0).completedNanos() >= ops.get(0).invokedNanos());
    assertTrue(ops.get(3).invokedNanos() >= ops.get(0).invokedNanos(), "invocation order");
    assertEquals(Long.MAX_VALUE, ops.get(2).completedNanos(), "an unknown outcome may take effect any time later");
    assertEquals(Long.MAX_VALUE, ops.get(4).completedNanos());
    passes(HistoryChecker.check(ops));
  }

  @Test
  void theRecorderRefusesToCompleteAnOperationTwice() {
    History history = new History();
    History.Pending op = history.invoke(0, Kind.PUT, "k", "v1");
    op.ok();
    assertThrows(IllegalStateException.class, op::ok);
  }

  // Random histories of a store that is linearizable by construction must all pass.

  @Test
  void everyHistoryOfALinearizableStorePasses() {
    long seed = TestHarness.seed("everyHistoryOfALinearizableStorePasses");
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int round = 0; round < 200; round++) {
      List<Operation> ops = linearizableHistory(rnd, 3 + rnd.nextInt(4), 60, true);
      Map<String, String> contents = finalContents;
      HistoryChecker.Verdict verdict = HistoryChecker.check(ops, contents);
      assertTrue(verdict.passed(), "seed=" + seed + " round " + round + ": " + verdict.report(5) + "\n"
          + History.describe(ops));
    }
  }

  @Test
  void aLinearizableHistoryWithOneAcknowledgedWriteLostFails() {
    long seed = TestHarness.seed("aLinearizableHistoryWithOneAcknowledgedWriteLostFails");
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int round = 0; round < 50; round++) {
      // Without writes of unknown outcome: one of those could rightly take effect after the lost write.
      List<Operation> ops = new ArrayList<>(linearizableHistory(rnd, 2, 40, false));
      // One more put, invoked after every other operation took effect (writes of unknown outcome
      // included: they take effect at most 200 after their invocation), that the final contents do not show.
      long end = ops.stream().mapToLong(Operation::invokedNanos).max().orElse(0) + 1000;
      ops.add(new Operation(ops.size(), 99, Kind.PUT, "k0", "lost", end + 1, end + 2, Outcome.OK));
      HistoryChecker.Verdict verdict = HistoryChecker.check(ops, finalContents);
      assertFalse(verdict.passed(), "seed=" + seed + " round " + round + ": the lost write went unnoticed");
    }
  }

  private Map<String, String> finalContents;

  /**
   * A history of {@code processes} clients on a few keys of a store that applies each operation
   * atomically at a random instant inside its interval; with {@code unknownOutcomes}, a few
   * writes end unknown (applied or not, maybe long after). Sets {@link #finalContents} to the store's contents at the end.
   */
  private List<Operation> linearizableHistory(SplittableRandom rnd, int processes, int opsPerProcess,
      boolean unknownOutcomes) {
    record Planned(int process, Kind kind, String key, String value, long invoked, long completed, long at,
        boolean unknown, boolean applied) {}
    List<Planned> planned = new ArrayList<>();
    int values = 0;
    for (int p = 0; p < processes; p++) {
      long t = rnd.nextInt(20);
      for (int i = 0; i < opsPerProcess; i++) {
        long invoked = t + 1 + rnd.nextInt(10);
        long completed = invoked + 2 + rnd.nextInt(30);
        long at = invoked + 1 + rnd.nextLong(completed - invoked - 1); // strictly inside, as nanoTime readings are
        Kind kind = Kind.values()[rnd.nextInt(10) < 4 ? 0 : rnd.nextInt(10) < 2 ? 1 : 2];
        String key = "k" + rnd.nextInt(3);
        boolean unknown = unknownOutcomes && kind != Kind.GET && rnd.nextInt(15) == 0;
        boolean applied = !unknown || rnd.nextBoolean();
        if (unknown) {
          at = invoked + 1 + rnd.nextInt(200); // it may take effect long after the client gave up
        }
        planned.add(new Planned(p, kind, key, kind == Kind.PUT ? "v" + values++ : null, invoked, completed, at,
            unknown, applied));
        t = completed;
        if (unknown) {
          break; // a client that lost an answer stops, as a crashed client would
        }
      }
    }
    Map<String, String> store = new HashMap<>();
    Map<Planned, String> reads = new HashMap<>();
    planned.stream().sorted(Comparator.comparingLong(Planned::at)).forEach(op -> {
      if (op.kind() == Kind.GET) {
        reads.put(op, store.get(op.key()));
      } else if (op.applied()) {
        if (op.kind() == Kind.PUT) {
          store.put(op.key(), op.value());
        } else {
          store.remove(op.key());
        }
      }
    });
    finalContents = store;
    List<Operation> ops = new ArrayList<>();
    planned.stream().sorted(Comparator.comparingLong(Planned::invoked)).forEach(op -> ops.add(new Operation(
        ops.size(), op.process(), op.kind(), op.key(), op.kind() == Kind.GET ? reads.get(op) : op.value(),
        op.invoked(), op.unknown() ? Long.MAX_VALUE : op.completed(), op.unknown() ? Outcome.INFO : Outcome.OK)));
    return ops;
  }
}
