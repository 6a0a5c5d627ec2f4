package dev.strata.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An append-only file written through memory mappings; see {@link FileSystem#createMapped} for the
 * contract, and in particular the zero-filled tail a crashed process leaves behind.
 *
 * <p>The file is mapped {@code segmentBytes} at a time. Each segment is filled with zeros on disk
 * (see {@link #allocate}), mapped and pre-faulted ahead of the appends by a {@link
 * SegmentPreparation} on the {@code preparer} executor: once the appends fill half of a segment,
 * the next one is put in preparation, so it is usually ready when they reach the end. A segment
 * whose preparation had not started is mapped by the append that needs it. Waiting for the half
 * rather than preparing as soon as a segment is taken matters at the end of a file: the zeros of a
 * prepared segment the file never reaches are written all the same (the operating system counts
 * them), and a file now ends with half a segment prepared for nothing on average, not a whole one.
 * Appends are plain copies into the current segment, split across segments when they do not fit.
 * Filled segments stay mapped until the next {@link #sync()}, which forces them and then unmaps
 * them, so a log that is synced holds only a few segments of address space. {@link #close()} unmaps everything explicitly
 * ({@link BufferUnmapper}) and truncates the file to the appended length; it does not sync (dirty
 * pages of a shared mapping stay in the page cache after unmapping).
 *
 * <p>Thread-safe, unlike other writable files, so that the log can be synced on another thread
 * than the one appending, and because touching a segment after it was unmapped would crash the
 * JVM rather than throw. Appends hold this object's monitor (uncontended, far cheaper than the
 * write system call this class exists to avoid); a sync holds it only to pick up the segments to
 * force, and forces them while appends continue; close waits for a sync in progress.
 */
final class MappedWritableFile implements WritableFile {
  private final Path path;
  private final FileChannel channel;
  private final int segmentBytes;
  private final Executor preparer;
  /** Held by sync and close, never by append: one sync at a time, and no close during a sync. */
  private final ReentrantLock syncLock = new ReentrantLock();
  /** Segments filled since the last sync: still to be forced, then unmapped. */
  private final List<MappedByteBuffer> filledSinceSync = new ArrayList<>();
  private MappedByteBuffer current;
  /** The segment at {@code mappedEnd}, being prepared; null when none is. */
  private SegmentPreparation next;
  /** Whether the segment at {@code mappedEnd} was put in preparation (it may since have been taken). */
  private boolean nextRequested;
  /** File offset at which the next segment will be mapped. */
  private long mappedEnd;
  private long size;
  private boolean closed;
  /** Segments mapped so far (each grew the file), and how many of those a sync has made durable. */
  private long growths;
  private long growthsSynced;

  private MappedWritableFile(Path path, FileChannel channel, int segmentBytes, Executor preparer) {
    this.path = path;
    this.channel = channel;
    this.segmentBytes = segmentBytes;
    this.preparer = preparer;
  }

  static MappedWritableFile create(Path path, int segmentBytes, Executor preparer) throws IOException {
    Objects.requireNonNull(preparer, "preparer must not be null");
    FileTails.checkSegmentBytes(segmentBytes);
    // READ as well as WRITE: a READ_WRITE mapping needs a channel open for both.
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    MappedWritableFile file = new MappedWritableFile(path, channel, segmentBytes, preparer);
    synchronized (file) {
      file.prepareNext();
    }
    return file;
  }

  /**
   * Opens the existing file {@code path} for appends from {@code offset} on (see {@link
   * FileSystem#openMapped}): the file is cut at {@code offset}, and segments are then mapped from
   * there, each zero-filled on disk before it is mapped as for a new file, so nothing the file held
   * past {@code offset} survives in it. Segments start at {@code offset}, not at a multiple of the
   * segment size: nothing depends on where a segment starts.
   */
  static MappedWritableFile open(Path path, long offset, int segmentBytes, Executor preparer) throws IOException {
    Objects.requireNonNull(preparer, "preparer must not be null");
    FileTails.checkSegmentBytes(segmentBytes);
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileTails.cutForAppends(channel, path, offset);
    MappedWritableFile file = new MappedWritableFile(path, channel, segmentBytes, preparer);
    synchronized (file) {
      file.size = offset;
      file.mappedEnd = offset;
      file.prepareNext();
    }
    return file;
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
      try {
        current.put(data, from, n);
      } catch (InternalError fault) {
        // A store into a page the kernel cannot provide (SIGBUS): an I/O error, reported as one.
        throw IoFailures.translate(fault, "appending to " + path);
      }
      from += n;
      left -= n;
      size += n;
      if (!nextRequested && current.position() >= segmentBytes / 2) {
        prepareNext();
      }
    }
  }

  private void mapNextSegment() throws IOException {
    MappedByteBuffer segment = null;
    if (next != null) {
      SegmentPreparation prepared = next;
      next = null; // if it failed, the next append tries again, inline
      segment = prepared.take();
    }
    if (segment == null) {
      segment = mapSegment(mappedEnd);
    }
    if (current != null) {
      filledSinceSync.add(current);
    }
    current = segment;
    mappedEnd += segmentBytes;
    growths++;
    nextRequested = false;
  }

  /** Holding the monitor: puts the segment at {@code mappedEnd} in preparation. */
  private void prepareNext() {
    nextRequested = true;
    SegmentPreparation preparation = new SegmentPreparation(this, mappedEnd);
    try {
      preparer.execute(preparation);
      next = preparation;
    } catch (RejectedExecutionException e) {
      // The executor is shutting down: the append that needs the segment maps it.
    }
  }

  /**
   * Claims the disk space of the segment at {@code offset} and maps it. Called by the appender or
   * by a preparation, without the monitor: it touches only the channel, which is thread-safe.
   */
  MappedByteBuffer mapSegment(long offset) throws IOException {
    allocate(offset, segmentBytes);
    return channel.map(FileChannel.MapMode.READ_WRITE, offset, segmentBytes);
  }

  /**
   * Writes zeros over the segment before it is mapped. Mapping alone would extend the file
   * sparsely, and a full disk would then surface inside an append as a SIGBUS, which the JVM turns
   * into an InternalError; written zeros claim the blocks now, so a full disk is an IOException
   * here. It costs a few writes per segment, not per append.
   */
  private void allocate(long from, int length) throws IOException {
    FileTails.writeZeros(channel, from, from + length);
  }

  /** Does nothing: appends are already in the page cache. */
  @Override
  public synchronized void flush() throws IOException {
    ensureOpen();
  }

  /**
   * Forces what was appended before the call. The forcing runs outside the monitor, so that
   * appends from other threads go on meanwhile (group commit); {@code syncLock} keeps syncs, and
   * close, from unmapping a segment that another sync is still forcing.
   */
  @Override
  public void sync() throws IOException {
    syncLock.lock();
    try {
      List<MappedByteBuffer> filled;
      MappedByteBuffer last;
      int lastUpTo;
      long grownTo;
      boolean grew;
      synchronized (this) {
        grownTo = growths;
        grew = growths != growthsSynced;
        ensureOpen();
        filled = new ArrayList<>(filledSinceSync);
        filledSinceSync.clear();
        last = current;
        lastUpTo = current == null ? 0 : current.position();
      }
      // Appends never touch a filled segment again, and only the next sync could unmap `last`.
      try {
        try {
          for (MappedByteBuffer segment : filled) {
            segment.force();
          }
          if (last != null) {
            last.force(0, lastUpTo);
          }
        } catch (UncheckedIOException | InternalError e) {
          // force() reports a failed msync unchecked on JDK 17: it is this sync's IOException.
          throw IoFailures.translate(e, "syncing " + path);
        }
        // Forcing the mapping made the data durable. Metadata only matters when mapping a segment
        // grew the file, since the length must survive with the data; skipping it otherwise saves
        // a journal commit on most synced writes.
        if (grew) {
          channel.force(true);
          synchronized (this) {
            growthsSynced = Math.max(growthsSynced, grownTo);
          }
        }
      } finally {
        for (MappedByteBuffer segment : filled) {
          BufferUnmapper.unmap(segment);
        }
      }
    } finally {
      syncLock.unlock();
    }
  }

  @Override
  public synchronized long size() {
    return size;
  }

  /** Unmaps, truncates the zero-filled tail and closes; does not sync. Later calls do nothing. */
  @Override
  public void close() throws IOException {
    syncLock.lock();
    try {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        try {
          if (next != null) {
            next.discard(); // before truncating: a preparation still running would grow the file again
            next = null;
          }
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
    } finally {
      syncLock.unlock();
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("closed: " + path);
    }
  }
}
