package dev.strata.fs;

import java.io.Closeable;
import java.io.IOException;

/** A file read by position. Thread-safe: concurrent positional reads are allowed. */
public interface ReadableFile extends Closeable {
  /** Reads exactly {@code length} bytes at {@code position}; EOFException if the file is shorter. */
  void readFully(long position, byte[] dst, int offset, int length) throws IOException;

  long size() throws IOException;

  @Override
  void close() throws IOException;
}
