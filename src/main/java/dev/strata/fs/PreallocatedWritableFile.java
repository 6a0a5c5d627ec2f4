package dev.strata.fs;

import dev.strata.util.ByteBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An append-only file for a log whose appends count only once synced (the WAL of a store with
 * synced writes); see {@link FileSystem#createPreallocated} for the contract.
 *
 * <p>Appends are copies into a buffer of the process. {@link #flush()} and {@link #sync()} hand
 * what the buffer holds to the operating system in one positional write, and {@link #sync()} then
 * forces it with an fdatasync. The space those writes land in is claimed ahead, {@code
 * segmentBytes} at a time, by writing zeros on the {@code preparer} (as {@link
 * MappedWritableFile} does before it maps), so a sync seldom changes the file's length and its
 * fdatasync seldom has metadata to commit.
 *
 * <p>Why not the mapped file here: a synced write pays for each sync, and on ext4 a sync of a
 * mapped file cost about 300 us for 7 KB against about 120 us for the same bytes written with
 * {@code pwrite} into claimed space and fdatasynced (220 us when each write also grew the file).
 * After each sync the kernel write-protects the mapped pages it wrote back, so the next append
 * into them faults, and that fault's bookkeeping is committed by the next sync. Unsynced writes
 * keep the mapped file: their appends must reach the operating system as they return, and a copy
 * into a mapping is cheaper than a system call per write.
 *
 * <p>Thread-safe: appends hold this object's monitor; flush, sync and close also hold {@code
 * writeLock}, so that one write-out at a time takes the buffer and writes it where the previous
 * one ended, while appends go on into the other buffer.
 */
final class PreallocatedWritableFile implements WritableFile {
  /** A buffer that one huge append grew past this is not kept. */
  private static final int RETAINED_BYTES = 1 << 20;
  /**
   * The most a write-out copies into {@link #direct} at a time. Writing a heap array makes the JDK
   * copy it into a temporary direct buffer cached per thread, and write-outs run on whichever
   * caller leads a sync: each would keep one the size of its largest group.
   */
  private static final int DIRECT_BYTES = 256 * 1024;

  private final Path path;
  private final FileChannel channel;
  private final int segmentBytes;
  private final Executor preparer;
  /** One write-out (flush, sync, close) at a time; taken before the monitor, never inside it. */
  private final ReentrantLock writeLock = new ReentrantLock();
  /** Claims space; held while zeros are written, so a close cannot truncate under them. */
  private final ReentrantLock claimLock = new ReentrantLock();

  // Guarded by the monitor.
  private ByteBuilder buffer = new ByteBuilder(4096);
  /** The buffer the last write-out used, kept for the next one. */
  private ByteBuilder spare = new ByteBuilder(4096);
  /** Bytes appended, written out or not. */
  private long size;
  /** The file offset the buffer's first byte goes to. */
  private long writtenEnd;
  /** The end of the space asked of the preparer so far. */
  private long requestedEnd;
  private boolean closed;

  /** The file's length: the space claimed with zeros (guarded by claimLock, read without it). */
  private volatile long claimedEnd;
  /** claimedEnd at the last fsync that included metadata (guarded by writeLock). */
  private long claimedSynced;
  /**
   * The first write-out or fsync that failed, whatever it threw (guarded by writeLock). It is
   * final: the bytes it took may be missing from the file, and a later write-out past them would
   * leave a hole that ends the log for its reader, with acknowledged records behind it.
   */
  private IOException failure;
  /** What write-outs copy through (guarded by writeLock); allocated at the first one. */
  private ByteBuffer direct;
  /** Guarded by claimLock: set by close, after which nothing is claimed. */
  private boolean claimsEnded;

  private PreallocatedWritableFile(Path path, FileChannel channel, int segmentBytes, Executor preparer, long start) {
    this.path = path;
    this.channel = channel;
    this.segmentBytes = segmentBytes;
    this.preparer = Objects.requireNonNull(preparer, "preparer must not be null");
    this.size = start;
    this.writtenEnd = start;
    this.requestedEnd = start;
    this.claimedEnd = start;
    this.claimedSynced = start;
  }

  static PreallocatedWritableFile create(Path path, int segmentBytes, Executor preparer) throws IOException {
    FileTails.checkSegmentBytes(segmentBytes);
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    PreallocatedWritableFile file = new PreallocatedWritableFile(path, channel, segmentBytes, preparer, 0);
    synchronized (file) {
      file.requestSpace();
    }
    return file;
  }

  /**
   * Opens the existing file {@code path} for appends from {@code offset} on (see {@link
   * FileSystem#openPreallocated}): the file is cut at {@code offset} first.
   */
  static PreallocatedWritableFile open(Path path, long offset, int segmentBytes, Executor preparer) throws IOException {
    FileTails.checkSegmentBytes(segmentBytes);
    FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE);
    FileTails.cutForAppends(channel, path, offset);
    PreallocatedWritableFile file = new PreallocatedWritableFile(path, channel, segmentBytes, preparer, offset);
    synchronized (file) {
      file.requestSpace();
    }
    return file;
  }

  @Override
  public synchronized void append(byte[] data, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, data.length);
    ensureOpen();
    if ((long) buffer.size() + length > Integer.MAX_VALUE - 8) {
      throw new IOException("appending " + length + " bytes to " + path + ": more than 2 GiB would wait for a sync");
    }
    buffer.putBytes(data, offset, length);
    size += length;
    if (size + segmentBytes / 2 > requestedEnd) {
      requestSpace();
    }
  }

  /** Holding the monitor: asks the preparer to claim the next segment past what was asked before. */
  private void requestSpace() {
    long target = Math.max(requestedEnd, size) + segmentBytes;
    requestedEnd = target;
    try {
      preparer.execute(() -> {
        try {
          claim(target);
        } catch (IOException | RuntimeException e) {
          // The write-out that needs the space claims it itself, and reports what fails then.
        }
      });
    } catch (RejectedExecutionException e) {
      // The executor is shutting down: write-outs claim their space themselves.
    }
  }

  /** Writes zeros from the claimed end up to {@code end}, unless they are there already. */
  private void claim(long end) throws IOException {
    if (end <= claimedEnd) {
      return;
    }
    claimLock.lock();
    try {
      if (claimsEnded || end <= claimedEnd) {
        return; // claimed meanwhile, perhaps past end: claimedEnd must never go back over data
      }
      FileTails.writeZeros(channel, claimedEnd, end);
      claimedEnd = end;
    } finally {
      claimLock.unlock();
    }
  }

  /** Hands the buffer to the operating system; no fsync. */
  @Override
  public void flush() throws IOException {
    writeLock.lock();
    try {
      writeOut();
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Holding writeLock: takes the buffer (appends go on into the spare one) and writes it where the
   * last write-out ended, claiming the space first if the preparer has not.
   */
  private void writeOut() throws IOException {
    if (failure != null) {
      throw new IOException("an earlier write to " + path + " failed: " + failure.getMessage(), failure);
    }
    ByteBuilder out;
    int length;
    long at;
    synchronized (this) {
      ensureOpen();
      out = buffer;
      length = buffer.size();
      at = writtenEnd;
      if (length == 0) {
        return;
      }
      buffer = spare;
      buffer.reset();
      spare = null; // until the write-out is done: appends must not reuse the array it reads
      writtenEnd += length;
    }
    try {
      claim(at + length);
      if (direct == null) {
        direct = ByteBuffer.allocateDirect(DIRECT_BYTES);
      }
      long position = at;
      for (int from = 0; from < length; ) {
        int n = Math.min(DIRECT_BYTES, length - from);
        direct.clear();
        direct.put(out.array(), from, n).flip();
        while (direct.hasRemaining()) {
          position += channel.write(direct, position);
        }
        from += n;
      }
    } catch (Throwable t) {
      throw fail("writing " + length + " bytes at offset " + at + " of " + path, t);
    }
    synchronized (this) {
      spare = out.array().length > RETAINED_BYTES ? new ByteBuilder(4096) : out;
    }
  }

  /**
   * Holding writeLock: records what a write-out or fsync threw as this file's final failure, an
   * IOException whatever it was (an OutOfMemoryError too: the bytes are not known written).
   */
  private IOException fail(String what, Throwable t) {
    failure = t instanceof IOException io ? io : new IOException(what + " failed: " + t, t);
    return failure;
  }

  /**
   * Writes the buffer out and forces it. The length of the file is forced too when claiming space
   * changed it since the last time; else an fdatasync, with no metadata to commit.
   */
  @Override
  public void sync() throws IOException {
    writeLock.lock();
    try {
      writeOut();
      long claimed = claimedEnd;
      boolean grew = claimed != claimedSynced;
      try {
        channel.force(grew);
      } catch (Throwable t) {
        throw fail("syncing " + path, t);
      }
      if (grew) {
        claimedSynced = claimed;
      }
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public synchronized long size() {
    return size;
  }

  /**
   * Writes the buffer out (unless a write-out failed before), cuts the claimed tail and closes;
   * does not sync. Later calls do nothing.
   */
  @Override
  public void close() throws IOException {
    writeLock.lock();
    try {
      synchronized (this) {
        if (closed) {
          return;
        }
      }
      IOException writeFailure = null;
      if (failure == null) {
        try {
          writeOut();
        } catch (IOException e) {
          writeFailure = e;
        }
      }
      long end;
      synchronized (this) {
        closed = true;
        end = writtenEnd;
      }
      claimLock.lock();
      try {
        claimsEnded = true;
        channel.truncate(end);
      } finally {
        claimLock.unlock();
        channel.close();
      }
      if (writeFailure != null) {
        throw writeFailure;
      }
    } finally {
      writeLock.unlock();
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("closed: " + path);
    }
  }
}
