package dev.strata.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.manifest.FileMeta;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which level-0 tables a repair rewrites together: those whose key and sequence ranges both overlap. */
class OverlapGroupsTest {
  private static FileMeta table(long number, String smallest, String largest, long minSeq, long maxSeq) {
    return new FileMeta(0, number, 100, smallest.getBytes(StandardCharsets.UTF_8),
        largest.getBytes(StandardCharsets.UTF_8), minSeq, maxSeq);
  }

  @Test
  void tablesOverlappingInKeysButNotInSequencesStayApart() {
    FileMeta older = table(1, "a", "m", 1, 10);
    FileMeta newer = table(2, "c", "z", 11, 20);
    assertEquals(List.of(List.of(older), List.of(newer)), OverlapGroups.of(List.of(older, newer)));
  }

  @Test
  void tablesOverlappingInSequencesButNotInKeysStayApart() {
    FileMeta left = table(1, "a", "c", 1, 10);
    FileMeta right = table(2, "d", "f", 5, 15);
    assertEquals(List.of(List.of(left), List.of(right)), OverlapGroups.of(List.of(left, right)));
  }

  @Test
  void tablesOverlappingInBothAreOneGroup() {
    FileMeta a = table(1, "a", "m", 1, 10);
    FileMeta b = table(2, "k", "k", 5, 5);
    assertEquals(List.of(List.of(a, b)), OverlapGroups.of(List.of(a, b)));
  }

  @Test
  void aTableThatOverlapsOnlyTheGroupsHullJoinsIt() {
    FileMeta a = table(1, "a", "c", 1, 5);
    FileMeta b = table(2, "b", "h", 4, 20);
    // Overlaps b in keys only and a in sequences only, but the hull of a and b in both.
    FileMeta c = table(3, "f", "g", 2, 3);
    FileMeta apart = table(4, "x", "z", 1, 30);
    assertEquals(List.of(List.of(a, c, b), List.of(apart)), OverlapGroups.of(List.of(a, c, apart, b)));
  }

  @Test
  void aGroupThatGrowsLaterTakesInAnEarlierTable() {
    FileMeta early = table(1, "m", "n", 40, 50);
    FileMeta a = table(2, "a", "c", 1, 10);
    FileMeta b = table(3, "b", "p", 8, 45);
    assertEquals(List.of(List.of(early, a, b)), OverlapGroups.of(List.of(early, a, b)));
  }
}
