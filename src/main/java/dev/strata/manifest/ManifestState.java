package dev.strata.manifest;

import dev.strata.CorruptionException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The store's shape as the manifest says it is: the SSTs of every level, the WALs whose memtables
 * are not yet flushed, the next file number and the last sequence. Built by folding manifest
 * records in order; {@link #snapshot()} turns it back into the one record that starts a new
 * manifest. Not thread-safe: the writer actor owns the live one, recovery builds its own.
 */
public final class ManifestState {
  /** Levels by index; each maps file number to its metadata. */
  private final List<TreeMap<Long, FileMeta>> levels = new ArrayList<>();
  private final TreeSet<Long> liveWals = new TreeSet<>();
  /** Live WALs whose memtables froze, with the last sequence each holds (see WalRetired). */
  private final TreeMap<Long, Long> retiredWalEnds = new TreeMap<>();
  /** Live WALs with a recorded sync point: the bytes synced (see WalSynced). */
  private final TreeMap<Long, Long> walSyncedBytes = new TreeMap<>();
  private long nextFileNumber = 1;
  private long lastSequence;

  public ManifestState apply(ManifestRecord record) {
    if (record instanceof ManifestRecord.Snapshot s) {
      levels.clear();
      liveWals.clear();
      retiredWalEnds.clear();
      walSyncedBytes.clear();
      nextFileNumber = s.nextFileNumber();
      lastSequence = s.lastSequence();
      liveWals.addAll(s.liveWals());
      s.files().forEach(this::add);
    } else if (record instanceof ManifestRecord.WalCreated w) {
      liveWals.add(w.walNumber());
      bumpFileNumber(w.walNumber());
    } else if (record instanceof ManifestRecord.WalRetired r) {
      if (!liveWals.contains(r.walNumber())) {
        throw new CorruptionException("manifest retires WAL " + r.walNumber() + ", which is not live");
      }
      retiredWalEnds.put(r.walNumber(), r.lastSequence());
    } else if (record instanceof ManifestRecord.WalSynced w) {
      if (!liveWals.contains(w.walNumber())) {
        throw new CorruptionException("manifest records a sync point of WAL " + w.walNumber() + ", which is not live");
      }
      walSyncedBytes.merge(w.walNumber(), w.syncedBytes(), Math::max);
    } else if (record instanceof ManifestRecord.FlushCompleted f) {
      flushed(List.of(f.walNumber()), f.file(), f.lastSequence());
    } else if (record instanceof ManifestRecord.MergedFlushCompleted f) {
      flushed(f.walNumbers(), f.file(), f.lastSequence());
    } else if (record instanceof ManifestRecord.CompactionCompleted c) {
      for (FileMeta f : c.removed()) {
        remove(f);
      }
      c.added().forEach(this::add);
    } else if (record instanceof ManifestRecord.NextFileNumber n) {
      nextFileNumber = Math.max(nextFileNumber, n.nextFileNumber());
    }
    return this;
  }

  /** The memtables of {@code wals} became the L0 SST {@code file}: their WALs are obsolete. */
  private void flushed(List<Long> wals, FileMeta file, long flushedLastSequence) {
    for (long wal : wals) {
      liveWals.remove(wal);
      retiredWalEnds.remove(wal);
      walSyncedBytes.remove(wal);
    }
    add(file);
    lastSequence = Math.max(lastSequence, flushedLastSequence);
  }

  private void add(FileMeta f) {
    while (levels.size() <= f.level()) {
      levels.add(new TreeMap<>());
    }
    if (levels.get(f.level()).put(f.number(), f) != null) {
      throw new CorruptionException("manifest adds SST " + f.number() + " to L" + f.level() + " twice");
    }
    bumpFileNumber(f.number());
  }

  private void remove(FileMeta f) {
    if (f.level() >= levels.size() || levels.get(f.level()).remove(f.number()) == null) {
      throw new CorruptionException("manifest removes SST " + f.number() + " from L" + f.level()
          + ", where it never was");
    }
  }

  private void bumpFileNumber(long used) {
    nextFileNumber = Math.max(nextFileNumber, used + 1);
  }

  /**
   * L0's order, newest data first: by highest sequence, then by file number. Not by file number
   * alone: a tiered compaction that merges some L0 files writes its output back to L0, and that
   * output, numbered after flushes that finished while it ran, still holds older data than they do.
   */
  public static final Comparator<FileMeta> L0_NEWEST_FIRST =
      Comparator.comparingLong(FileMeta::maxSequence).thenComparingLong(FileMeta::number).reversed();

  /** Files of {@code level}: L0 newest data first ({@link #L0_NEWEST_FIRST}), other levels by smallest key. */
  public List<FileMeta> level(int level) {
    if (level >= levels.size()) {
      return List.of();
    }
    List<FileMeta> files = new ArrayList<>(levels.get(level).values());
    if (level == 0) {
      files.sort(L0_NEWEST_FIRST);
    } else {
      files.sort((a, b) -> java.util.Arrays.compareUnsigned(a.smallestKey(), b.smallestKey()));
    }
    return files;
  }

  public int levelCount() {
    return levels.size();
  }

  /** Every file, L0 first. */
  public List<FileMeta> allFiles() {
    List<FileMeta> all = new ArrayList<>();
    for (int i = 0; i < levels.size(); i++) {
      all.addAll(level(i));
    }
    return all;
  }

  /** WALs whose memtables are not flushed yet, oldest first. */
  public List<Long> liveWals() {
    return List.copyOf(liveWals);
  }

  /**
   * The last sequence retired WAL {@code wal} holds, or -1 if it is not retired (the newest WAL,
   * or one retired by a version of Strata that synced WALs when it retired them).
   */
  public long retiredWalEnd(long wal) {
    Long end = retiredWalEnds.get(wal);
    return end == null ? -1 : end;
  }

  /**
   * How many bytes of live WAL {@code wal} were recorded as synced (see WalSynced), or -1 when no
   * sync point of it is recorded.
   */
  public long walSyncedBytes(long wal) {
    Long synced = walSyncedBytes.get(wal);
    return synced == null ? -1 : synced;
  }

  /**
   * The records that restore what {@link #snapshot()} leaves out, the retired WALs' ends and the
   * WALs' sync points; a new manifest holds them right after its snapshot.
   */
  public List<ManifestRecord> afterSnapshot() {
    List<ManifestRecord> records = new ArrayList<>();
    retiredWalEnds.forEach((wal, end) -> records.add(new ManifestRecord.WalRetired(wal, end)));
    walSyncedBytes.forEach((wal, synced) -> records.add(new ManifestRecord.WalSynced(wal, synced)));
    return records;
  }

  public long nextFileNumber() {
    return nextFileNumber;
  }

  public long lastSequence() {
    return lastSequence;
  }

  public void setLastSequence(long sequence) {
    lastSequence = Math.max(lastSequence, sequence);
  }

  public ManifestRecord.Snapshot snapshot() {
    return new ManifestRecord.Snapshot(nextFileNumber, lastSequence, liveWals(), allFiles());
  }
}
