package dev.strata;

/**
 * Hears what a store does in the background, as RocksDB's {@code EventListener} and Pebble's
 * {@code EventListener}: flushes and compactions as they begin and as they are installed, write
 * stalls as they begin and end, SSTs and WALs as they are created and deleted, and the store
 * entering and leaving its read-only error state. Register with {@link StrataOptions.Builder#listener}.
 *
 * <p>A flush is heard as {@code onFlushBegin}, {@code onTableFileCreated} (its SST),
 * {@code onWalDeleted} (the WAL it made redundant), {@code onFlushCompleted}; a compaction as
 * {@code onCompactionBegin}, {@code onTableFileCreated} for each output, {@code onCompactionCompleted},
 * and later {@code onTableFileDeleted} for each input, once no reader holds it. Flushes run one at
 * a time, and so do compactions, so a begin is followed by its completion before the next begin
 * of its kind; a flush or compaction that fails is followed by {@code onBackgroundError} instead,
 * and one that {@code close()} cancels by nothing. Events cover the open store: the files the
 * open's recovery writes and deletes are not reported (its summary is logged at INFO).
 *
 * <p>Every method has an empty default, so a listener overrides only what it wants. Events never
 * run on the writer's thread and cannot stall it: the writer hands each one to the store's
 * {@code strata.callback-dispatcher}, where a store's events are delivered one at a time, in the
 * order they happened, to each listener in the order the listeners were added. A listener may
 * block or call the store (a slow one only delays later events). One that throws is logged at
 * WARN and changes nothing else: the store and the other listeners carry on.
 *
 * <p>Thread-safety: the methods of one listener registered with one store are never called
 * concurrently; a listener shared by several stores is called from their threads at once.
 */
public interface StrataListener {
  /** A flush of a frozen memtable starts writing its SST. */
  default void onFlushBegin(FlushBeginInfo info) {}

  /** A flush's SST was installed at level 0: readable, recorded in the manifest, its WAL redundant. */
  default void onFlushCompleted(FlushInfo info) {}

  /** A compaction starts (a trivial move too). */
  default void onCompactionBegin(CompactionBeginInfo info) {}

  /** A compaction's outputs were installed in place of its inputs. */
  default void onCompactionCompleted(CompactionInfo info) {}

  /** Writes began to be held back (or, for {@link WriteStallCause#L0_SLOWDOWN}, slowed) for {@code cause}. */
  default void onWriteStallBegin(WriteStallCause cause) {}

  /**
   * The stall that {@link #onWriteStallBegin} reported for {@code cause} is over, after
   * {@code duration}: the held writes are applied, or L0 fell back under the slowdown trigger.
   */
  default void onWriteStallEnd(WriteStallCause cause, java.time.Duration duration) {}

  /** An SST, written and synced, was installed: readable and recorded in the manifest. */
  default void onTableFileCreated(TableFileInfo info) {}

  /** An SST was deleted from the store's directory. */
  default void onTableFileDeleted(TableFileInfo info) {}

  /** A WAL was created for a new memtable and recorded in the manifest; writes now go to it. */
  default void onWalCreated(WalInfo info) {}

  /** A WAL was deleted from the store's directory: its memtable's SST holds what it held. */
  default void onWalDeleted(WalInfo info) {}

  /**
   * The store entered its read-only error state because of {@code error} (a failed write, sync,
   * flush, compaction or manifest append). Reads keep working; writes fail until the store is
   * reopened, or, when the error may go away by itself (the device was full), until
   * {@link #onErrorRecovered()}.
   */
  default void onBackgroundError(Throwable error) {}

  /** The store left a recoverable error state: a retry of the failed work succeeded and writes resume. */
  default void onErrorRecovered() {}
}
