package dev.strata;

import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random puts, deletes, batches, flushes, full compactions, reopens and scans against a TreeMap
 * oracle. The seed is printed; on failure the data directory is kept and its path printed.
 */
class StrataModelTest {
  private static final int KEY_SPACE = 400;

  @Test
  void randomOperationsAgreeWithASortedMapOracle() throws Exception {
    long seed = TestHarness.seed("StrataModelTest");
    SplittableRandom rnd = new SplittableRandom(seed);
    Path dir = Files.createTempDirectory("strata-model-");
    NavigableMap<String, String> oracle = new TreeMap<>();
    boolean ok = false;
    Strata db = Strata.open(dir, TestHarness.smallOptions());
    try {
      for (int op = 0; op < 20_000; op++) {
        int dice = rnd.nextInt(1000);
        if (dice < 600) {
          String k = randomKey(rnd);
          String v = randomValue(rnd);
          db.put(TestHarness.b(k), TestHarness.b(v));
          oracle.put(k, v);
        } else if (dice < 750) {
          String k = randomKey(rnd);
          db.delete(TestHarness.b(k));
          oracle.remove(k);
        } else if (dice < 800) {
          WriteBatch batch = new WriteBatch();
          for (int i = rnd.nextInt(1, 10); i > 0; i--) {
            String k = randomKey(rnd);
            if (rnd.nextBoolean()) {
              String v = randomValue(rnd);
              batch.put(TestHarness.b(k), TestHarness.b(v));
              oracle.put(k, v);
            } else {
              batch.delete(TestHarness.b(k));
              oracle.remove(k);
            }
          }
          db.write(batch);
        } else if (dice < 950) {
          String k = randomKey(rnd);
          assertEquals(oracle.get(k), s(db.get(TestHarness.b(k))), "get " + k + " at op " + op);
        } else if (dice < 985) {
          checkRandomScan(db, oracle, rnd, op);
        } else if (dice < 994) {
          db.flush();
        } else if (dice < 997) {
          db.compact();
        } else {
          db.close();
          db = Strata.open(dir, TestHarness.smallOptions());
        }
      }
      List<String> expected = new ArrayList<>();
      for (Map.Entry<String, String> e : oracle.entrySet()) {
        expected.add(e.getKey() + "=" + e.getValue());
      }
      assertEquals(expected, TestHarness.scanAll(db));
      ok = true;
    } finally {
      db.close();
      if (ok) {
        TestHarness.deleteRecursively(dir);
      } else {
        System.out.println("StrataModelTest failed with seed " + seed + "; data kept in " + dir);
      }
    }
  }

  private static void checkRandomScan(Strata db, NavigableMap<String, String> oracle, SplittableRandom rnd, int op) {
    String a = randomKey(rnd);
    String b = randomKey(rnd);
    Bound lower = randomBound(rnd, a);
    Bound upper = randomBound(rnd, b);
    List<String> expected = new ArrayList<>();
    oracle.forEach((k, v) -> {
      if (within(k, lower, true) && within(k, upper, false)) {
        expected.add(k + "=" + v);
      }
    });
    assertEquals(expected, TestHarness.drain(db.scan(lower, upper)), "scan " + lower + ".." + upper + " at op " + op);
  }

  /** Whether {@code key} is on the inner side of {@code bound} (a lower bound when {@code lower}). */
  private static boolean within(String key, Bound bound, boolean lower) {
    if (bound.isUnbounded()) {
      return true;
    }
    int c = key.compareTo(TestHarness.s(bound.key()));
    int inside = lower ? c : -c;
    return bound.kind() == Bound.Kind.INCLUDED ? inside >= 0 : inside > 0;
  }

  private static Bound randomBound(SplittableRandom rnd, String key) {
    return switch (rnd.nextInt(3)) {
      case 0 -> Bound.unbounded();
      case 1 -> Bound.included(TestHarness.b(key));
      default -> Bound.excluded(TestHarness.b(key));
    };
  }

  private static String randomKey(SplittableRandom rnd) {
    return String.format("k%05d", rnd.nextInt(KEY_SPACE));
  }

  private static String randomValue(SplittableRandom rnd) {
    char[] c = new char[rnd.nextInt(0, 60)];
    Arrays.fill(c, (char) ('a' + rnd.nextInt(26)));
    return new String(c);
  }
}
