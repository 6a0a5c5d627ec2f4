package dev.strata.fs;

import java.io.Closeable;
import java.io.IOException;

/**
 * An append-only file. Appends may be buffered in memory; {@link #flush()} hands them to the
 * operating system (they then survive a process crash), {@link #sync()} makes them durable (they
 * survive a power loss). Not thread-safe: one writer at a time.
 */
public interface WritableFile extends Closeable {
  void append(byte[] data, int offset, int length) throws IOException;

  default void append(byte[] data) throws IOException {
    append(data, 0, data.length);
  }

  /** Pushes buffered appends to the operating system. */
  void flush() throws IOException;

  /** Flushes, then forces the file's data to stable storage. */
  void sync() throws IOException;

  /** Bytes appended so far, buffered or not. */
  long size();

  /** Flushes and closes; does not sync. */
  @Override
  void close() throws IOException;
}
