package dev.strata.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Group commit with nothing else: the ceiling a synced store can reach on this machine, for the
 * {@code syncfloor} workload to set beside {@code fillsync}.
 *
 * <p>With many callers, each hands a record to one appender thread and parks. The appender takes
 * every record waiting, copies them into one buffer, writes it with one {@code pwrite}, makes it
 * durable with one {@code fdatasync}, and unparks their callers; then it takes the next group.
 * That is the least any group commit does per write: a hand-off to another thread, a park and a
 * wake-up, a share of one fsync. No memtable, no log format, no checksum, no actor. So {@code
 * fillsync} at T threads over {@code syncfloor} at T threads is the share of the machine's
 * ceiling the store reaches, and {@code syncfloor} at 64 threads over 1 thread is the most a
 * store's 64-over-1 ratio can be here while its callers sleep as they wait. Callers that spin
 * instead (yield in a loop) skip the wake-ups and can go past it, but each burns a core for as
 * long as an fsync takes, which an embedded store must not do to the application it lives in.
 *
 * <p>With one caller there is nothing to group, and a hand-off would only add a wake-up to each
 * write: the caller writes and fdatasyncs its record itself. One {@code pwrite} and one {@code
 * fdatasync} per write is the floor there, and what a store that syncs on its caller's thread
 * pays besides its own work.
 *
 * <p>The file is filled with zeros and synced before the first record, and the appends wrap
 * around inside it: writing over allocated blocks changes no file metadata, so each fdatasync is
 * one data write and a cache flush, as it is for Strata's preallocated WAL segments. The file is
 * deleted at {@link #close()}.
 *
 * <p>Thread-safe: any number of threads may {@link #commit} (opened for one caller, commits are
 * still correct from more, one at a time); {@link #close()} once they are done.
 */
final class SyncFloor implements AutoCloseable {
  /** The file's size; appends wrap around inside it. */
  static final int FILE_BYTES = 16 << 20;

  /** One caller's record, and how its caller learns that the record is durable. */
  private static final class Request {
    final Thread caller = Thread.currentThread();
    final byte[] key;
    final byte[] value;
    volatile boolean done;
    volatile IOException failure;

    Request(byte[] key, byte[] value) {
      this.key = key;
      this.value = value;
    }
  }

  private final Path path;
  private final FileChannel channel;
  private final ConcurrentLinkedQueue<Request> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicLong syncs = new AtomicLong();
  /** Null when the one caller writes its own records. */
  private final Thread appender;
  /** Where the next group goes; the appender's, or the one caller's under this object's monitor. */
  private long position;
  /** The appender's buffer, or the one caller's under this object's monitor. */
  private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
  /** Raised by the appender before it parks for lack of records: callers then unpark it. */
  private volatile boolean appenderIdle;
  private volatile boolean closing;

  private SyncFloor(Path path, FileChannel channel, int callers) {
    this.path = path;
    this.channel = channel;
    if (callers == 1) {
      this.appender = null;
    } else {
      this.appender = new Thread(this::appendLoop, "syncfloor-appender");
      appender.setDaemon(true);
      appender.start();
    }
  }

  /**
   * Creates, fills and syncs a new file in {@code dir} for {@code callers} threads: one writes its
   * own records, more hand them to an appender, which this starts.
   */
  static SyncFloor open(Path dir, int callers) throws IOException {
    if (callers < 1) {
      throw new IllegalArgumentException("callers must be at least 1, got " + callers);
    }
    Path path = Files.createTempFile(dir, "syncfloor-", ".tmp");
    FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE);
    try {
      ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
      for (long at = 0; at < FILE_BYTES; at += zeros.capacity()) {
        zeros.clear();
        while (zeros.hasRemaining()) {
          channel.write(zeros, at + zeros.position());
        }
      }
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      channel.close();
      Files.deleteIfExists(path);
      throw e;
    }
    return new SyncFloor(path, channel, callers);
  }

  /** Appends key and value as one record; returns once an fdatasync has made it durable. */
  void commit(byte[] key, byte[] value) throws IOException {
    if (key.length + value.length > FILE_BYTES) {
      throw new IllegalArgumentException("a record of " + (key.length + value.length)
          + " bytes does not fit the sync floor's file of " + FILE_BYTES + " bytes");
    }
    Request r = new Request(key, value);
    if (appender == null) {
      synchronized (this) {
        writeAndSync(List.of(r));
      }
      return;
    }
    waiting.add(r);
    if (appenderIdle) {
      LockSupport.unpark(appender);
    }
    while (!r.done) {
      LockSupport.park(this);
      if (Thread.interrupted()) {
        throw new IllegalStateException("interrupted while waiting for the sync floor's fdatasync");
      }
    }
    if (r.failure != null) {
      throw new IOException("sync floor: " + r.failure.getMessage(), r.failure);
    }
  }

  /** The file the records go to. */
  Path path() {
    return path;
  }

  /** fdatasyncs so far, one per group. */
  long syncs() {
    return syncs.get();
  }

  /** Whether records go through an appender thread (more than one caller) or not. */
  boolean handsOff() {
    return appender != null;
  }

  private void appendLoop() {
    List<Request> group = new ArrayList<>();
    while (true) {
      Request r;
      while ((r = waiting.poll()) != null) {
        group.add(r);
      }
      if (group.isEmpty()) {
        if (closing) {
          return;
        }
        // Raise the flag, then look once more: a caller adds its record before it reads the
        // flag, so either this look finds the record or the caller sees the flag and unparks.
        appenderIdle = true;
        if (waiting.isEmpty() && !closing) {
          LockSupport.park(this);
        }
        appenderIdle = false;
        continue;
      }
      IOException failure = null;
      try {
        writeAndSync(group);
      } catch (IOException e) {
        failure = e;
      }
      for (Request done : group) {
        done.failure = failure;
        done.done = true;
        LockSupport.unpark(done.caller);
      }
      group.clear();
    }
  }

  /** The appender, or the one caller holding the monitor: one pwrite and one fdatasync for {@code group}. */
  private void writeAndSync(List<Request> group) throws IOException {
    buffer = fill(buffer, group);
    position = writeWrapping(buffer, position);
    channel.force(false);
    syncs.incrementAndGet();
  }

  /** The group's records back to back in {@code buffer}, grown if they do not fit; flipped for writing. */
  private static ByteBuffer fill(ByteBuffer buffer, List<Request> group) {
    int bytes = 0;
    for (Request r : group) {
      bytes += r.key.length + r.value.length;
    }
    if (bytes > buffer.capacity()) {
      buffer = ByteBuffer.allocateDirect(Integer.highestOneBit(bytes) << 1);
    }
    buffer.clear();
    for (Request r : group) {
      buffer.put(r.key).put(r.value);
    }
    buffer.flip();
    return buffer;
  }

  /** Writes {@code buffer} at {@code position}, going back to the file's start at its end; returns the next position. */
  private long writeWrapping(ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      if (position == FILE_BYTES) {
        position = 0;
      }
      int room = (int) Math.min(buffer.remaining(), FILE_BYTES - position);
      ByteBuffer slice = buffer.slice(buffer.position(), room);
      while (slice.hasRemaining()) {
        position += channel.write(slice, position);
      }
      buffer.position(buffer.position() + room);
    }
    return position;
  }

  /** Stops the appender once the records handed to it are synced, closes and deletes the file. */
  @Override
  public void close() throws IOException {
    closing = true;
    try {
      if (appender != null) {
        LockSupport.unpark(appender);
        appender.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      channel.close();
      Files.deleteIfExists(path);
    }
  }
}
