package dev.strata.engine;

import java.time.Duration;

/**
 * How an open engine lets go, once, of what it holds: {@link EngineCloser} for a store opened
 * read-write (WALs, manifest, obsolete files, the directory lock), {@link ReadOnlyCloser} for one
 * opened read-only (only its published state: it holds nothing else, and must touch no file).
 *
 * <p>Implementations are thread-safe: the writer, or the closing thread, releases.
 */
interface StoreRelease {
  /** Releases, waiting for a release under way on another thread; idempotent. */
  void release();

  /**
   * As {@link #release()}, unless a release under way on another thread does not end within
   * {@code wait}: false then.
   */
  boolean release(Duration wait) throws InterruptedException;
}
