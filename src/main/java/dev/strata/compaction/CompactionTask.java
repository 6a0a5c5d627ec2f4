package dev.strata.compaction;

import dev.strata.manifest.FileMeta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One compaction to run: merge {@link #inputs} into a new sorted run written at
 * {@link #outputLevel}. Immutable.
 *
 * @param inputs the input files grouped by the level they come from, upper (newer) levels first;
 *     no group is empty
 * @param outputLevel where the merged run goes
 * @param bottommost no level below {@code outputLevel} holds data once the inputs are removed, so
 *     the merge may drop tombstones (as long as no open snapshot still needs them; that is the
 *     engine's check, not the picker's)
 * @param reason a short phrase for logs and stats, e.g. {@code "L0 file count 4 >= 4"}
 */
public record CompactionTask(List<Input> inputs, int outputLevel, boolean bottommost, String reason) {

  /** The files taken from one level, in that level's order. */
  public record Input(int level, List<FileMeta> files) {
    public Input {
      files = List.copyOf(files);
    }
  }

  public CompactionTask {
    inputs = List.copyOf(inputs);
    if (outputLevel < 0) {
      throw new IllegalArgumentException("outputLevel must not be negative: " + outputLevel);
    }
  }

  /** A task from level/files pairs; levels with no files are left out. */
  static CompactionTask of(List<Input> inputs, int outputLevel, boolean bottommost, String reason) {
    List<Input> nonEmpty = new ArrayList<>();
    for (Input in : inputs) {
      if (!in.files().isEmpty()) {
        nonEmpty.add(in);
      }
    }
    return new CompactionTask(nonEmpty, outputLevel, bottommost, reason);
  }

  /** Every file of {@code shape} into one run at {@code outputLevel}, which becomes the bottom. */
  static CompactionTask everything(LevelShape shape, int outputLevel, String reason) {
    List<Input> inputs = new ArrayList<>();
    for (int i = 0; i < shape.levelCount(); i++) {
      inputs.add(new Input(i, shape.level(i)));
    }
    return of(inputs, outputLevel, true, reason);
  }

  /** True when there is nothing to merge (a full compaction of an empty store). */
  public boolean isEmpty() {
    return inputs.isEmpty();
  }

  /**
   * True when the task can move its files instead of rewriting them: they all come from one level
   * other than the output level, the output level holds nothing they overlap (the pickers list
   * such files as inputs), and they do not overlap one another (L0 files may). RocksDB's trivial
   * move: leveled compaction of sequential keys then writes nothing. A move keeps tombstones, so
   * a full compaction, which must drop them, never moves.
   */
  public boolean isTrivialMove() {
    if (inputs.size() != 1 || inputs.get(0).level() == outputLevel) {
      return false;
    }
    List<FileMeta> sorted = new ArrayList<>(inputs.get(0).files());
    sorted.sort((a, b) -> Arrays.compareUnsigned(a.smallestKey(), b.smallestKey()));
    for (int i = 1; i < sorted.size(); i++) {
      if (Arrays.compareUnsigned(sorted.get(i - 1).largestKey(), sorted.get(i).smallestKey()) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** Every input file, upper levels first. */
  public List<FileMeta> files() {
    List<FileMeta> all = new ArrayList<>();
    inputs.forEach(in -> all.addAll(in.files()));
    return all;
  }

  public long inputBytes() {
    long sum = 0;
    for (FileMeta f : files()) {
      sum += f.size();
    }
    return sum;
  }

  /** {@code L0[1,2] L1[3] -> L1 bottommost=true}: levels and file numbers, the shape tests compare. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    for (Input in : inputs) {
      sb.append('L').append(in.level()).append('[');
      for (int i = 0; i < in.files().size(); i++) {
        sb.append(i == 0 ? "" : ",").append(in.files().get(i).number());
      }
      sb.append("] ");
    }
    return sb.append("-> L").append(outputLevel).append(" bottommost=").append(bottommost).toString();
  }

  @Override
  public String toString() {
    return summary() + " (" + reason + ")";
  }
}
