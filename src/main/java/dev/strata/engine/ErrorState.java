package dev.strata.engine;

import dev.strata.StrataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's read-only error state, after RocksDB's background error: the first I/O error of a
 * write, sync, flush, compaction or manifest append is kept, and from then on every write fails
 * fast with it while reads keep working.
 *
 * <p>Two severities. A <b>hard</b> error ({@link #fail}) may have lost data or left the files in
 * an unknown state (a failed WAL append or sync: on Linux a failed writeback is reported once and
 * its pages are then marked clean, so a later sync that succeeds proves nothing; a failed manifest
 * write), or is simply not known to be harmless: it sticks until the store is reopened, whose
 * recovery starts again from what is durable. A <b>recoverable</b> error ({@link #failRecoverable})
 * is one that lost nothing and may go away by itself: a flush or compaction whose output found the
 * device full. The writer retries the work after a back-off, and {@link #recover} ends the error
 * state once a retry succeeds (RocksDB's automatic recovery from a no-space background error). A
 * hard error replaces a recoverable one, never the reverse.
 *
 * <p>Thread-safe: changes hold this object's monitor; {@link #cause()} and {@link #check()} read a
 * volatile field and never wait.
 */
final class ErrorState {
  private static final Logger log = LoggerFactory.getLogger(ErrorState.class);

  /** The error the store is in, and whether it may clear without a reopen. */
  private record Failure(Throwable cause, boolean recoverable) {}

  private final Object store;
  private final ListenerEvents events;
  private volatile Failure failure;

  ErrorState(Object store) {
    this(store, new ListenerEvents(store, java.util.List.of()));
  }

  /** As {@link #ErrorState(Object)}; entering and leaving the error state are told to {@code events}. */
  ErrorState(Object store, ListenerEvents events) {
    this.store = store;
    this.events = events;
  }

  /** Enters the hard error state, until reopen; only the first hard cause is kept. */
  synchronized void fail(Throwable error) {
    Failure f = failure;
    if (f == null || f.recoverable()) {
      failure = new Failure(error, false);
      log.error("store {} is now read-only until it is reopened, after an I/O error", store, error);
      if (f == null) { // from recoverable to hard, the listeners heard of the error already
        events.emit("onBackgroundError", l -> l.onBackgroundError(error));
      }
    }
  }

  /**
   * Enters the recoverable error state, unless the store is in the hard one; returns whether the
   * store is now in the recoverable state (the caller then schedules the retry).
   */
  synchronized boolean failRecoverable(Throwable error) {
    Failure f = failure;
    if (f == null) {
      failure = new Failure(error, true);
      log.warn("store {} is read-only while background work that found the device full is retried", store, error);
      events.emit("onBackgroundError", l -> l.onBackgroundError(error));
      return true;
    }
    return f.recoverable();
  }

  /** Leaves a recoverable error state; returns whether it did (false when healthy or hard). */
  synchronized boolean recover() {
    Failure f = failure;
    if (f == null || !f.recoverable()) {
      return false;
    }
    failure = null;
    log.info("store {} recovered from {}; writes are accepted again", store, f.cause().toString());
    events.emit("onErrorRecovered", dev.strata.StrataListener::onErrorRecovered);
    return true;
  }

  /** The cause of the error state, or null while healthy. */
  Throwable cause() {
    Failure f = failure;
    return f == null ? null : f.cause();
  }

  /** Whether the store is in the recoverable error state. */
  boolean isRecoverable() {
    Failure f = failure;
    return f != null && f.recoverable();
  }

  /** Throws the StrataException every write gets in the error state. */
  void check() {
    Failure f = failure;
    if (f != null) {
      throw new StrataException("store is in read-only error state"
          + (f.recoverable() ? " (recoverable: the failed background work is being retried, and writes resume"
              + " once it succeeds)" : " until it is reopened")
          + ": " + f.cause().getMessage(), f.cause());
    }
  }
}
