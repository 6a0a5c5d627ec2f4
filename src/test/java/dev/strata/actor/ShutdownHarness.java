package dev.strata.actor;

import dev.strata.Strata;
import java.time.Duration;

/**
 * What the failure-path suites (callback threading, close races) share: the bound past which a
 * call counts as hung, and a close that cannot keep a failing test's JVM busy forever (the gate
 * that holds flushes and compactions is dev.strata.fs.GatedFileSystem).
 */
final class ShutdownHarness {
  /** Longest a call may take before the tests call it hung (a hang detector, not a timing assertion). */
  static final Duration HANG = Duration.ofSeconds(30);

  private ShutdownHarness() {}

  /**
   * Closes {@code db} on a daemon thread and waits a bounded time, so that a test that found a
   * hang reports it instead of hanging in its clean-up.
   */
  static void closeQuietly(Strata db) {
    Thread t = new Thread(db::close, "test-close");
    t.setDaemon(true);
    t.start();
    try {
      t.join(HANG.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
