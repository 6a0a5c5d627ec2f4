package dev.strata.fs;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A readable file of {@link InMemoryFileSystem}: reads the file's current content, whatever name
 * it has by now. Thread-safe (the file system's monitor).
 */
final class MemReadableFile extends MemHandle implements ReadableFile {
  MemReadableFile(Object monitor, Generation generation, MemFile file, Path path) {
    super(monitor, generation, file, path);
  }

  @Override
  public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, dst.length);
    synchronized (monitor) {
      ensureUsable();
      if (position < 0 || position + length > file.length()) {
        throw new EOFException(path + ": wanted " + length + " bytes at " + position + ", file ends first");
      }
      file.read(position, dst, offset, length);
    }
  }

  @Override
  public long size() throws IOException {
    synchronized (monitor) {
      ensureUsable();
      return file.length();
    }
  }

  @Override
  public void close() {
    synchronized (monitor) {
      closeIfLive();
    }
  }
}
