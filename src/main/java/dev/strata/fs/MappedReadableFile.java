package dev.strata.fs;

import java.io.EOFException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable file (an SST) read through memory mappings: a read is one copy out of the page
 * cache, with no system call, where a positional {@link FileChannel} read costs a pread and a
 * copy through a temporary direct buffer. The file is mapped whole, in segments of at most
 * {@value #SEGMENT_BYTES} bytes (a buffer is int-indexed); its descriptor is closed right away,
 * since a mapping keeps the file. The file must not change while open: reads see its size at open.
 *
 * <p>Under a {@link MappingBudget} the mapping may be taken away between reads (the budget unmaps
 * the least recently read file when another needs mapping), and the next read maps the file again
 * from its path, which therefore must stay in place while the file is open: SSTs are deleted only
 * after their reader is closed. Without a budget the file stays mapped until closed.
 *
 * <p>Thread-safe: concurrent reads use absolute bulk gets, which touch no buffer state. A read
 * pins the mapping it copies from (a count in the {@link Mapping}), and a mapping that is taken
 * away is unmapped by whoever lets go of it last, the budget or the last reader: no read ever
 * touches unmapped memory, which would crash the JVM rather than throw. {@link #close()} unmaps
 * (so a deleted file gives its space back without waiting for a GC) and must come after the last
 * read, as for every {@link ReadableFile} of an SST: the engine's reference counting guarantees
 * it. A read that starts after close fails with an IOException.
 */
final class MappedReadableFile implements ReadableFile {
  static final int SEGMENT_BYTES = 1 << 30;

  private final Path path;
  private final long size;
  /** Null: mapped at open, unmapped at close. */
  private final MappingBudget budget;
  /** The current mapping; null while the budget has the file unmapped. Written under the budget's lock. */
  private volatile Mapping mapping;
  /** Read since the budget's clock hand last passed: spared once. */
  private volatile boolean recentlyRead;
  private volatile boolean closed;

  private MappedReadableFile(Path path, long size, MappingBudget budget) {
    this.path = path;
    this.size = size;
    this.budget = budget;
  }

  /** Opens and maps {@code path} for good (until close). */
  static MappedReadableFile open(Path path) throws IOException {
    return open(path, null);
  }

  /** Opens and maps {@code path}; with a budget, the mapping counts against it and may be taken away. */
  static MappedReadableFile open(Path path, MappingBudget budget) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      MappedReadableFile file = new MappedReadableFile(path, size, budget);
      Mapping m = new Mapping(map(ch, size));
      if (budget == null) {
        file.mapping = m;
      } else {
        budget.admit(file, m);
      }
      return file;
    }
  }

  @Override
  public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
    if (position < 0 || length < 0 || position > size - length) {
      throw new EOFException(path + ": wanted " + length + " bytes at " + position + ", file ends first ("
          + size + " bytes)");
    }
    Mapping m = pin();
    try {
      long pos = position;
      int off = offset;
      int remaining = length;
      while (remaining > 0) {
        int segment = (int) (pos / SEGMENT_BYTES);
        int inSegment = (int) (pos % SEGMENT_BYTES);
        int n = Math.min(remaining, SEGMENT_BYTES - inSegment);
        try {
          m.segments[segment].get(inSegment, dst, off, n);
        } catch (InternalError fault) {
          // A load from a page the kernel cannot provide (the file was truncated, the device failed).
          // Only when the JVM reports it at once: see IoFailures on faults in compiled code.
          throw IoFailures.translate(fault, "reading " + length + " bytes at " + position + " of " + path);
        }
        pos += n;
        off += n;
        remaining -= n;
      }
    } finally {
      m.unpin();
    }
  }

  /**
   * Lends the mapping itself when the bytes lie in one segment (all but a block straddling a
   * 1 GiB boundary), pinned for the reader's call: no copy out of the page cache.
   */
  @Override
  public <T> T read(long position, int length, BufferReader<T> reader) throws IOException {
    if (position < 0 || length < 0 || position > size - length) {
      throw new EOFException(path + ": wanted " + length + " bytes at " + position + ", file ends first ("
          + size + " bytes)");
    }
    int segment = (int) (position / SEGMENT_BYTES);
    int inSegment = (int) (position % SEGMENT_BYTES);
    if (length > SEGMENT_BYTES - inSegment) {
      return ReadableFile.super.read(position, length, reader);
    }
    Mapping m = pin();
    try {
      return reader.read(m.segments[segment].slice(inSegment, length));
    } catch (InternalError fault) {
      // As in readFully: the reader's loads from the mapping can fault as the copy's can.
      throw IoFailures.translate(fault, "reading " + length + " bytes at " + position + " of " + path);
    } finally {
      m.unpin();
    }
  }

  /** The current mapping, pinned for one read; maps the file again if the budget took it away. */
  private Mapping pin() throws IOException {
    if (!recentlyRead) {
      recentlyRead = true; // written only when it changes, so hot files' readers share the line
    }
    while (true) {
      if (closed) {
        throw new IOException(path + ": read after close");
      }
      Mapping m = mapping;
      if (m == null) {
        m = remap();
      }
      if (m.pin()) {
        return m;
      }
      // Taken away between the read of the field and the pin: look again.
    }
  }

  /** Maps the file again; one thread maps while others wait for it. */
  private synchronized Mapping remap() throws IOException {
    Mapping m = mapping;
    if (m != null) {
      return m;
    }
    if (budget == null || closed) {
      throw new IOException(path + ": read after close"); // without a budget only close unmaps
    }
    MappedByteBuffer[] segments;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      segments = map(ch, size);
    }
    m = new Mapping(segments);
    if (!budget.admit(this, m)) {
      m.retire();
      throw new IOException(path + ": read after close");
    }
    return m;
  }

  private static MappedByteBuffer[] map(FileChannel ch, long size) throws IOException {
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
    return segments;
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
    if (budget != null) {
      budget.release(this);
    } else {
      dropMapping();
    }
  }

  boolean isClosed() {
    return closed;
  }

  /** Budget only, under its lock. */
  void setMapping(Mapping m) {
    mapping = m;
  }

  /** Budget only, under its lock (or close, without a budget): takes the mapping away. */
  void dropMapping() {
    Mapping m = mapping;
    mapping = null;
    if (m != null) {
      m.retire();
    }
  }

  /** Budget only: true (and the mark cleared) when the file was read since the clock hand last passed. */
  boolean takeSecondChance() {
    if (recentlyRead) {
      recentlyRead = false;
      return true;
    }
    return false;
  }

  private static void unmapAll(MappedByteBuffer[] segments) {
    for (int i = 0; i < segments.length; i++) {
      if (segments[i] != null) {
        BufferUnmapper.unmap(segments[i]);
        segments[i] = null;
      }
    }
  }

  /**
   * One mapping of the file, with a count of the reads copying out of it. Once retired it takes
   * no new reader, and whoever brings the count to zero after retirement, the last reader or the
   * retirement itself, unmaps it, exactly once.
   */
  static final class Mapping {
    private static final int RETIRED = 1 << 30;

    private final MappedByteBuffer[] segments;
    /** Readers pinning the mapping, plus RETIRED once taken away. */
    private final AtomicInteger state = new AtomicInteger();

    Mapping(MappedByteBuffer[] segments) {
      this.segments = segments;
    }

    boolean pin() {
      while (true) {
        int s = state.get();
        if ((s & RETIRED) != 0) {
          return false;
        }
        if (state.compareAndSet(s, s + 1)) {
          return true;
        }
      }
    }

    void unpin() {
      if (state.decrementAndGet() == RETIRED) {
        unmapAll(segments);
      }
    }

    void retire() {
      while (true) {
        int s = state.get();
        if ((s & RETIRED) != 0) {
          return;
        }
        if (state.compareAndSet(s, s | RETIRED)) {
          if (s == 0) {
            unmapAll(segments);
          }
          return;
        }
      }
    }
  }
}
