package dev.strata.manifest;

import java.util.List;

/**
 * One entry of the manifest, the store's edit log: each record is a delta, and the store's shape
 * is the fold of all records in order ({@link ManifestState#apply}). The first record of every
 * manifest file is a {@link Snapshot}, so a manifest never depends on an older one.
 */
public sealed interface ManifestRecord {
  /** The whole state at the moment a new manifest file was started. */
  record Snapshot(long nextFileNumber, long lastSequence, List<Long> liveWals, List<FileMeta> files)
      implements ManifestRecord {}

  /** A new memtable started, logging to WAL {@code walNumber}. */
  record WalCreated(long walNumber) implements ManifestRecord {}

  /**
   * The memtable of WAL {@code walNumber} froze: the WAL takes no more writes and holds every
   * write up to {@code lastSequence}. It is synced lazily, so after a power loss recovery may find
   * it shorter; the writes after that point are then gone, and the newer WALs must go too.
   */
  record WalRetired(long walNumber, long lastSequence) implements ManifestRecord {}

  /**
   * The first {@code syncedBytes} bytes of WAL {@code walNumber} (its file header included) are
   * synced, and end at a record boundary: a sync point recovery may not lose. Recorded when a WAL
   * that takes no more writes is synced: a retired one, the first time a sync reaches it, and every
   * WAL at a clean close. A sync of the WAL still taking writes is not recorded (it would add a
   * manifest fsync to every sync). Since manifest record version 2.
   */
  record WalSynced(long walNumber, long syncedBytes) implements ManifestRecord {}

  /**
   * The memtable of WAL {@code walNumber} is now the L0 SST {@code file}; the WAL is obsolete.
   * {@code lastSequence} is the newest sequence the SST holds or any earlier write took.
   */
  record FlushCompleted(long walNumber, FileMeta file, long lastSequence) implements ManifestRecord {}

  /**
   * The memtables of WALs {@code walNumbers} (two or more, oldest first) are now together the one
   * L0 SST {@code file}; the WALs are obsolete. {@code lastSequence} as in {@link FlushCompleted}.
   * One record, so that a crash leaves either all of them flushed or none. Since manifest record
   * version 3, which only this record is written with.
   */
  record MergedFlushCompleted(List<Long> walNumbers, FileMeta file, long lastSequence) implements ManifestRecord {
    public MergedFlushCompleted {
      walNumbers = List.copyOf(walNumbers);
      if (walNumbers.size() < 2) {
        throw new IllegalArgumentException("a merged flush names two or more WALs, got " + walNumbers);
      }
    }
  }

  /** A compaction replaced {@code removed} with {@code added}. */
  record CompactionCompleted(List<FileMeta> removed, List<FileMeta> added) implements ManifestRecord {}

  /** File numbers below {@code nextFileNumber} may have been handed out: never reuse them. */
  record NextFileNumber(long nextFileNumber) implements ManifestRecord {}
}
