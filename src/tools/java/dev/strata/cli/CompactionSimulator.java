package dev.strata.cli;

import dev.strata.CompactionOptions;
import dev.strata.compaction.CompactionPicker;
import dev.strata.compaction.CompactionTask;
import dev.strata.compaction.LevelShape;
import dev.strata.manifest.FileMeta;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Replays a compaction strategy's {@link CompactionPicker} over synthetic flushes, with no I/O and
 * no engine: only {@link FileMeta} values move, so a strategy's write amplification and level
 * shapes can be watched over thousands of flushes in milliseconds (mini-lsm's compaction
 * simulator, with Strata's own pickers).
 *
 * <p>The model ({@link Model}):
 * <ul>
 *   <li>The key space is {@code keys} fixed-width keys (key {@code i} is {@code i} as 8 big-endian
 *       bytes). The store's live data, {@code liveBytes}, is spread evenly over it: the live
 *       density is {@code liveBytes / keys} bytes per key, and a range of {@code u} keys holds at
 *       most {@code u * liveBytes / keys} bytes of live data.
 *   <li>A file's bytes are taken as spread evenly over its key range: its density is
 *       {@code size / (largest - smallest + 1)}.
 *   <li>A step is one flush, then compactions. The flush adds one L0 file of {@code flushBytes}
 *       covering the whole key space (uniform random writes), newest first in L0. Each flush takes
 *       the next {@code flushBytes * keys / liveBytes} sequence numbers (the keys it wrote), so
 *       sequences grow with time.
 *   <li>Then the picker runs on the shape, and each task it returns is applied, until it returns
 *       empty or {@link #MAX_COMPACTIONS_PER_STEP} tasks have run in the step (the step then
 *       reports that the picker did not settle).
 *   <li>Applying a task removes its input files and writes, on every stretch of keys,
 *       {@code min(sum of the input densities there, the live density)}: the live-data model,
 *       {@code output = min(sum of inputs, live data of the keys they cover)}, applied stretch by
 *       stretch rather than to the union as a whole, so that a full range merged beside a sparse
 *       one does not lend the sparse one its overwrites. Overwrites shrink nothing until a range
 *       is full of live data, and then the range holds exactly its live data. When the inputs
 *       cover their union evenly (every merge of whole-key-space flushes) this is
 *       {@code min(sum of input sizes, live data of the union)}.
 *   <li>A trivial move, by the engine's rule ({@link CompactionTask#isTrivialMove}), is the
 *       exception: its files change level unchanged and nothing is written.
 *   <li>Output below L0 is cut into {@code ceil(output / targetSstBytes)} files of about equal
 *       bytes, each a contiguous sub-range of the merged keys, so the level stays sorted and
 *       non-overlapping (a dense stretch of keys gets narrower files than a sparse one). Output to
 *       L0 (the tiered picker merging only L0 files) is one file covering the span of its inputs,
 *       with a new, highest number and the sequences of its inputs, placed so that L0 stays newest
 *       first by max sequence (then number), as the manifest orders it.
 *   <li>Write amplification = (bytes flushed + bytes written by compactions) / bytes flushed.
 *       Space amplification = bytes in the tree / live data, where the live data is
 *       {@code min(bytes flushed, liveBytes)}: in this model the key space fills as flushes
 *       arrive.
 * </ul>
 * {@link SimulatedMerge} computes what a task writes; this class keeps the levels and the counts.
 * After every task the simulator checks that levels 1 and deeper are sorted by smallest key and
 * do not overlap, and throws {@link IllegalStateException} when a picker breaks that.
 *
 * <p>Not thread-safe: one simulation per instance, driven by one thread.
 */
final class CompactionSimulator {
  /** Tasks one step may apply before it stops asking, so that a picker that never settles shows. */
  static final int MAX_COMPACTIONS_PER_STEP = 1000;
  static final long MIB = 1L << 20;

  /**
   * The synthetic workload: {@code keys} keys holding {@code liveBytes} of live data, flushes of
   * {@code flushBytes}, outputs below L0 cut at {@code targetSstBytes}.
   */
  record Model(long keys, long flushBytes, long liveBytes, long targetSstBytes) {
    static final Model DEFAULT = new Model(1_000_000, 4 * MIB, 64 * MIB, 4 * MIB);

    Model {
      if (keys < 1 || flushBytes < 1 || targetSstBytes < 1) {
        throw new IllegalArgumentException("keys, flush size and target SST size must be positive: " + keys + ", "
            + flushBytes + ", " + targetSstBytes);
      }
      if (liveBytes < keys) {
        throw new IllegalArgumentException("live data of " + liveBytes + " B is less than one byte per key of "
            + keys + " keys");
      }
      if (flushBytes > liveBytes) {
        throw new IllegalArgumentException("a flush of " + flushBytes + " B cannot exceed the live data, "
            + liveBytes + " B: it would hold more than every key");
      }
    }

    /** Keys that {@code bytes} of writes touch: a flush's count of sequence numbers. */
    long keysIn(long bytes) {
      return Math.max(1, scale(bytes, keys, liveBytes));
    }
  }

  /**
   * What one step did: the flushed file, the tasks applied after it in order, whether the picker
   * had nothing more to do at the end, and the shape then.
   */
  record Step(int number, FileMeta flushed, List<CompactionTask> tasks, boolean settled, LevelShape shape) {
    Step {
      tasks = List.copyOf(tasks);
    }
  }

  private final CompactionPicker picker;
  private final Model model;
  private final List<List<FileMeta>> levels = new ArrayList<>();
  private LevelShape shape;
  private long nextFileNumber = 1;
  private long nextSequence = 1;
  private int steps;
  private long flushedBytes;
  private long compactionBytes;
  private long compactions;
  private long trivialMoves;
  private int maxL0Files;
  private int unsettledSteps;

  CompactionSimulator(CompactionOptions options, Model model) {
    this(picker(options, model.flushBytes()), options.maxLevels(), model);
  }

  /** A simulation of any picker; {@code levelSlots} levels below L0 are shown from the start. */
  CompactionSimulator(CompactionPicker picker, int levelSlots, Model model) {
    this.picker = picker;
    this.model = model;
    for (int i = 0; i <= levelSlots; i++) {
      levels.add(new ArrayList<>());
    }
    this.shape = LevelShape.of(levels);
  }

  private static CompactionPicker picker(CompactionOptions options, long flushBytes) {
    if (options.strategy() == CompactionOptions.Strategy.NONE) {
      throw new IllegalArgumentException("strategy none never compacts: there is nothing to simulate");
    }
    return CompactionPicker.of(options, flushBytes);
  }

  /** One flush, then every compaction the picker asks for. */
  Step step() {
    steps++;
    long written = model.keysIn(model.flushBytes());
    FileMeta flushed = new FileMeta(0, nextFileNumber++, model.flushBytes(), SimulatedMerge.key(0),
        SimulatedMerge.key(model.keys() - 1), nextSequence, nextSequence + written - 1);
    nextSequence += written;
    levels.get(0).add(0, flushed);
    flushedBytes += flushed.size();
    publish();

    List<CompactionTask> tasks = new ArrayList<>();
    Optional<CompactionTask> next = picker.pick(shape);
    while (next.isPresent() && tasks.size() < MAX_COMPACTIONS_PER_STEP) {
      apply(next.get());
      tasks.add(next.get());
      next = picker.pick(shape);
    }
    boolean settled = next.isEmpty();
    if (!settled) {
      unsettledSteps++;
    }
    return new Step(steps, flushed, tasks, settled, shape);
  }

  private void apply(CompactionTask task) {
    for (CompactionTask.Input in : task.inputs()) {
      Set<Long> numbers = new HashSet<>();
      in.files().forEach(f -> numbers.add(f.number()));
      List<FileMeta> level = levels.get(in.level());
      int before = level.size();
      level.removeIf(f -> numbers.contains(f.number()));
      if (before - level.size() != numbers.size()) {
        throw new IllegalStateException("task " + task.summary() + " names files that are not in L" + in.level());
      }
    }
    int out = task.outputLevel();
    while (levels.size() <= out) {
      levels.add(new ArrayList<>());
    }
    List<FileMeta> outputs = new ArrayList<>();
    if (task.isTrivialMove()) {
      task.files().forEach(f -> outputs.add(f.atLevel(out)));
      trivialMoves++;
    } else {
      outputs.addAll(SimulatedMerge.rewrite(task, model, () -> nextFileNumber++));
      outputs.forEach(f -> compactionBytes += f.size());
    }
    compactions++;
    List<FileMeta> target = levels.get(out);
    target.addAll(outputs);
    if (out == 0) {
      target.sort(Comparator.comparingLong(FileMeta::maxSequence).thenComparingLong(FileMeta::number).reversed());
    } else {
      target.sort((a, b) -> Arrays.compareUnsigned(a.smallestKey(), b.smallestKey()));
    }
    publish();
    checkLevels(task);
  }

  private void publish() {
    shape = LevelShape.of(levels);
    maxL0Files = Math.max(maxL0Files, shape.fileCount(0));
  }

  private void checkLevels(CompactionTask task) {
    for (int level = 1; level < levels.size(); level++) {
      List<FileMeta> files = levels.get(level);
      for (int i = 1; i < files.size(); i++) {
        if (Arrays.compareUnsigned(files.get(i - 1).largestKey(), files.get(i).smallestKey()) >= 0) {
          throw new IllegalStateException("after " + task.summary() + ", L" + level + " files "
              + files.get(i - 1).number() + " and " + files.get(i).number() + " overlap");
        }
      }
    }
  }

  /** {@code value * numerator / denominator}, exact, without overflow in between. */
  private static long scale(long value, long numerator, long denominator) {
    return BigInteger.valueOf(value).multiply(BigInteger.valueOf(numerator))
        .divide(BigInteger.valueOf(denominator)).longValueExact();
  }

  LevelShape shape() {
    return shape;
  }

  Model model() {
    return model;
  }

  int steps() {
    return steps;
  }

  long flushedBytes() {
    return flushedBytes;
  }

  long compactionBytes() {
    return compactionBytes;
  }

  long compactions() {
    return compactions;
  }

  /** Tasks applied as trivial moves, which write nothing; counted in {@link #compactions} too. */
  long trivialMoves() {
    return trivialMoves;
  }

  /** Most L0 files seen at any point, right after a flush or a compaction. */
  int maxL0Files() {
    return maxL0Files;
  }

  /** Steps that hit {@link #MAX_COMPACTIONS_PER_STEP} with the picker still asking for more. */
  int unsettledSteps() {
    return unsettledSteps;
  }

  /** (flushed + written by compactions) / flushed; 1 before any compaction, NaN before any flush. */
  double writeAmplification() {
    return flushedBytes == 0 ? Double.NaN : (double) (flushedBytes + compactionBytes) / flushedBytes;
  }

  /** The live data so far: the key space fills as flushes arrive. */
  long liveBytes() {
    return Math.min(flushedBytes, model.liveBytes());
  }

  /** Bytes in the tree over live bytes; NaN before any flush. */
  double spaceAmplification() {
    return flushedBytes == 0 ? Double.NaN : (double) shape.totalBytes() / liveBytes();
  }
}
