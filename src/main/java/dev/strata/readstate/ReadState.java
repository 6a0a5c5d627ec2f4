package dev.strata.readstate;

import dev.strata.key.InternalKey;
import dev.strata.memtable.Memtable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable picture of everything a read consults: the mutable memtable, the frozen ones
 * (newest first), L0 SSTs (newest first) and the levels below (each sorted by key, no overlaps).
 * The writer actor builds a new one for every state transition and publishes it through
 * {@link ReadStateCell}; readers never wait for the actor.
 *
 * <p>Reference counted, after Pebble's read state: the cell holds one reference, each reader
 * takes one while it reads. When the last goes, every SST it listed is released, which is
 * what lets a compaction delete a file only after the last reader of it is done. Memtables are
 * not released (the collector frees them), so a point lookup reads them before it takes a
 * reference, and takes one ({@link #tryRef}) only to go on to the SSTs.
 *
 * <p>Thread-safe. The arrays are never modified after construction.
 */
public final class ReadState {
  private static final SstFile[] NO_FILES = new SstFile[0];
  private static final Memtable[] NO_MEMTABLES = new Memtable[0];

  private final Memtable mutable;
  private final Memtable[] immutables;
  private final SstFile[] l0;
  private final SstFile[][] levels;
  private final AtomicInteger refs = new AtomicInteger(1);
  /** The highest sequence any SST of this state holds (0 when none). */
  private final long sstMaxSequence;

  private ReadState(Memtable mutable, Memtable[] immutables, SstFile[] l0, SstFile[][] levels) {
    this.mutable = mutable;
    this.immutables = immutables;
    this.l0 = l0;
    this.levels = levels;
    long max = 0;
    for (SstFile f : l0) {
      f.ref();
      max = Math.max(max, f.properties().maxSequence());
    }
    for (SstFile[] level : levels) {
      for (SstFile f : level) {
        f.ref();
        max = Math.max(max, f.properties().maxSequence());
      }
    }
    this.sstMaxSequence = max;
  }

  /**
   * The highest sequence any SST of this state holds. Every write after it is in this state's
   * memtables, so a question about writes after a later sequence needs only the memtables.
   */
  public long sstMaxSequence() {
    return sstMaxSequence;
  }

  /** Heap bytes the index blocks of this state's SSTs keep (see TableReader#indexMemoryBytes). */
  public long tableIndexBytes() {
    long sum = 0;
    for (SstFile f : allFiles()) {
      sum += f.reader().indexMemoryBytes();
    }
    return sum;
  }

  /** Heap bytes the bloom filters of this state's SSTs keep. */
  public long tableFilterBytes() {
    long sum = 0;
    for (SstFile f : allFiles()) {
      sum += f.reader().filterMemoryBytes();
    }
    return sum;
  }

  private List<SstFile> allFiles() {
    List<SstFile> all = new ArrayList<>(Arrays.asList(l0));
    for (SstFile[] level : levels) {
      all.addAll(Arrays.asList(level));
    }
    return all;
  }

  /**
   * The first state of an opened store: {@code mutable}, the memtables recovered from WALs (newest
   * first), and the recovered levels (index 0 is L0).
   */
  public static ReadState initial(Memtable mutable, List<Memtable> immutables, List<List<SstFile>> levelFiles) {
    SstFile[] l0 = levelFiles.isEmpty() ? NO_FILES : levelFiles.get(0).toArray(NO_FILES);
    SstFile[][] levels = new SstFile[Math.max(0, levelFiles.size() - 1)][];
    for (int i = 1; i < levelFiles.size(); i++) {
      levels[i - 1] = levelFiles.get(i).toArray(NO_FILES);
    }
    return new ReadState(mutable, immutables.toArray(NO_MEMTABLES), l0, levels);
  }

  public Memtable mutable() {
    return mutable;
  }

  /** Frozen memtables, newest first. Do not modify the array. */
  public Memtable[] immutables() {
    return immutables;
  }

  /** L0 SSTs, newest first. Do not modify the array. */
  public SstFile[] l0() {
    return l0;
  }

  /** Levels 1.. as arrays sorted by key. Do not modify the arrays. */
  public SstFile[][] levels() {
    return levels;
  }

  /** The oldest frozen memtable, the next to flush, or null. */
  public Memtable oldestImmutable() {
    return immutables.length == 0 ? null : immutables[immutables.length - 1];
  }

  /**
   * The {@code count} oldest frozen memtables, or all of them when there are fewer, oldest first:
   * what a flush of {@code count} memtables writes.
   */
  public List<Memtable> oldestImmutables(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    int n = Math.min(count, immutables.length);
    List<Memtable> oldest = new ArrayList<>(n);
    for (int i = immutables.length - 1; i >= immutables.length - n; i--) {
      oldest.add(immutables[i]);
    }
    return oldest;
  }

  /** The state after freezing the mutable memtable and starting {@code next}. */
  public ReadState withRotation(Memtable next) {
    Memtable[] imm = new Memtable[immutables.length + 1];
    imm[0] = mutable;
    System.arraycopy(immutables, 0, imm, 1, immutables.length);
    return new ReadState(next, imm, l0, levels);
  }

  /**
   * The state after {@code flushed} (frozen memtables, the oldest ones) became together the L0
   * SST {@code file}.
   */
  public ReadState withFlush(List<Memtable> flushed, SstFile file) {
    List<Memtable> imm = new ArrayList<>(Arrays.asList(immutables));
    for (Memtable m : flushed) {
      if (!imm.remove(m)) {
        throw new IllegalStateException(m + " is not a frozen memtable of this state");
      }
    }
    SstFile[] newL0 = new SstFile[l0.length + 1];
    newL0[0] = file;
    System.arraycopy(l0, 0, newL0, 1, l0.length);
    return new ReadState(mutable, imm.toArray(NO_MEMTABLES), newL0, levels);
  }

  /**
   * The state after a compaction replaced the files numbered {@code removed} (wherever they sit)
   * with {@code outputs} at level {@code outputLevel}: in key order for a level of 1 or deeper; for
   * L0 (a tiered merge of some L0 files) by their data's age, newest first, as the manifest orders
   * L0. An output may be one of the removed files itself, moved to another level unchanged.
   */
  public ReadState withCompaction(Set<Long> removed, int outputLevel, List<SstFile> outputs) {
    if (outputLevel < 0) {
      throw new IllegalArgumentException("compaction output level must not be negative: " + outputLevel);
    }
    List<SstFile> newL0 = new ArrayList<>();
    for (SstFile f : l0) {
      if (!removed.contains(f.number())) {
        newL0.add(f);
      }
    }
    if (outputLevel == 0) {
      newL0.addAll(outputs);
      newL0.sort(L0_NEWEST_FIRST);
    }
    SstFile[][] newLevels = new SstFile[Math.max(levels.length, outputLevel)][];
    for (int i = 0; i < newLevels.length; i++) {
      List<SstFile> level = new ArrayList<>();
      if (i < levels.length) {
        for (SstFile f : levels[i]) {
          if (!removed.contains(f.number())) {
            level.add(f);
          }
        }
      }
      if (i == outputLevel - 1) {
        level.addAll(outputs);
        level.sort((a, b) -> InternalKey.compareUserKeys(a.smallestUserKey(), b.smallestUserKey()));
      }
      newLevels[i] = level.toArray(NO_FILES);
    }
    return new ReadState(mutable, immutables, newL0.toArray(NO_FILES), newLevels);
  }

  /** L0 order, the same as the manifest's: highest sequence first, then highest file number. */
  private static final Comparator<SstFile> L0_NEWEST_FIRST = Comparator
      .comparingLong((SstFile f) -> f.properties().maxSequence()).thenComparingLong(SstFile::number).reversed();

  /**
   * Takes a reference unless the state has already been fully released: false then, and the
   * caller must not read its SSTs (they may be closed).
   */
  public boolean tryRef() {
    while (true) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one releases the state's SSTs. */
  public void unref() {
    int r = refs.decrementAndGet();
    if (r == 0) {
      for (SstFile f : l0) {
        f.unref();
      }
      for (SstFile[] level : levels) {
        for (SstFile f : level) {
          f.unref();
        }
      }
    } else if (r < 0) {
      throw new IllegalStateException("read state released more often than referenced");
    }
  }

  int refCount() {
    return refs.get();
  }
}
