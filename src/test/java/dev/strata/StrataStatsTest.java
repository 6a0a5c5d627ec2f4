package dev.strata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** StrataStats is an immutable value: its level arrays cannot be changed from outside, and it compares by content. */
class StrataStatsTest {
  private static StrataStats stats(int[] counts, long[] bytes, long compactions) {
    return new StrataStats(100, 1, 50, counts, bytes, 1000, 400, 300, 1200, 7, 11, 13, 42, 5_000_000, 3_000_000,
        compactions, 64, 128, 4096, 1, 0, 2, 17, 777, 12345, "", false, true, false, 3, 1.5);
  }

  @Test
  void theLevelArraysAreCopiedInAndOut() {
    int[] counts = {2, 3};
    long[] bytes = {200, 300};
    StrataStats s = stats(counts, bytes, 1);
    counts[0] = 99;
    bytes[0] = 99;
    s.levelFileCounts()[1] = 99;
    s.levelBytes()[1] = 99;
    assertArrayEquals(new int[] {2, 3}, s.levelFileCounts());
    assertArrayEquals(new long[] {200, 300}, s.levelBytes());
    assertEquals(500, s.totalSstBytes());
  }

  @Test
  void picturesWithTheSameFiguresAreEqualAndHashAlike() {
    StrataStats a = stats(new int[] {2, 3}, new long[] {200, 300}, 1);
    StrataStats b = stats(new int[] {2, 3}, new long[] {200, 300}, 1);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
  }

  @Test
  void picturesThatDifferInOneLevelOrOneCounterAreNotEqual() {
    StrataStats a = stats(new int[] {2, 3}, new long[] {200, 300}, 1);
    assertNotEquals(a, stats(new int[] {2, 4}, new long[] {200, 300}, 1), "file count of L1");
    assertNotEquals(a, stats(new int[] {2, 3}, new long[] {200, 301}, 1), "bytes of L1");
    assertNotEquals(a, stats(new int[] {2, 3, 0}, new long[] {200, 300, 0}, 1), "an empty level more");
    assertNotEquals(a, stats(new int[] {2, 3}, new long[] {200, 300}, 2), "compactions");
  }

  @Test
  void toStringShowsEveryLevelTheBytesWrittenAndTheSstMemory() {
    String text = stats(new int[] {2, 3}, new long[] {200, 300}, 1).toString();
    for (String part : new String[] {"L0: 2 files, 200 B", "L1: 3 files, 300 B", "written: user 1000 B, wal 1200 B",
        "write amplification 1.90", "block cache: 11 hits, 13 misses", "compactions: 1", "write stalls: 5 ms",
        "sst memory: index 64 B, filter 128 B"}) {
      assertTrue(text.contains(part), "'" + part + "' in:\n" + text);
    }
  }

  @Test
  void toStringShowsTheOperationalFigures() {
    String text = stats(new int[] {2, 3}, new long[] {200, 300}, 1).toString();
    for (String part : new String[] {"pending compaction: 4096 B", "running: 0 flushes, 1 compactions",
        "live wal: 777 B", "estimated keys: 12345", "open snapshots: 2 (oldest at sequence 17)", "writes: slowed",
        "3 stalls", "error state: none"}) {
      assertTrue(text.contains(part), "'" + part + "' in:\n" + text);
    }
  }

  @Test
  void aNullBackgroundErrorIsRejected() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> new StrataStats(0, 0, 0, new int[1],
        new long[1], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, null, false, false, false, 0, 1.0));
    assertTrue(e.getMessage().contains("backgroundError"), e.getMessage());
  }

  @Test
  void levelArraysOfDifferentLengthsAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> stats(new int[] {1, 2}, new long[] {1}, 0));
    assertEquals("levelFileCounts has 2 levels but levelBytes has 1", e.getMessage());
    assertThrows(NullPointerException.class, () -> stats(null, new long[] {1}, 0));
    assertThrows(IllegalArgumentException.class, () -> stats(new int[0], new long[0], 0));
  }
}
