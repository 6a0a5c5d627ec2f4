package dev.strata.fs;

import java.io.EOFException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An immutable file (an SST) read through memory mappings: a read is one copy out of the page
 * cache, with no system call, where a positional {@link FileChannel} read costs a pread and a
 * copy through a temporary direct buffer. The file is mapped whole at open, in segments of at
 * most {@value #SEGMENT_BYTES} bytes (a buffer is int-indexed); its descriptor is closed right
 * away, since a mapping keeps the file. The file must not change while open: reads see its size
 * at open.
 *
 * <p>Thread-safe: concurrent reads use absolute bulk gets, which touch no buffer state.
 * {@link #close()} unmaps at once (so a deleted file gives its space back without waiting for a
 * GC) and must come after the last read, as for every {@link ReadableFile} of an SST: the
 * engine's reference counting guarantees it. A read that starts after close fails with an
 * IOException instead of touching the unmapped memory.
 */
final class MappedReadableFile implements ReadableFile {
  static final int SEGMENT_BYTES = 1 << 30;

  private final Path path;
  private final long size;
  private final MappedByteBuffer[] segments;
  private volatile boolean closed;

  private MappedReadableFile(Path path, long size, MappedByteBuffer[] segments) {
    this.path = path;
    this.size = size;
    this.segments = segments;
  }

  static MappedReadableFile open(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      int count = (int) ((size + SEGMENT_BYTES - 1) / SEGMENT_BYTES);
      MappedByteBuffer[] segments = new MappedByteBuffer[count];
      try {
        for (int i = 0; i < count; i++) {
          long start = (long) i * SEGMENT_BYTES;
          segments[i] = ch.map(FileChannel.MapMode.READ_ONLY, start, Math.min(SEGMENT_BYTES, size - start));
        }
      } catch (IOException | RuntimeException e) {
        unmapAll(segments);
        throw e;
      }
      return new MappedReadableFile(path, size, segments);
    }
  }

  @Override
  public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
    if (closed) {
      throw new IOException(path + ": read after close");
    }
    if (position < 0 || length < 0 || position > size - length) {
      throw new EOFException(path + ": wanted " + length + " bytes at " + position + ", file ends first ("
          + size + " bytes)");
    }
    long pos = position;
    int off = offset;
    int remaining = length;
    while (remaining > 0) {
      int segment = (int) (pos / SEGMENT_BYTES);
      int inSegment = (int) (pos % SEGMENT_BYTES);
      int n = Math.min(remaining, SEGMENT_BYTES - inSegment);
      try {
        segments[segment].get(inSegment, dst, off, n);
      } catch (InternalError fault) {
        // A load from a page the kernel cannot provide (the file was truncated, the device failed).
        // Only when the JVM reports it at once: see IoFailures on faults in compiled code.
        throw IoFailures.translate(fault, "reading " + length + " bytes at " + position + " of " + path);
      }
      pos += n;
      off += n;
      remaining -= n;
    }
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    unmapAll(segments);
  }

  private static void unmapAll(MappedByteBuffer[] segments) {
    for (int i = 0; i < segments.length; i++) {
      if (segments[i] != null) {
        BufferUnmapper.unmap(segments[i]);
        segments[i] = null;
      }
    }
  }
}
