package dev.strata.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.strata.CompactionOptions;
import dev.strata.manifest.FileMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeveledPickerTest {

  @Test
  void picksWhatEveryCaseInTheCaseFileExpects() {
    PickerCases.run("leveled.txt", CompactionOptions.leveled());
  }

  /**
   * On random shapes: with nothing running, the running-aware pick is the plain pick; and picking
   * again and again beside what was picked before (as the writer does, up to its limit) never
   * gives a task that conflicts with one already running, nor a file twice.
   */
  @Test
  void tasksPickedBesideRunningOnesNeverConflictWithThem() {
    long seed = Long.getLong("strata.seed", System.nanoTime());
    System.out.println("LeveledPickerTest seed " + seed);
    Random random = new Random(seed);
    int side = 0;
    for (int round = 0; round < 500; round++) {
      CompactionOptions options = CompactionOptions.leveled().maxLevels(2 + random.nextInt(4))
          .level0FileTrigger(1 + random.nextInt(4)).levelSizeMultiplier(2 + random.nextInt(9))
          .baseLevelBytes(100 + random.nextInt(5000));
      CompactionPicker picker = CompactionPicker.of(options, random.nextInt(3) * (50 + random.nextInt(500)));
      LevelShape shape = randomShape(random, options.maxLevels());
      assertEquals(picker.pick(shape), picker.pick(shape, List.of()), "seed " + seed + ", round " + round);
      List<CompactionTask> running = new ArrayList<>();
      for (Optional<CompactionTask> next = picker.pick(shape, running); next.isPresent() && running.size() < 6;
          next = picker.pick(shape, running)) {
        for (CompactionTask r : running) {
          assertFalse(LeveledPicker.conflicts(next.get(), r), next.get() + " conflicts with running " + r
              + " in " + shape + " (seed " + seed + ", round " + round + ")");
          assertFalse(LeveledPicker.conflicts(r, next.get()), "conflicts is symmetric (seed " + seed + ")");
        }
        running.add(next.get());
      }
      side += running.size() >= 2 ? 1 : 0;
    }
    System.out.println("LeveledPickerTest: " + side + " of 500 shapes gave two tasks or more side by side");
    assertFalse(side == 0, "no shape gave two tasks side by side: the test checks nothing (seed " + seed + ")");
  }

  /** Levels of random non-overlapping files over keys "k000".."k999" (L0 files may overlap). */
  private static LevelShape randomShape(Random random, int maxLevels) {
    List<List<FileMeta>> levels = new ArrayList<>();
    long number = 1;
    for (int level = 0; level <= maxLevels; level++) {
      List<FileMeta> files = new ArrayList<>();
      int count = random.nextInt(level == 0 ? 6 : 8);
      if (level == 0) {
        for (int i = 0; i < count; i++) {
          int a = random.nextInt(1000);
          int b = a + random.nextInt(1000 - a);
          files.add(0, PickerCases.file(0, number++, key(a), key(b), 1 + random.nextInt(200)));
        }
      } else {
        int at = 0;
        for (int i = 0; i < count && at < 999; i++) {
          int a = at + random.nextInt(Math.max(1, (999 - at) / 4));
          int b = Math.min(999, a + random.nextInt(120));
          files.add(PickerCases.file(level, number++, key(a), key(b), 1 + random.nextInt(level * 2000)));
          at = b + 1;
        }
      }
      levels.add(files);
    }
    return LevelShape.of(levels);
  }

  private static String key(int i) {
    return String.format("k%03d", i);
  }
}
