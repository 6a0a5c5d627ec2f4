package dev.strata;

/**
 * What opening a store does with a write-ahead log that is not exactly as it was written: what a
 * crash or a damaged disk left. Chosen with {@link StrataOptions.Builder#walRecoveryMode}, or
 * {@code strata.wal-recovery-mode} in the configuration. The modes follow RocksDB's
 * {@code WALRecoveryMode} of the same names.
 *
 * <p>What each mode may drop, and what it never drops: a store records in its manifest how many
 * bytes of a WAL were synced when the WAL stopped taking writes (when its memtable froze and the WAL
 * was then synced, and when the store closed). Damage before such a recorded point means synced
 * writes are gone: {@link #POINT_IN_TIME} and {@link #ABSOLUTE_CONSISTENCY} refuse to open with a
 * {@link CorruptionException} naming the file and offset, {@link #SKIP_ANY_CORRUPTED_RECORDS} logs it
 * and goes on. The WAL that was taking writes when a process crashed or the power failed has no
 * recorded point past its start: explicit {@code sync()} calls and synced writes are not recorded
 * (that would cost a second fsync, of the manifest, per sync), so damage anywhere in it is handled
 * as the mode says for the unsynced tail.
 *
 * <p>A WAL recovery did not replay to its end, because it stopped or skipped at damage that was
 * followed by more data, or because it came after such a stop, is never deleted: it is moved to
 * the {@code lost} directory inside the store directory (as LevelDB's repair does), where Strata
 * neither reads nor deletes it, and the open logs at WARN the file, the offset and the bytes
 * dropped. A WAL whose only loss is a torn last record (a write the crash interrupted) holds
 * nothing more to salvage and is deleted once replayed, as usual.
 */
public enum WalRecoveryMode {
  /**
   * The default. Replays the WALs, oldest first, up to the first sign of loss: a torn or damaged
   * record, a hole of zeros with data after it, a WAL that ends before the writes the manifest says
   * it held. Nothing after that point is replayed, in that WAL or in any newer one (their writes
   * come after the gap), so the store opens with a consistent prefix of its history: every write
   * it holds, and every write before it. Fails only when the loss reaches back before a recorded
   * synced point.
   */
  POINT_IN_TIME,

  /**
   * Strict: any damage, including a torn last record and a WAL shorter than the manifest says, is a
   * {@link CorruptionException} naming the file and offset, and the store does not open (nothing on
   * disk is changed). A tail of zeros after the last whole record is not damage: it is how a
   * memory-mapped WAL looks when the process stopped between two writes. For stores that are
   * closed cleanly, or whose every write is synced and that would rather fail than lose a write
   * that was in flight; like RocksDB's kAbsoluteConsistency, and unlike its legacy
   * kTolerateCorruptedTailRecords, a torn tail is not excused.
   */
  ABSOLUTE_CONSISTENCY,

  /**
   * Salvage: replays every record that is whole, in every WAL, skipping what is damaged (the rest
   * of the damaged 32 KiB log block, and any record cut by it), and logs each skip at WARN (at ERROR
   * when it lies before a recorded synced point). The store opens with everything that could be
   * read, which need not be a consistent prefix: writes after a gap may be there while writes
   * before them are lost. For getting data out of a damaged store; LevelDB's behaviour.
   */
  SKIP_ANY_CORRUPTED_RECORDS
}
