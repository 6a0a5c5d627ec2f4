package dev.strata.engine;

import dev.strata.readstate.ReadStateCell;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes an engine opened read-only: writes were never accepted, so there is no WAL to sync, no
 * manifest to close, no obsolete file to delete and no lock to release. It drops the published
 * state, whose SSTs close once the last open iterator lets go of them, and touches no file.
 *
 * <p>Thread-safe: the first call releases, later ones return at once (there is nothing a second
 * caller could need to wait for).
 */
final class ReadOnlyCloser implements StoreRelease {
  private final WritePath writes;
  private final ReadStateCell cell;
  private final AtomicBoolean released = new AtomicBoolean();

  ReadOnlyCloser(WritePath writes, ReadStateCell cell) {
    this.writes = writes;
    this.cell = cell;
  }

  @Override
  public void release() {
    if (released.compareAndSet(false, true)) {
      writes.close();
      cell.close();
    }
  }

  @Override
  public boolean release(Duration wait) {
    release();
    return true;
  }
}
