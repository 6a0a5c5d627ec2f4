package dev.strata.fs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writable file of {@link InMemoryFileSystem}. A plain one ({@code segmentBytes == 0}) buffers
 * appends in the handle until flush, as a process would; a mapped one writes them straight into
 * the file's current content, zero-filled to the next segment boundary until close, as the real
 * mapped file does. Thread-safe (the file system's monitor), though one writer is the contract.
 */
final class MemWritableFile extends MemHandle implements WritableFile {
  private final int segmentBytes;
  private final AtomicLong syncCount;
  private final ByteArrayOutputStream unflushed = new ByteArrayOutputStream();
  private long size;
  private long mappedEnd;

  MemWritableFile(Object monitor, Generation generation, MemFile file, Path path, int segmentBytes,
      AtomicLong syncCount) {
    this(monitor, generation, file, path, segmentBytes, syncCount, 0);
  }

  /** A mapped file continued from {@code start}, which the file's content already holds. */
  MemWritableFile(Object monitor, Generation generation, MemFile file, Path path, int segmentBytes,
      AtomicLong syncCount, long start) {
    super(monitor, generation, file, path);
    this.segmentBytes = segmentBytes;
    this.syncCount = syncCount;
    this.size = start;
    this.mappedEnd = start;
  }

  @Override
  public void append(byte[] data, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, data.length);
    synchronized (monitor) {
      ensureUsable();
      if (segmentBytes == 0) {
        unflushed.write(data, offset, length);
      } else {
        while (size + length > mappedEnd) {
          mappedEnd += segmentBytes;
          file.setLength(Math.max(file.length(), mappedEnd));
        }
        file.write(size, data, offset, length);
      }
      size += length;
    }
  }

  @Override
  public void flush() throws IOException {
    synchronized (monitor) {
      ensureUsable();
      flushBuffer();
    }
  }

  private void flushBuffer() {
    if (unflushed.size() > 0) {
      file.write(size - unflushed.size(), unflushed.toByteArray(), 0, unflushed.size());
      unflushed.reset();
    }
  }

  @Override
  public void sync() throws IOException {
    synchronized (monitor) {
      syncCount.incrementAndGet();
      ensureUsable();
      flushBuffer();
      file.sync();
    }
  }

  @Override
  public long size() {
    synchronized (monitor) {
      return size;
    }
  }

  @Override
  public void close() {
    synchronized (monitor) {
      if (closeIfLive()) {
        flushBuffer();
        if (segmentBytes > 0) {
          file.setLength(size);
        }
      }
    }
  }
}
