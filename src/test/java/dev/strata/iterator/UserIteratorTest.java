package dev.strata.iterator;

import static dev.strata.iterator.ListIterator.del;
import static dev.strata.iterator.ListIterator.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.TestHarness;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UserIteratorTest {
  private static final List<ListIterator.Entry> DATA = List.of(
      put("a", 1, "a1"),
      put("b", 2, "b2"), put("b", 5, "b5"),
      del("c", 6), put("c", 3, "c3"),
      put("d", 9, "d9"), put("d", 4, "d4"),
      put("e", 7, ""));

  private static List<String> scan(long readSeq, Bound lower, Bound upper) {
    return TestHarness.drain(new UserIterator(new ListIterator(DATA), readSeq, lower, upper, () -> { }));
  }

  @Test
  void closeRunsTheReleaseOnceAndLaterUseFails() {
    AtomicInteger released = new AtomicInteger();
    UserIterator it = new UserIterator(new ListIterator(DATA), 100, Bound.unbounded(), Bound.unbounded(),
        released::incrementAndGet);
    it.close();
    it.close();
    assertEquals(1, released.get());
    assertThrows(IllegalStateException.class, it::key);
  }

  @Test
  void returnedArraysAreCopies() {
    UserIterator it = new UserIterator(new ListIterator(DATA), 100, Bound.unbounded(), Bound.unbounded(), () -> { });
    it.key()[0] = 'z';
    assertTrue(it.isValid());
    assertEquals("a", new String(it.key()));
    it.value()[0] = 'z'; // each value() is a new array, straight from the source
    assertEquals("a1", new String(it.value()), "a later call is not the array the caller changed");
    it.next();
    assertEquals(List.of("a=a1", "b=b5", "d=d9", "e="), scan(100, Bound.unbounded(), Bound.unbounded()),
        "changing returned arrays changes nothing the store holds");
  }
}
