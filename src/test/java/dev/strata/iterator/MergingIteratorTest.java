package dev.strata.iterator;

import static dev.strata.iterator.ListIterator.del;
import static dev.strata.iterator.ListIterator.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.key.InternalKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MergingIteratorTest {
  private static List<String> all(InternalIterator it) {
    List<String> out = new ArrayList<>();
    for (; it.isValid(); it.next()) {
      out.add(new String(it.userKey()) + "@" + it.sequence() + (it.kind() == dev.strata.key.ValueKind.DELETE ? "x"
          : "=" + new String(it.value())));
    }
    return out;
  }

  @Test
  void interleavesChildrenInInternalKeyOrder() {
    var a = new ListIterator(List.of(put("a", 5, "a5"), put("c", 3, "c3")));
    var b = new ListIterator(List.of(put("b", 4, "b4"), put("c", 7, "c7"), del("d", 1)));
    MergingIterator m = new MergingIterator(List.of(a, b));
    m.seekToFirst();
    assertEquals(List.of("a@5=a5", "b@4=b4", "c@7=c7", "c@3=c3", "d@1x"), all(m));
  }

  @Test
  void newerSourceComesFirstOnAnIdenticalInternalKey() {
    var newer = new ListIterator(List.of(put("k", 9, "new")));
    var older = new ListIterator(List.of(put("k", 9, "old")));
    MergingIterator m = new MergingIterator(List.of(newer, older));
    m.seekToFirst();
    assertEquals(List.of("k@9=new", "k@9=old"), all(m));
  }

  @Test
  void seekPositionsEveryChildAtOrAfterTheTarget() {
    var a = new ListIterator(List.of(put("a", 1, "x"), put("m", 2, "x"), put("z", 3, "x")));
    var b = new ListIterator(List.of(put("m", 8, "y"), put("n", 4, "y")));
    MergingIterator m = new MergingIterator(List.of(a, b));
    m.seek("m".getBytes(), 5);
    assertEquals(List.of("m@2=x", "n@4=y", "z@3=x"), all(m));
    m.seek("m".getBytes(), InternalKey.MAX_SEQUENCE);
    assertEquals("m@8=y", new String(m.userKey()) + "@" + m.sequence() + "=" + new String(m.value()));
  }

  @Test
  void emptyAndExhaustedChildrenAreSkipped() {
    MergingIterator m = new MergingIterator(List.of(new ListIterator(List.of()),
        new ListIterator(List.of(put("a", 1, "x"))), new ListIterator(List.of())));
    m.seekToFirst();
    assertEquals(List.of("a@1=x"), all(m));
    m.seek("b".getBytes(), InternalKey.MAX_SEQUENCE);
    assertFalse(m.isValid());
    assertThrows(IllegalStateException.class, m::next);
  }

  @Test
  void closeClosesEveryChild() {
    var a = new ListIterator(List.of(put("a", 1, "x")));
    var b = new ListIterator(List.of());
    new MergingIterator(List.of(a, b)).close();
    assertTrue(a.closed && b.closed);
  }
}
