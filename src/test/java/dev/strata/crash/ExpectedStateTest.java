package dev.strata.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.RenewedActorSystem;
import dev.strata.Strata;
import dev.strata.TestHarness;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash test's checker ({@link ExpectedState}) accepts every state a kill may leave and
 * rejects the others: each case writes a store's contents directly, gives the checker a child's
 * log, and reads its verdict. Without these the crash test could pass by never finding anything.
 */
class ExpectedStateTest {
  private static RenewedActorSystem system;

  @TempDir
  Path dir;
  private int stores;

  @BeforeAll
  static void startActorSystem() {
    system = new RenewedActorSystem("expected-state-test");
  }

  @AfterAll
  static void stopActorSystem() {
    system.close();
  }

  /** The value write {@code write} of {@code thread} put under {@code key} in cycle 0. */
  private static byte[] v(int thread, long write, String key) {
    return CrashValues.value(0, thread, write, key);
  }

  /** Checks a store holding {@code contents} (key, value, key, value...) against {@code log}. */
  private List<String> problems(String log, boolean walEnabled, Object... contents) {
    try (Strata db = Strata.open(system.get(), dir.resolve("store-" + stores++), TestHarness.smallOptions())) {
      for (int i = 0; i < contents.length; i += 2) {
        db.put(CrashValues.bytes((String) contents[i]), (byte[]) contents[i + 1]);
      }
      return new ExpectedState().check(db, CrashLog.parse(log, 0), walEnabled).problems();
    }
  }

  private static void assertOne(String kind, List<String> problems) {
    assertEquals(1, problems.size(), "problems: " + problems);
    assertTrue(problems.get(0).startsWith(kind), "expected " + kind + ": " + problems);
  }

  @Test
  void aKeyMayHoldItsAcknowledgedValueOrItsPendingWrite() {
    String log = "I 0 0 +k0001\nA 0 0\nI 0 1 +k0001\n";
    assertEquals(List.of(), problems(log, true, "k0001", v(0, 0, "k0001")));
    assertEquals(List.of(), problems(log, true, "k0001", v(0, 1, "k0001")));
  }

  @Test
  void withTheWalOnAnAcknowledgedWriteMustSurvive() {
    assertOne("LOST", problems("I 0 0 +k0001\nA 0 0\n", true));
    assertOne("LOST", problems("I 0 0 +k0001\nA 0 0\nI 0 1 -k0001\nA 0 1\nI 0 2 +k0001\nA 0 2\n", true,
        "k0001", v(0, 0, "k0001")));
  }

  @Test
  void withTheWalOffOnlyWritesAcknowledgedBeforeTheLastCompletedFlushMustSurvive() {
    String log = "I 0 0 +k0001\nA 0 0\nF 0\nI 0 1 +k0002\nA 0 1\nD 0\nI 0 2 +k0003\nA 0 2\nF 1\n";
    assertEquals(List.of(), problems(log, false, "k0001", v(0, 0, "k0001")));
    assertEquals(List.of(), problems(log, false, "k0001", v(0, 0, "k0001"), "k0002", v(0, 1, "k0002"),
        "k0003", v(0, 2, "k0003")));
    assertOne("LOST", problems(log, false, "k0002", v(0, 1, "k0002")));
  }

  @Test
  void aBatchOrTransactionShowsOnAllOfItsKeysOrNone() {
    String pending = "I 0 0 +k0001 +k0002\n";
    assertEquals(List.of(), problems(pending, true));
    assertEquals(List.of(), problems(pending, true, "k0001", v(0, 0, "k0001"), "k0002", v(0, 0, "k0002")));
    assertOne("PARTIAL", problems(pending, true, "k0001", v(0, 0, "k0001")));
    // A delete of a key that is absent anyway cannot be told applied or not; here k0006 has a value.
    assertOne("PARTIAL", problems("I 1 0 +k0006\nA 1 0\nT 1 1 +k0005 -k0006\n", true,
        "k0005", v(1, 1, "k0005"), "k0006", v(1, 0, "k0006")));
  }

  @Test
  void aConflictedOrRolledBackTransactionLeavesNothing() {
    assertEquals(List.of(), problems("T 0 0 +k0003\nX 0 0\nT 0 1 +k0004\nR 0 1\n", true));
    assertOne("PHANTOM", problems("T 0 0 +k0003\nX 0 0\n", true, "k0003", v(0, 0, "k0003")));
    assertOne("PHANTOM", problems("T 0 0 +k0003\nR 0 0\n", true, "k0003", v(0, 0, "k0003")));
  }

  @Test
  void valuesNoWriteExplainsArePhantoms() {
    assertOne("PHANTOM", problems("", true, "k0001", v(0, 0, "k0001")));
    assertOne("PHANTOM", problems("I 0 0 +k0001\nA 0 0\n", true, "k0001", v(0, 0, "k0002")));
    assertOne("PHANTOM", problems("", true, "other", CrashValues.bytes("x")));
  }

  @Test
  void withTheWalOffWhatSurvivesIsAPrefixOfHistory() {
    // Thread 0's write was acknowledged before thread 1's was issued: keeping the second without
    // the first is not a prefix, though each key alone holds a permitted value.
    String log = "I 0 0 +k0001\nA 0 0\nI 1 0 +k0002\nA 1 0\n";
    assertEquals(List.of(), problems(log, false));
    assertEquals(List.of(), problems(log, false, "k0001", v(0, 0, "k0001")));
    assertOne("NOT A PREFIX", problems(log, false, "k0002", v(1, 0, "k0002")));
    // Overlapping writes (both issued before either was acknowledged) may survive either way.
    assertEquals(List.of(), problems("I 0 0 +k0001\nI 1 0 +k0002\nA 0 0\nA 1 0\n", false,
        "k0002", v(1, 0, "k0002")));
  }
}
