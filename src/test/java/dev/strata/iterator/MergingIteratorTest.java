package dev.strata.iterator;

import static dev.strata.iterator.ListIterator.del;
import static dev.strata.iterator.ListIterator.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.TestHarness;
import dev.strata.key.InternalKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
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
  void closeClosesEveryChild() {
    var a = new ListIterator(List.of(put("a", 1, "x")));
    var b = new ListIterator(List.of());
    new MergingIterator(List.of(a, b)).close();
    assertTrue(a.closed && b.closed);
  }

  @Test
  void agreesWithOneSortedListOnRandomChildrenWithLongRuns() {
    long seed = TestHarness.seed("MergingIteratorTest");
    Random rnd = new Random(seed);
    for (int round = 0; round < 200; round++) {
      int childCount = 1 + rnd.nextInt(6);
      List<List<ListIterator.Entry>> parts = new ArrayList<>();
      List<ListIterator.Entry> everything = new ArrayList<>();
      long seq = 1;
      for (int c = 0; c < childCount; c++) {
        parts.add(new ArrayList<>());
      }
      // Consecutive keys mostly from one child, sometimes another: the runs a scan of a large
      // level under a few newer entries produces, with the occasional same key in two children.
      int child = 0;
      for (int k = 0; k < 300; k++) {
        if (rnd.nextInt(8) == 0) {
          child = rnd.nextInt(childCount);
        }
        String key = String.format("k%05d", k);
        int versions = rnd.nextInt(10) == 0 ? 2 : 1;
        for (int v = 0; v < versions; v++) {
          int target = v == 0 ? child : rnd.nextInt(childCount);
          ListIterator.Entry e = rnd.nextInt(5) == 0 ? del(key, seq) : put(key, seq, key + "@" + seq);
          seq++;
          parts.get(target).add(e);
          everything.add(e);
        }
      }
      everything.sort(Comparator.comparing((ListIterator.Entry e) -> e.key(), InternalKey::compareUserKeys)
          .thenComparing(e -> -e.seq()));
      ListIterator whole = new ListIterator(everything);
      whole.seekToFirst();
      List<String> expected = all(whole);
      List<InternalIterator> children = new ArrayList<>();
      for (List<ListIterator.Entry> part : parts) {
        children.add(new ListIterator(part));
      }
      MergingIterator m = new MergingIterator(children);
      m.seekToFirst();
      assertEquals(expected, all(m), "seed " + seed + ", round " + round);
      String from = String.format("k%05d", rnd.nextInt(300));
      m.seek(from.getBytes(), InternalKey.MAX_SEQUENCE);
      List<String> tail = all(m);
      assertEquals(expected.subList(expected.size() - tail.size(), expected.size()), tail, "seed " + seed);
      assertTrue(tail.get(0).startsWith(from + "@"), "seed " + seed);
    }
  }
}
