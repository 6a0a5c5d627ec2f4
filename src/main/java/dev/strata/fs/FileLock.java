package dev.strata.fs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An exclusive lock on a store's directory, held through a lock file, so that two Strata
 * instances (in one JVM or in two processes) never write the same directory. Closing releases it;
 * closing twice does nothing. Thread-safe.
 */
public interface FileLock extends AutoCloseable {
  /** The lock file this lock holds. */
  Path path();

  /** Releases the lock; later calls do nothing. */
  @Override
  void close() throws IOException;
}
