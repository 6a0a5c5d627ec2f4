package dev.strata.compaction;

import static dev.strata.compaction.PickerCases.file;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LevelDB's seek-triggered compaction: point lookups that consult a file in vain on their way to
 * a deeper one use up its allowance, and the file is then compacted down, so that later lookups
 * find one file fewer in their way.
 */
class ReadTriggeredCompactionTest {
  private static final CompactionOptions LEVELED = CompactionOptions.leveled().maxLevels(3);
  private static final LevelShape SHAPE = LevelShape.of(List.of(
      List.of(file(0, 9, "a", "c", 10), file(0, 8, "b", "d", 10)),
      List.of(file(1, 6, "a", "f", 50), file(1, 7, "g", "k", 50)),
      List.of(),
      List.of(file(3, 4, "a", "m", 500), file(3, 5, "n", "z", 500))));

  @Test
  void anL0FileTakesAllOfL0DownWithIt() {
    Optional<CompactionTask> task = CompactionPicker.of(LEVELED).pickForReads(SHAPE, 8);
    assertEquals("L0[9,8] L1[6] -> L1 bottommost=false", task.orElseThrow().summary());
  }

  @Test
  void aFileOfAnUpperLevelMovesIntoWhatItOverlapsOneLevelDown() {
    Optional<CompactionTask> task = CompactionPicker.of(LEVELED).pickForReads(SHAPE, 7);
    assertEquals("L1[7] -> L2 bottommost=false", task.orElseThrow().summary());
  }

  @Test
  void aLevelThatNeverHeldAFileCanTakeOne() {
    LevelShape shallow = LevelShape.of(List.of(List.of(), List.of(file(1, 3, "a", "z", 50))));
    Optional<CompactionTask> task = CompactionPicker.of(LEVELED).pickForReads(shallow, 3);
    assertEquals("L1[3] -> L2 bottommost=true", task.orElseThrow().summary());
  }

  @Test
  void aFileOfTheLastLevelOrAFileNoLongerThereAsksForNothing() {
    assertTrue(CompactionPicker.of(LEVELED).pickForReads(SHAPE, 4).isEmpty());
    assertTrue(CompactionPicker.of(LEVELED).pickForReads(SHAPE, 42).isEmpty());
  }

  @Test
  void strategiesWithoutItAskForNothing() {
    assertTrue(CompactionPicker.of(CompactionOptions.tiered()).pickForReads(SHAPE, 8).isEmpty());
    assertTrue(CompactionPicker.of(CompactionOptions.none()).pickForReads(SHAPE, 8).isEmpty());
  }

  @Test
  void lookupsThatPassAnL0FileInVainGetItCompactedAwayAndStillReadEveryValue(@TempDir Path dir) throws Exception {
    StrataOptions options = StrataOptions.builder().compaction(CompactionOptions.leveled()).build();
    try (Strata db = Strata.open(dir, options)) {
      for (int i = 0; i < 1000; i++) {
        db.put(key(i), value(i, "old"));
      }
      db.flush();
      db.compact(); // everything at the bottom
      for (int i = 0; i < 1000; i += 2) {
        db.put(key(i), value(i, "new"));
      }
      db.flush(); // one L0 file over the whole key range, holding the even keys only
      assertEquals(1, db.stats().levelFileCounts()[0]);

      // Odd keys: each lookup consults the L0 file (its range covers the key), finds nothing
      // there and goes on to the bottom level. A small file allows 100 such lookups.
      for (int i = 1; i < 2 * 99; i += 2) {
        assertArrayEquals(value(i, "old"), db.get(key(i)));
      }
      db.waitForCompactions();
      assertEquals(1, db.stats().levelFileCounts()[0], "99 wasted lookups are within the allowance");

      for (int i = 2 * 99 + 1; i < 1000; i += 2) {
        assertArrayEquals(value(i, "old"), db.get(key(i)));
      }
      db.waitForCompactions();
      assertEquals(0, db.stats().levelFileCounts()[0], "the L0 file was compacted down");
      for (int i = 0; i < 1000; i++) {
        assertArrayEquals(value(i, i % 2 == 0 ? "new" : "old"), db.get(key(i)), "key " + i);
      }
    }
    assertTrue(Files.isDirectory(dir));
  }

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int i, String version) {
    return (version + i).getBytes(StandardCharsets.UTF_8);
  }
}
