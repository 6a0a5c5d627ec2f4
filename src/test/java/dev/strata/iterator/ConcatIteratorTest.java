package dev.strata.iterator;

import static dev.strata.iterator.ListIterator.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.strata.key.InternalKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConcatIteratorTest {
  private final List<List<ListIterator.Entry>> files = List.of(
      List.of(put("a", 1, "1"), put("c", 1, "1")),
      List.of(put("e", 1, "1"), put("g", 1, "1")),
      List.of(put("i", 1, "1")));
  private final List<Integer> opened = new ArrayList<>();

  private ConcatIterator level() {
    List<byte[]> largest = List.of("c".getBytes(), "g".getBytes(), "i".getBytes());
    return ConcatIterator.of(largest, i -> {
      opened.add(i);
      return new ListIterator(files.get(i));
    });
  }

  private static String keys(InternalIterator it) {
    StringBuilder sb = new StringBuilder();
    for (; it.isValid(); it.next()) {
      sb.append(new String(it.userKey()));
    }
    return sb.toString();
  }

  @Test
  void walksEveryFileInOrder() {
    ConcatIterator it = level();
    it.seekToFirst();
    assertEquals("acegi", keys(it));
  }

  @Test
  void seekOpensOnlyTheFileThatCanHoldTheKey() {
    ConcatIterator it = level();
    it.seek("d".getBytes(), InternalKey.MAX_SEQUENCE);
    assertEquals("e", new String(it.userKey()));
    assertEquals(List.of(1), opened);
  }

  @Test
  void seekBetweenFilesMovesToTheNextFile() {
    ConcatIterator it = level();
    it.seek("h".getBytes(), InternalKey.MAX_SEQUENCE);
    assertEquals("i", keys(it));
  }

  @Test
  void seekPastTheLastKeyIsInvalid() {
    ConcatIterator it = level();
    it.seek("j".getBytes(), InternalKey.MAX_SEQUENCE);
    assertFalse(it.isValid());
  }
}
