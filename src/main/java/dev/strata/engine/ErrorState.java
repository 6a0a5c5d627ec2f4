package dev.strata.engine;

import dev.strata.StrataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's read-only error state, after RocksDB's background error: the first I/O error of a
 * write, sync, flush or manifest append is kept, and from then on every write fails fast with it
 * while reads keep working. Thread-safe.
 */
final class ErrorState {
  private static final Logger log = LoggerFactory.getLogger(ErrorState.class);

  private final Object store;
  private volatile Throwable cause;

  ErrorState(Object store) {
    this.store = store;
  }

  /** Enters the error state; only the first cause is kept. */
  synchronized void fail(Throwable error) {
    if (cause == null) {
      cause = error;
      log.error("store {} is now read-only after an I/O error", store, error);
    }
  }

  Throwable cause() {
    return cause;
  }

  /** Throws the StrataException every write gets in the error state. */
  void check() {
    Throwable err = cause;
    if (err != null) {
      throw new StrataException("store is in read-only error state: " + err.getMessage(), err);
    }
  }
}
