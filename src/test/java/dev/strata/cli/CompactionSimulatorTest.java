package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import dev.strata.compaction.CompactionPicker;
import dev.strata.compaction.CompactionTask;
import dev.strata.compaction.LevelShape;
import dev.strata.manifest.FileMeta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The compaction simulator under each strategy's defaults and the default model. */
class CompactionSimulatorTest {
  private static final long MIB = CompactionSimulator.MIB;
  private static final CompactionSimulator.Model MODEL = CompactionSimulator.Model.DEFAULT;

  /** Each strategy's defaults, and leveled with a base level small enough to fill several levels. */
  static Stream<CompactionOptions> strategies() {
    return Stream.of(CompactionOptions.leveled(), CompactionOptions.tiered(), CompactionOptions.simpleLeveled(),
        CompactionOptions.leveled().levelSizeMultiplier(4).maxLevels(5).baseLevelBytes(4 * MIB));
  }

  private static List<CompactionSimulator.Step> run(CompactionSimulator sim, int steps) {
    List<CompactionSimulator.Step> done = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      done.add(sim.step());
    }
    return done;
  }

  /** The most L0 files the strategy allows before it compacts: its trigger. */
  private static int l0Bound(CompactionOptions options) {
    return options.strategy() == CompactionOptions.Strategy.TIERED ? options.numTiers() : options.level0FileTrigger();
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void l0StaysWithinTheStrategysTriggerOver200Steps(CompactionOptions options) {
    CompactionSimulator sim = new CompactionSimulator(options, MODEL);
    for (CompactionSimulator.Step step : run(sim, 200)) {
      assertTrue(step.settled(), "step " + step.number() + " did not settle");
      assertTrue(step.shape().fileCount(0) < l0Bound(options), "step " + step.number() + ": " + step.shape());
    }
    assertTrue(sim.maxL0Files() <= l0Bound(options), "max L0 files " + sim.maxL0Files());
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void writeAmplificationIsOneUntilTheFirstCompactionAndFiniteAboveOneAfter(CompactionOptions options) {
    CompactionSimulator sim = new CompactionSimulator(options, MODEL);
    boolean compacted = false;
    for (int i = 0; i < 200; i++) {
      CompactionSimulator.Step step = sim.step();
      compacted |= !step.tasks().isEmpty();
      double wa = sim.writeAmplification();
      if (compacted) {
        assertTrue(Double.isFinite(wa) && wa > 1, "step " + step.number() + ": write amplification " + wa);
      } else {
        assertEquals(1.0, wa, "step " + step.number());
      }
    }
    assertTrue(compacted, "200 flushes never compacted");
    assertEquals((double) (sim.flushedBytes() + sim.compactionBytes()) / sim.flushedBytes(), sim.writeAmplification());
    assertEquals(200 * MODEL.flushBytes(), sim.flushedBytes());
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void levelsStaySortedAndNonOverlappingAndL0NewestFirst(CompactionOptions options) {
    CompactionSimulator sim = new CompactionSimulator(options, MODEL);
    for (CompactionSimulator.Step step : run(sim, 200)) {
      assertShapeIsValid(step.shape(), "step " + step.number());
    }
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void compactionsNeitherCreateDataNorLoseLiveData(CompactionOptions options) {
    CompactionSimulator sim = new CompactionSimulator(options, MODEL);
    for (int i = 0; i < 200; i++) {
      CompactionSimulator.Step step = sim.step();
      assertTrue(step.shape().totalBytes() <= sim.flushedBytes(), "step " + step.number() + ": " + step.shape());
      // The model spreads each output file's bytes evenly over its key range, which blurs the
      // density profile of what was merged; that approximation, not lost data, leaves a tree
      // that has seen every key up to about 1% under the live data.
      assertTrue(sim.spaceAmplification() >= 0.98, "step " + step.number() + ": space amplification "
          + sim.spaceAmplification() + " in " + step.shape());
    }
  }

  @Test
  void leveledWithASmallBaseLevelGrowsLevelsInTheMultiplierRatio() {
    CompactionOptions options = CompactionOptions.leveled().levelSizeMultiplier(4).maxLevels(5)
        .baseLevelBytes(8 * MIB);
    CompactionSimulator sim = new CompactionSimulator(options, new CompactionSimulator.Model(1_000_000, 4 * MIB,
        256 * MIB, 4 * MIB));
    run(sim, 300);
    LevelShape shape = sim.shape();
    // Targets bottom-up: L5 = 256 MiB (its size), L4 = 64, L3 = 16, L2 = 4 (16 > 8), L1 = 0.
    assertEquals(0, shape.fileCount(1), shape.toString());
    for (int level = 3; level <= 4; level++) {
      double ratio = (double) shape.bytes(level + 1) / shape.bytes(level);
      assertTrue(ratio >= 2 && ratio <= 8, "L" + (level + 1) + "/L" + level + " = " + ratio + " in " + shape);
    }
  }

  @Test
  void tieredMergesOfAllOfL0GetATierOfTheirOwn() {
    CompactionSimulator sim = new CompactionSimulator(CompactionOptions.tiered().numTiers(3), MODEL);
    List<CompactionSimulator.Step> steps = run(sim, 6);
    // Step 3: three 4 MiB runs, 8 MiB over 4 MiB is 200%: everything merges into one run, the
    // bottom tier (numTiers = 3).
    assertEquals(List.of("L0[3,2,1] -> L3 bottommost=true"), summaries(steps.get(2)));
    assertEquals(12 * MIB, steps.get(2).shape().bytes(3));
    // Step 5: runs 4, 4, 12 MiB; the next run (12) is over 101% of the first two (8), which merge
    // into an 8 MiB tier just above the 12 MiB one.
    assertEquals(List.of("L0[8,7] -> L2 bottommost=false"), summaries(steps.get(4))); // 4..6: the L3 run, cut at 4 MiB
    assertEquals(8 * MIB, steps.get(4).shape().bytes(2));
    assertEquals(12 * MIB, steps.get(4).shape().bytes(3));
    assertShapeIsValid(sim.shape(), "end");
  }

  @Test
  void mergedFlushesHoldAtMostTheLiveData() {
    CompactionSimulator sim = new CompactionSimulator(CompactionOptions.tiered().numTiers(8),
        new CompactionSimulator.Model(1000, 4 * MIB, 16 * MIB, 4 * MIB));
    List<CompactionSimulator.Step> steps = run(sim, 8);
    // Eight 4 MiB flushes over a 16 MiB key space merge into exactly the 16 MiB of live data.
    assertEquals(List.of("L0[8,7,6,5,4,3,2,1] -> L8 bottommost=true"), summaries(steps.get(7)));
    assertEquals(16 * MIB, sim.shape().totalBytes());
    assertEquals(16 * MIB, sim.compactionBytes());
  }

  @Test
  void outputsBelowL0AreCutAtTheTargetSize() {
    CompactionSimulator sim = new CompactionSimulator(CompactionOptions.simpleLeveled().level0FileTrigger(2)
        .maxLevels(1), new CompactionSimulator.Model(1_000_000, 4 * MIB, 64 * MIB, 1 * MIB));
    run(sim, 2);
    List<FileMeta> l1 = sim.shape().level(1);
    assertEquals(8, l1.size(), sim.shape().toString());
    for (FileMeta f : l1) {
      assertEquals(MIB, f.size());
    }
    assertEquals(0, SimulatedMerge.index(l1.get(0).smallestKey()));
    assertEquals(999_999, SimulatedMerge.index(l1.get(7).largestKey()));
  }

  @Test
  void trivialMovesChangeLevelAndWriteNothing() {
    CompactionSimulator sim = new CompactionSimulator(CompactionOptions.simpleLeveled().level0FileTrigger(2)
        .maxLevels(3), MODEL);
    List<CompactionSimulator.Step> steps = run(sim, 2);
    // L0 merges into L1 (overlapping L0 files: a rewrite), then the empty levels below are under
    // the size ratio, so L1's files move down unchanged, as the engine moves them.
    assertEquals(List.of("L0[2,1] -> L1 bottommost=true", "L1[3,4] -> L2 bottommost=true",
        "L2[3,4] -> L3 bottommost=true"), summaries(steps.get(1)));
    assertEquals(List.of(false, true, true),
        steps.get(1).tasks().stream().map(CompactionTask::isTrivialMove).toList());
    assertEquals(2, sim.trivialMoves());
    assertEquals(8 * MIB, sim.compactionBytes());
    assertEquals(List.of(3L, 4L), sim.shape().level(3).stream().map(FileMeta::number).toList());
  }

  @Test
  void aPickerThatNeverSettlesIsCutOffAndReported() {
    // Rewrites L1 into itself for ever (after taking L0 there first).
    CompactionPicker restless = new CompactionPicker() {
      @Override
      public Optional<CompactionTask> pick(LevelShape shape) {
        int from = shape.fileCount(0) > 0 ? 0 : 1;
        return Optional.of(new CompactionTask(List.of(new CompactionTask.Input(from, shape.level(from))), 1, true,
            "restless"));
      }

      @Override
      public CompactionTask fullCompaction(LevelShape shape) {
        throw new UnsupportedOperationException();
      }
    };
    CompactionSimulator sim = new CompactionSimulator(restless, 1, MODEL);
    CompactionSimulator.Step step = sim.step();
    assertEquals(false, step.settled());
    assertEquals(CompactionSimulator.MAX_COMPACTIONS_PER_STEP, step.tasks().size());
    assertEquals(1, sim.unsettledSteps());
    assertShapeIsValid(sim.shape(), "after the cut-off");
  }

  @Test
  void aFlushLargerThanTheLiveDataIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new CompactionSimulator.Model(1000, 8 * MIB, 4 * MIB, MIB));
  }

  @Test
  void strategyNoneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new CompactionSimulator(CompactionOptions.none(), MODEL));
  }

  private static List<String> summaries(CompactionSimulator.Step step) {
    return step.tasks().stream().map(CompactionTask::summary).toList();
  }

  /** Levels 1 and deeper sorted by smallest key without overlaps; L0 newest first by max sequence. */
  static void assertShapeIsValid(LevelShape shape, String where) {
    List<FileMeta> l0 = shape.level(0);
    for (int i = 1; i < l0.size(); i++) {
      assertTrue(l0.get(i - 1).maxSequence() > l0.get(i).maxSequence(), where + ": L0 out of order: " + l0);
    }
    for (int level = 1; level < shape.levelCount(); level++) {
      List<FileMeta> files = shape.level(level);
      for (int i = 0; i < files.size(); i++) {
        FileMeta f = files.get(i);
        assertTrue(Arrays.compareUnsigned(f.smallestKey(), f.largestKey()) <= 0, where + ": " + f + " is inverted");
        if (i > 0) {
          assertTrue(Arrays.compareUnsigned(files.get(i - 1).largestKey(), f.smallestKey()) < 0,
              where + ": L" + level + " files " + files.get(i - 1) + " and " + f + " overlap or are out of order");
        }
      }
    }
  }
}
