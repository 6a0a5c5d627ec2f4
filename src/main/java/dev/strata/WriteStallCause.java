package dev.strata;

/**
 * Why writes are held back, as {@link StrataListener#onWriteStallBegin} and
 * {@link StrataListener#onWriteStallEnd} hear of it. Held writes wait in order and are never
 * dropped; the time they wait shows in {@link StrataStats#writeStallNanos()}.
 */
public enum WriteStallCause {
  /**
   * The memtable is full and {@code maxImmutableMemtables} frozen ones already wait for their
   * flush: writes wait until a flush makes room (the disk cannot keep up with the writes).
   */
  TOO_MANY_IMMUTABLE_MEMTABLES,
  /**
   * As {@link #TOO_MANY_IMMUTABLE_MEMTABLES}, but the flush that would make room is itself held:
   * L0 holds {@code level0StopWritesTrigger} files, and flushes wait for the running compaction
   * (compaction cannot keep up with the flushes).
   */
  TOO_MANY_L0_FILES,
  /**
   * L0 holds {@code level0SlowdownWritesTrigger} files or more: writes are not held, but lose their
   * fast path and are applied one at a time by the writer, which slows them, until compaction
   * brings L0 back under the trigger (or the store closes).
   */
  L0_SLOWDOWN
}
