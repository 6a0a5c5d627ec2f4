package dev.strata.fs;

import java.util.ArrayDeque;

/**
 * How many immutable files (SSTs) may be memory-mapped at once. Linux refuses a process more than
 * {@code vm.max_map_count} mappings (65530 by default) and then fails every further mapping, a
 * thread stack's included; a large store, one mapping per SST, would get there. When a file needs
 * mapping and the budget is spent, the least recently read mapped file is unmapped (a clock: a file
 * read since the hand last passed it gets a second chance); it is mapped again on its next read.
 * An unmapped file holds no descriptor and no address space.
 *
 * <p>The bound counts files whose mapping is current. A mapping that readers are copying out of
 * when it is evicted stays until the last of them is done (see {@link MappedReadableFile}), so for
 * the length of a copy the mappings may exceed the bound by the number of concurrent readers.
 *
 * <p>Thread-safe: one lock guards the mapped set and every change of a file's current mapping.
 */
public final class MappingBudget {
  private final int maxMappedFiles;
  /** Mapped files in clock order: the hand is the head. Guarded by this. */
  private final ArrayDeque<MappedReadableFile> mapped = new ArrayDeque<>();

  /** @throws IllegalArgumentException if {@code maxMappedFiles} is below 1 */
  public MappingBudget(int maxMappedFiles) {
    if (maxMappedFiles < 1) {
      throw new IllegalArgumentException("maxMappedFiles must be at least 1, got " + maxMappedFiles);
    }
    this.maxMappedFiles = maxMappedFiles;
  }

  public int maxMappedFiles() {
    return maxMappedFiles;
  }

  /** Files whose mapping is current now. */
  public synchronized int mappedFiles() {
    return mapped.size();
  }

  /**
   * Makes {@code mapping} {@code file}'s current one, unmapping others first if the budget is
   * spent; false (and nothing changed) when the file was closed meanwhile.
   */
  synchronized boolean admit(MappedReadableFile file, MappedReadableFile.Mapping mapping) {
    if (file.isClosed()) {
      return false;
    }
    while (mapped.size() >= maxMappedFiles) {
      MappedReadableFile victim = mapped.pollFirst();
      if (victim.takeSecondChance()) {
        mapped.addLast(victim);
      } else {
        victim.dropMapping();
      }
    }
    mapped.addLast(file);
    file.setMapping(mapping);
    return true;
  }

  /** Unmaps {@code file} for good (it is being closed). */
  synchronized void release(MappedReadableFile file) {
    if (mapped.remove(file)) {
      file.dropMapping();
    }
  }

  @Override
  public String toString() {
    return "MappingBudget(" + mappedFiles() + " of " + maxMappedFiles + " mapped)";
  }
}
