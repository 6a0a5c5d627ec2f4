package dev.strata.compaction;

import dev.strata.CompactionOptions;
import dev.strata.manifest.FileMeta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How many bytes compaction still has to rewrite to bring every level of a shape within its
 * strategy's bounds: RocksDB's {@code estimate-pending-compaction-bytes}, the figure operators
 * watch to see compaction fall behind (RocksDB slows and stops writes on it). An estimate, not a
 * promise: it assumes compaction drops no key. Stateless, thread-safe.
 *
 * <p><b>Leveled</b> (and {@code none()}, whose leveled knobs say what the tree would need): RocksDB's
 * {@code VersionStorageInfo::EstimateCompactionBytesNeeded} over {@link LevelTargets}. L0 at its
 * file trigger owes all its bytes plus those of the level it merges into. Then, from L1 down to the
 * level above the last, a level whose bytes (with what the level above pushes into it) pass its
 * target owes the excess times the fan-out it meets, {@code excess * (next / size + 1)}, and pushes
 * the excess down. An excess pushed into an empty level costs nothing: the files move.
 *
 * <p><b>Tiered and simple leveled</b>: the picker is run against the shape without I/O, each task
 * replaced by one output of its input's size, until it wants nothing; the sum of the inputs of the
 * tasks that rewrite (not those that move files) is the estimate. At most {@link #MAX_SIMULATED_TASKS}
 * tasks are counted, so the figure is then a lower bound.
 */
public final class PendingCompaction {
  /** The most picker steps one estimate simulates: the stats call must stay cheap. */
  static final int MAX_SIMULATED_TASKS = 64;

  private PendingCompaction() {}

  /** The bytes compaction must rewrite to bring {@code shape} within the bounds of {@code options}' strategy. */
  public static long estimate(LevelShape shape, CompactionOptions options) {
    return estimate(shape, options, 0);
  }

  /**
   * As {@link #estimate(LevelShape, CompactionOptions)} for a store whose flushes write about
   * {@code flushBytes} each, which the leveled targets depend on (see {@link LevelTargets}).
   */
  public static long estimate(LevelShape shape, CompactionOptions options, long flushBytes) {
    return switch (options.strategy()) {
      case LEVELED, NONE -> leveled(shape, options, flushBytes);
      case TIERED, SIMPLE_LEVELED -> simulated(shape, CompactionPicker.of(options, flushBytes));
    };
  }

  static long leveled(LevelShape shape, CompactionOptions options) {
    return leveled(shape, options, 0);
  }

  static long leveled(LevelShape shape, CompactionOptions options, long flushBytes) {
    long level0Bytes = flushBytes > Long.MAX_VALUE / options.level0FileTrigger() ? Long.MAX_VALUE
        : flushBytes * options.level0FileTrigger();
    long[] target = LevelTargets.of(shape, options, level0Bytes);
    int maxLevels = options.maxLevels();
    long pending = 0;
    int l0Output = -1;
    if (shape.fileCount(0) >= options.level0FileTrigger()) {
      pending += shape.bytes(0);
      l0Output = l0OutputLevel(shape, LevelTargets.baseLevel(target));
    }
    long incoming = 0;
    for (int level = 1; level < maxLevels; level++) {
      long size = shape.bytes(level) + incoming;
      if (level == l0Output) {
        pending += shape.bytes(level); // the base level is rewritten with L0
        size += shape.bytes(0);
      }
      incoming = 0;
      if (size > target[level]) {
        long excess = size - target[level];
        long next = shape.bytes(level + 1);
        if (next > 0) {
          pending += (long) (excess * ((double) next / size + 1));
        }
        incoming = excess;
      }
    }
    return pending;
  }

  /** As LeveledPicker: L0 merges into the base level, or into a non-empty level above it. */
  private static int l0OutputLevel(LevelShape shape, int base) {
    for (int i = 1; i < base; i++) {
      if (shape.fileCount(i) > 0) {
        return i;
      }
    }
    return base;
  }

  static long simulated(LevelShape start, CompactionPicker picker) {
    LevelShape shape = start;
    long nextNumber = 1;
    for (int i = 0; i < shape.levelCount(); i++) {
      for (FileMeta f : shape.level(i)) {
        nextNumber = Math.max(nextNumber, f.number() + 1);
      }
    }
    long pending = 0;
    for (int step = 0; step < MAX_SIMULATED_TASKS; step++) {
      Optional<CompactionTask> picked = picker.pick(shape);
      if (picked.isEmpty() || picked.get().isEmpty()) {
        break;
      }
      CompactionTask task = picked.get();
      if (!task.isTrivialMove()) {
        pending += task.inputBytes();
      }
      shape = apply(shape, task, nextNumber++);
    }
    return pending;
  }

  /** {@code shape} after {@code task}: its inputs gone, one output (or the moved files) at the output level. */
  private static LevelShape apply(LevelShape shape, CompactionTask task, long outputNumber) {
    List<FileMeta> inputs = task.files();
    List<FileMeta> outputs = new ArrayList<>();
    if (task.isTrivialMove()) {
      inputs.forEach(f -> outputs.add(f.atLevel(task.outputLevel())));
    } else {
      byte[] lo = inputs.get(0).smallestKey();
      byte[] hi = inputs.get(0).largestKey();
      long minSeq = Long.MAX_VALUE;
      long maxSeq = Long.MIN_VALUE;
      for (FileMeta f : inputs) {
        lo = Arrays.compareUnsigned(f.smallestKey(), lo) < 0 ? f.smallestKey() : lo;
        hi = Arrays.compareUnsigned(f.largestKey(), hi) > 0 ? f.largestKey() : hi;
        minSeq = Math.min(minSeq, f.minSequence());
        maxSeq = Math.max(maxSeq, f.maxSequence());
      }
      outputs.add(new FileMeta(task.outputLevel(), outputNumber, task.inputBytes(), lo, hi, minSeq, maxSeq));
    }
    int levels = Math.max(shape.levelCount(), task.outputLevel() + 1);
    List<List<FileMeta>> next = new ArrayList<>();
    for (int i = 0; i < levels; i++) {
      List<FileMeta> level = new ArrayList<>();
      for (FileMeta f : shape.level(i)) {
        if (!inputs.contains(f)) {
          level.add(f);
        }
      }
      if (i == task.outputLevel()) {
        level.addAll(outputs);
        if (i == 0) { // newest first, as the manifest orders L0
          level.sort((a, b) -> a.maxSequence() != b.maxSequence() ? Long.compare(b.maxSequence(), a.maxSequence())
              : Long.compare(b.number(), a.number()));
        } else {
          level.sort((a, b) -> Arrays.compareUnsigned(a.smallestKey(), b.smallestKey()));
        }
      }
      next.add(level);
    }
    return LevelShape.of(next);
  }
}
