package dev.strata.compaction;

import static dev.strata.compaction.PickerCases.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import dev.strata.manifest.FileMeta;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pending-compaction estimate: RocksDB's formula over the leveled targets, and for the other
 * strategies the inputs of the picker's tasks, simulated without I/O.
 */
class PendingCompactionTest {
  /** maxLevels 3, x10 per level, 100-byte base: with 10000 B at L3 the targets are L1 100, L2 1000, L3 10000. */
  private static final CompactionOptions SMALL = CompactionOptions.leveled().maxLevels(3).levelSizeMultiplier(10)
      .baseLevelBytes(100);

  private static LevelShape shape(List<List<FileMeta>> levels) {
    return LevelShape.of(levels);
  }

  private static List<FileMeta> l0Files(int count, long size) {
    List<FileMeta> files = new ArrayList<>();
    for (int i = count; i >= 1; i--) {
      files.add(file(0, i, "a", "z", size));
    }
    return files;
  }

  @Test
  void l0UnderItsTriggerOwesNothing() {
    assertEquals(0, PendingCompaction.estimate(shape(List.of(l0Files(3, 100))), CompactionOptions.leveled()));
  }

  @Test
  void l0AtItsTriggerOwesItsBytesAndThoseOfItsOutputLevel() {
    assertEquals(400, PendingCompaction.estimate(shape(List.of(l0Files(4, 100))), CompactionOptions.leveled()));
    assertEquals(400, PendingCompaction.estimate(shape(List.of(l0Files(4, 100))), CompactionOptions.none()),
        "none() owes what its leveled knobs say");
    // L0 into the base level L1 (50 B): 400 + 50 rewritten; L1 then holds 450 over 100: 350 * (1000 / 450 + 1)
    // = 1127; L2 1000 + 350 over 1000: 350 * (10000 / 1350 + 1) = 2942.
    LevelShape withBase = shape(List.of(l0Files(4, 100), List.of(file(1, 10, "a", "z", 50)),
        List.of(file(2, 11, "a", "z", 1000)), List.of(file(3, 12, "a", "z", 10000))));
    assertEquals(450 + 1127 + 2942, PendingCompaction.estimate(withBase, SMALL));
  }

  @Test
  void aLevelOverItsTargetOwesItsExcessTimesTheFanOutAndPushesItDown() {
    LevelShape s = shape(List.of(List.of(), List.of(file(1, 1, "a", "m", 300)), List.of(file(2, 2, "a", "z", 1000)),
        List.of(file(3, 3, "a", "z", 10000))));
    // L1: 300 over 100 -> 200 * (1000 / 300 + 1) = 866; L2: 1000 + 200 over 1000 -> 200 * (10000 / 1200 + 1) = 1866.
    assertEquals(866 + 1866, PendingCompaction.estimate(s, SMALL));
  }

  @Test
  void aTreeWithinItsTargetsOwesNothing() {
    LevelShape s = shape(List.of(List.of(), List.of(file(1, 1, "a", "m", 100)), List.of(file(2, 2, "a", "z", 1000)),
        List.of(file(3, 3, "a", "z", 10000))));
    assertEquals(0, PendingCompaction.estimate(s, SMALL));
  }

  @Test
  void tieredOwesAtLeastTheInputOfTheMergeItWantsNowAndNothingWhenItWantsNone() {
    CompactionOptions tiered = CompactionOptions.tiered().numTiers(4);
    LevelShape few = shape(List.of(l0Files(3, 100)));
    assertTrue(CompactionPicker.of(tiered).pick(few).isEmpty());
    assertEquals(0, PendingCompaction.estimate(few, tiered));
    LevelShape many = shape(List.of(l0Files(8, 100)));
    CompactionTask first = CompactionPicker.of(tiered).pick(many).orElseThrow();
    long estimate = PendingCompaction.estimate(many, tiered);
    assertTrue(estimate >= first.inputBytes(), estimate + " vs the first merge's " + first.inputBytes());
    assertTrue(estimate <= PendingCompaction.MAX_SIMULATED_TASKS * 800L, "bounded: " + estimate);
  }

  @Test
  void simpleLeveledOwesTheMergesItsPickerWouldRun() {
    CompactionOptions simple = CompactionOptions.simpleLeveled().maxLevels(2);
    LevelShape s = shape(List.of(l0Files(4, 100)));
    // L0 (400 B) into an empty L1 is a merge of overlapping files (400); then L1 over an empty L2, if it asks, moves.
    long estimate = PendingCompaction.estimate(s, simple);
    assertTrue(estimate >= 400, "at least the L0 merge: " + estimate);
  }
}
