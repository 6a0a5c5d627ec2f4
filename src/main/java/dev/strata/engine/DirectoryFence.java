package dev.strata.engine;

import dev.strata.fs.WritableFile;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps flush and compaction jobs out of the store's directory once the store has let go of it.
 * A close that runs out of time releases the directory lock while a job may still be running on
 * the blocking dispatcher (held up by a slow disk, say); another process, or a reopen, may then
 * own the directory, and a job that went on creating, writing, renaming or deleting SSTs could
 * overwrite a file of the new owner that happens to have the same number. So every such operation
 * of a job goes through here: before {@link #close} it runs (under a shared lock), after it fails
 * with an IOException and the job gives up.
 *
 * <p>{@link #close} waits, within a bound, for the operations already running: an operation stuck
 * past that bound in the file system may still complete, but nothing after it does.
 *
 * <p>Thread-safe.
 */
final class DirectoryFence {
  /** One file-system operation of a job. */
  interface Operation<T> {
    T run() throws IOException;
  }

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile boolean closed;

  /** Runs {@code op} unless the store let go of its directory. */
  <T> T run(Operation<T> op) throws IOException {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IOException("store is closed: its directory is no longer this job's to write");
      }
      return op.run();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** {@code file} with its appends, flushes and syncs going through the fence; closing it always works. */
  WritableFile guard(WritableFile file) {
    return new WritableFile() {
      @Override
      public void append(byte[] data, int offset, int length) throws IOException {
        run(() -> {
          file.append(data, offset, length);
          return null;
        });
      }

      @Override
      public void flush() throws IOException {
        run(() -> {
          file.flush();
          return null;
        });
      }

      @Override
      public void sync() throws IOException {
        run(() -> {
          file.sync();
          return null;
        });
      }

      @Override
      public long size() {
        return file.size();
      }

      @Override
      public void close() throws IOException {
        file.close();
      }
    };
  }

  /**
   * Refuses every operation from now on and waits up to {@code wait} for those running; returns
   * false if one was still running when the wait ended.
   */
  boolean close(Duration wait) {
    closed = true;
    try {
      if (lock.writeLock().tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
        lock.writeLock().unlock();
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }
}
