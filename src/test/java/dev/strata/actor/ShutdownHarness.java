package dev.strata.actor;

import dev.strata.Strata;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the failure-path suites (callback threading, close races) share: a disk file system that
 * holds SST writes at a gate, and a close that cannot keep a failing test's JVM busy forever.
 */
final class ShutdownHarness {
  /** Longest a call may take before the tests call it hung (a hang detector, not a timing assertion). */
  static final Duration HANG = Duration.ofSeconds(30);

  private ShutdownHarness() {}

  /**
   * The disk, except that creating an SST (the first step of every flush and compaction output)
   * waits until {@link #open()}: the test decides when the store may flush, and so when it stalls.
   */
  static final class GatedFileSystem extends ForwardingFileSystem {
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch reached = new CountDownLatch(1);

    GatedFileSystem() {
      super(DiskFileSystem.INSTANCE);
    }

    @Override
    public WritableFile create(Path path) throws IOException {
      if (path.getFileName().toString().contains(".sst")) {
        reached.countDown();
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted at the gate", e);
        }
      }
      return delegate.create(path);
    }

    /** Waits until an SST write reached the gate. */
    void awaitReached() throws InterruptedException {
      if (!reached.await(HANG.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("no SST write reached the gate");
      }
    }

    boolean isReached() {
      return reached.getCount() == 0;
    }

    void open() {
      gate.countDown();
    }
  }

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
