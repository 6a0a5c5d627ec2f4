package dev.strata.compaction;

import static dev.strata.compaction.PickerCases.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FullCompactionTest {
  private static final LevelShape SHAPE = LevelShape.of(List.of(
      List.of(file(0, 9, "a", "c", 10), file(0, 8, "b", "d", 10)),
      List.of(),
      List.of(file(2, 4, "a", "m", 50), file(2, 5, "n", "z", 50))));

  @Test
  void simpleLeveledMergesEverythingIntoTheLastLevel() {
    CompactionTask task = CompactionPicker.of(CompactionOptions.simpleLeveled().maxLevels(4)).fullCompaction(SHAPE);
    assertEquals("L0[9,8] L2[4,5] -> L4 bottommost=true", task.summary());
  }

  @Test
  void leveledMergesEverythingIntoTheLastLevel() {
    CompactionTask task = CompactionPicker.of(CompactionOptions.leveled().maxLevels(3)).fullCompaction(SHAPE);
    assertEquals("L0[9,8] L2[4,5] -> L3 bottommost=true", task.summary());
  }

  @Test
  void leveledKeepsDataThatSitsBelowMaxLevelsAtItsLevel() {
    CompactionTask task = CompactionPicker.of(CompactionOptions.leveled().maxLevels(1)).fullCompaction(SHAPE);
    assertEquals(2, task.outputLevel());
  }

  @Test
  void tieredMergesEveryRunIntoTheBottomTier() {
    CompactionTask task = CompactionPicker.of(CompactionOptions.tiered().numTiers(3)).fullCompaction(SHAPE);
    assertEquals("L0[9,8] L2[4,5] -> L3 bottommost=true", task.summary());
  }

  @Test
  void tieredFullCompactionKeepsATierBelowTheBottomWhereItIs() {
    CompactionTask task = CompactionPicker.of(CompactionOptions.tiered().numTiers(2)).fullCompaction(SHAPE);
    assertEquals("L0[9,8] L2[4,5] -> L2 bottommost=true", task.summary());
  }

  @Test
  void tieredFullCompactionOfL0AloneGoesToTheBottomTier() {
    LevelShape l0Only = LevelShape.of(List.of(List.of(file(0, 2, "a", "b", 1), file(0, 1, "a", "b", 1))));
    assertEquals("L0[2,1] -> L8 bottommost=true",
        CompactionPicker.of(CompactionOptions.tiered()).fullCompaction(l0Only).summary());
  }

  @Test
  void fullCompactionOfAnEmptyStoreIsAnEmptyTask() {
    LevelShape empty = LevelShape.of(List.of());
    for (CompactionOptions options : List.of(CompactionOptions.leveled(), CompactionOptions.tiered(),
        CompactionOptions.simpleLeveled(), CompactionOptions.none())) {
      CompactionTask task = CompactionPicker.of(options).fullCompaction(empty);
      assertTrue(task.isEmpty(), options.toString());
      assertEquals(0, task.inputBytes(), options.toString());
    }
  }

  @Test
  void fullCompactionCountsEveryInputByte() {
    CompactionTask task = CompactionPicker.of(CompactionOptions.leveled()).fullCompaction(SHAPE);
    assertEquals(SHAPE.totalBytes(), task.inputBytes());
    assertEquals(4, task.files().size());
  }

  @Test
  void noneNeverPicksButStillCompactsFully() {
    CompactionPicker picker = CompactionPicker.of(CompactionOptions.none().level0FileTrigger(1));
    assertEquals(Optional.empty(), picker.pick(SHAPE));
    assertEquals("L0[9,8] L2[4,5] -> L2 bottommost=true", picker.fullCompaction(SHAPE).summary());
  }

  @Test
  void shapeRejectsAFileListedUnderAnotherLevel() {
    assertThrows(IllegalArgumentException.class,
        () -> LevelShape.of(List.of(List.of(), List.of(file(2, 1, "a", "b", 1)))));
  }
}
