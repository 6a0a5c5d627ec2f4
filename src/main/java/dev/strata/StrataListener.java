package dev.strata;

/**
 * Hears what a store does in the background, as RocksDB's {@code EventListener} and Pebble's
 * {@code EventListener}: flushes and compactions as they are installed, and the store entering
 * and leaving its read-only error state. Register with {@link StrataOptions.Builder#listener}.
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
  /** A flush's SST was installed at level 0: readable, recorded in the manifest, its WAL redundant. */
  default void onFlushCompleted(FlushInfo info) {}

  /** A compaction's outputs were installed in place of its inputs. */
  default void onCompactionCompleted(CompactionInfo info) {}

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
