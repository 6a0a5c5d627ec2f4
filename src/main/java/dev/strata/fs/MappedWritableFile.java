package dev.strata.fs;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An append-only file written through memory mappings; see {@link FileSystem#createMapped} for the
 * contract, and in particular the zero-filled tail a crashed process leaves behind.
 *
 * <p>The file is mapped {@code segmentBytes} at a time, lazily, at the first append that needs
 * the next segment; mapping past the end of the file extends it. Appends are plain copies into the
 * current segment, split across segments when they do not fit. Filled segments stay mapped until
 * the next {@link #sync()}, which forces them and then unmaps them, so a log that is synced holds
 * at most about one segment of address space. {@link #close()} unmaps everything explicitly
 * ({@link BufferUnmapper}) and truncates the file to the appended length; it does not sync (dirty
 * pages of a shared mapping stay in the page cache after unmapping).
 *
 * <p>Thread-safe, unlike other writable files: every method is synchronized, because touching a
 * segment after {@code close()} unmapped it would crash the JVM rather than throw. Uncontended, the
 * monitor costs far less than the write system call this class exists to avoid.
 */
final class MappedWritableFile implements WritableFile {
  private final Path path;
  private final FileChannel channel;
  private final int segmentBytes;
  /** Segments filled since the last sync: still to be forced, then unmapped. */
  private final List<MappedByteBuffer> filledSinceSync = new ArrayList<>();
  private MappedByteBuffer current;
  /** File offset at which the next segment will be mapped. */
  private long mappedEnd;
  private long size;
  private boolean closed;

  private MappedWritableFile(Path path, FileChannel channel, int segmentBytes) {
    this.path = path;
    this.channel = channel;
    this.segmentBytes = segmentBytes;
  }

  static MappedWritableFile create(Path path, int segmentBytes) throws IOException {
    if (segmentBytes <= 0) {
      throw new IllegalArgumentException("segmentBytes must be positive, was " + segmentBytes);
    }
    // READ as well as WRITE: a READ_WRITE mapping needs a channel open for both.
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    return new MappedWritableFile(path, channel, segmentBytes);
  }

  @Override
  public synchronized void append(byte[] data, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, data.length);
    ensureOpen();
    int from = offset;
    int left = length;
    while (left > 0) {
      if (current == null || !current.hasRemaining()) {
        mapNextSegment();
      }
      int n = Math.min(left, current.remaining());
      current.put(data, from, n);
      from += n;
      left -= n;
      size += n;
    }
  }

  private void mapNextSegment() throws IOException {
    MappedByteBuffer next = channel.map(FileChannel.MapMode.READ_WRITE, mappedEnd, segmentBytes);
    if (current != null) {
      filledSinceSync.add(current);
    }
    current = next;
    mappedEnd += segmentBytes;
  }

  /** Does nothing: appends are already in the page cache. */
  @Override
  public synchronized void flush() throws IOException {
    ensureOpen();
  }

  @Override
  public synchronized void sync() throws IOException {
    ensureOpen();
    for (MappedByteBuffer segment : filledSinceSync) {
      segment.force();
    }
    if (current != null) {
      current.force(0, current.position());
    }
    // Metadata too: mapping a segment grew the file, and the length must survive with the data.
    channel.force(true);
    for (MappedByteBuffer segment : filledSinceSync) {
      BufferUnmapper.unmap(segment);
    }
    filledSinceSync.clear();
  }

  @Override
  public synchronized long size() {
    return size;
  }

  /** Unmaps, truncates the zero-filled tail and closes; does not sync. Later calls do nothing. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      for (MappedByteBuffer segment : filledSinceSync) {
        BufferUnmapper.unmap(segment);
      }
      filledSinceSync.clear();
      if (current != null) {
        BufferUnmapper.unmap(current);
        current = null;
      }
      channel.truncate(size);
    } finally {
      channel.close();
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("closed: " + path);
    }
  }
}
