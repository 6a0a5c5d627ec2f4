package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class IndexPermutationTest {
  @Test
  void everyIndexAppearsExactlyOnce() {
    for (long n : new long[] {1, 2, 3, 7, 64, 65, 1000, 4097, 100_000}) {
      IndexPermutation p = new IndexPermutation(n, 301);
      BitSet seen = new BitSet();
      for (long i = 0; i < n; i++) {
        long image = p.apply(i);
        assertTrue(image >= 0 && image < n, "n " + n + ": image " + image);
        assertFalse(seen.get((int) image), "n " + n + ": " + image + " twice");
        seen.set((int) image);
      }
      assertEquals(n, seen.cardinality());
    }
  }

  @Test
  void theSameSeedGivesTheSameOrder() {
    IndexPermutation a = new IndexPermutation(10_000, 42);
    IndexPermutation b = new IndexPermutation(10_000, 42);
    for (long i = 0; i < 10_000; i++) {
      assertEquals(a.apply(i), b.apply(i));
    }
  }

  @Test
  void theOrderIsShuffled() {
    IndexPermutation p = new IndexPermutation(10_000, 42);
    int fixedPoints = 0;
    int ascendingSteps = 0;
    for (long i = 0; i < 10_000; i++) {
      fixedPoints += p.apply(i) == i ? 1 : 0;
      ascendingSteps += i > 0 && p.apply(i) > p.apply(i - 1) ? 1 : 0;
    }
    assertTrue(fixedPoints < 50, "fixed points: " + fixedPoints);
    assertTrue(ascendingSteps > 4000 && ascendingSteps < 6000, "ascending steps: " + ascendingSteps);
  }

  @Test
  void differentSeedsGiveDifferentOrders() {
    IndexPermutation a = new IndexPermutation(1000, 1);
    IndexPermutation b = new IndexPermutation(1000, 2);
    int same = 0;
    for (long i = 0; i < 1000; i++) {
      same += a.apply(i) == b.apply(i) ? 1 : 0;
    }
    assertNotEquals(1000, same);
  }

  @Test
  void indexesOutsideTheRangeAreRejected() {
    IndexPermutation p = new IndexPermutation(10, 1);
    assertThrows(IllegalArgumentException.class, () -> p.apply(10));
    assertThrows(IllegalArgumentException.class, () -> p.apply(-1));
  }
}
