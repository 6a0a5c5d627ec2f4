package dev.strata.compaction;

import dev.strata.manifest.FileMeta;
import dev.strata.manifest.ManifestState;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of every level, as a picker sees them. Immutable, so safe to share between threads.
 *
 * <p>Index 0 is L0, newest file (highest number) first; its files may overlap. Index {@code i >= 1}
 * is level {@code i}, files ordered by smallest key and not overlapping. The tiered picker reads
 * the same shape as sorted runs: each L0 file is a run of its own, then each non-empty level
 * {@code i >= 1} is one run (a tier), lower index meaning newer data. Levels past the last index
 * are empty.
 */
public final class LevelShape {
  private final List<List<FileMeta>> levels;

  private LevelShape(List<List<FileMeta>> levels) {
    this.levels = levels;
  }

  /** A shape from explicit levels; every file must say the level it is listed under. */
  public static LevelShape of(List<List<FileMeta>> levels) {
    List<List<FileMeta>> copy = new ArrayList<>(levels.size());
    for (int i = 0; i < levels.size(); i++) {
      for (FileMeta f : levels.get(i)) {
        if (f.level() != i) {
          throw new IllegalArgumentException("file " + f.number() + " says L" + f.level() + " but is listed in L" + i);
        }
      }
      copy.add(List.copyOf(levels.get(i)));
    }
    return new LevelShape(List.copyOf(copy));
  }

  /** The shape the manifest records, with its ordering (L0 newest first, others by smallest key). */
  public static LevelShape from(ManifestState state) {
    List<List<FileMeta>> levels = new ArrayList<>();
    for (int i = 0; i < state.levelCount(); i++) {
      levels.add(state.level(i));
    }
    return of(levels);
  }

  /** Files of {@code level}; empty past the last level. */
  public List<FileMeta> level(int level) {
    return level < levels.size() ? levels.get(level) : List.of();
  }

  /** Number of level slots held, L0 included; levels at or past it are empty. */
  public int levelCount() {
    return levels.size();
  }

  public int fileCount(int level) {
    return level(level).size();
  }

  public long bytes(int level) {
    long sum = 0;
    for (FileMeta f : level(level)) {
      sum += f.size();
    }
    return sum;
  }

  public long totalBytes() {
    long sum = 0;
    for (int i = 0; i < levels.size(); i++) {
      sum += bytes(i);
    }
    return sum;
  }

  public boolean isEmpty() {
    return deepestNonEmptyLevel() < 0;
  }

  /** The deepest level holding a file, or -1 when there is none. */
  public int deepestNonEmptyLevel() {
    for (int i = levels.size() - 1; i >= 0; i--) {
      if (!levels.get(i).isEmpty()) {
        return i;
      }
    }
    return -1;
  }

  /** True when no level below {@code level} holds a file: output there is the oldest data. */
  public boolean nothingBelow(int level) {
    return deepestNonEmptyLevel() <= level;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < levels.size(); i++) {
      sb.append(i == 0 ? "" : " ").append('L').append(i).append('=').append(fileCount(i)).append('/')
          .append(bytes(i)).append('B');
    }
    return sb.toString();
  }
}
