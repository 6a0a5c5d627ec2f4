package dev.strata.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A file read by position. Thread-safe: concurrent positional reads are allowed. */
public interface ReadableFile extends Closeable {
  /** Reads exactly {@code length} bytes at {@code position}; EOFException if the file is shorter. */
  void readFully(long position, byte[] dst, int offset, int length) throws IOException;

  /**
   * Applies {@code reader} to the {@code length} bytes at {@code position}, lent as a buffer
   * (position 0, limit {@code length}) that is valid only during the call: the reader must
   * neither keep it nor write to it. A file that can lend its own memory (a mapping) lends it,
   * which saves a copy into a heap array when the reader only derives something from the bytes,
   * as the reader of a compressed block does; the default reads into a new array and lends that.
   * EOFException if the file is shorter.
   */
  default <T> T read(long position, int length, BufferReader<T> reader) throws IOException {
    byte[] bytes = new byte[length];
    readFully(position, bytes, 0, length);
    return reader.read(ByteBuffer.wrap(bytes));
  }

  long size() throws IOException;

  @Override
  void close() throws IOException;

  /** What {@link #read(long, int, BufferReader)} applies to the bytes it lends. */
  @FunctionalInterface
  interface BufferReader<T> {
    T read(ByteBuffer bytes) throws IOException;
  }
}
