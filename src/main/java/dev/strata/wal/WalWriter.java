package dev.strata.wal;

import dev.strata.fs.FileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.log.LogWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * The write-ahead log of one memtable: one log record per committed write, in commit order.
 * By default the file is memory-mapped, so a record is in the operating system's hands (and
 * survives a crash of the process) as soon as {@link #append} returns, without a system call per
 * write; {@link #sync()} makes it survive a power loss too. With {@link Appends#WAIT_FOR_SYNC}
 * records wait in the process until {@link #flush()} or {@link #sync()} writes them.
 *
 * <p>Not thread-safe for appends: the engine appends under its commit lock. {@link #sync()} may
 * run on another thread (either kind of file serializes it with appends).
 */
public final class WalWriter implements Closeable {
  /** The log file kind of a WAL (see LogWriter). */
  public static final int LOG_KIND = dev.strata.log.LogFormat.KIND_WAL;
  /**
   * Bytes mapped at a time. Each segment is written with zeros before it is mapped, and the next
   * one is prepared once half of the current one is filled, so a WAL that ends has written on
   * average half a segment past its end and half a segment more, all counted by the operating
   * system as written. With 4 MiB segments prepared at once that was 6 MiB a WAL, 7% of what a
   * 10M-key fill wrote; 512 KiB keeps it near 512 KiB. fillrandom ran at the same rate with 1, 2
   * and 4 MiB (three alternating rounds, within the runs' noise).
   */
  static final int SEGMENT_BYTES = 512 << 10;

  /** When a WAL's appends reach the operating system, which picks the kind of file it is. */
  public enum Appends {
    /**
     * As each append returns (a memory-mapped file): for a store that acknowledges a write before
     * any sync, which must then survive a crash of the process. The default.
     */
    REACH_THE_OS_AT_ONCE,
    /**
     * At the next flush or sync (a file written with one positional write per sync, into space
     * claimed ahead): for a store that acknowledges a write only once a sync covers it. A sync of
     * a mapped file costs about 2.5 times as much on ext4 (see {@code fs.PreallocatedWritableFile}).
     */
    WAIT_FOR_SYNC
  }

  private final long number;
  private final WritableFile file;
  private final LogWriter log;

  private WalWriter(long number, WritableFile file) throws IOException {
    this.number = number;
    this.file = file;
    this.log = new LogWriter(file, LOG_KIND);
  }

  /**
   * Creates the WAL file {@code path}, its segments mapped ahead of the appends on {@code preparer}
   * (see {@link FileSystem#createMapped}); the caller syncs the directory.
   */
  public static WalWriter create(FileSystem fs, Path path, long number, Executor preparer) throws IOException {
    return create(fs, path, number, preparer, Appends.REACH_THE_OS_AT_ONCE);
  }

  /** As {@link #create(FileSystem, Path, long, Executor)}, its appends reaching the OS as {@code appends} says. */
  public static WalWriter create(FileSystem fs, Path path, long number, Executor preparer, Appends appends)
      throws IOException {
    WritableFile file = appends == Appends.WAIT_FOR_SYNC
        ? fs.createPreallocated(path, SEGMENT_BYTES, preparer)
        : fs.createMapped(path, SEGMENT_BYTES, preparer);
    try {
      return new WalWriter(number, file);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /**
   * Reopens WAL {@code path}, which a previous process wrote, to append to it from {@code end}, the
   * offset just past its last whole record ({@link dev.strata.log.LogReader#validEnd()}): what
   * lies past it is cut off (see {@link FileSystem#openMapped}), and the log's blocks continue from
   * there, so that a replay reads the old records and the new ones as one log.
   *
   * @throws IllegalArgumentException if {@code end} is shorter than a log file header or past the
   *     file's end
   */
  public static WalWriter open(FileSystem fs, Path path, long number, long end, Executor preparer) throws IOException {
    return open(fs, path, number, end, preparer, Appends.REACH_THE_OS_AT_ONCE);
  }

  /** As {@link #open(FileSystem, Path, long, long, Executor)}, its appends reaching the OS as {@code appends} says. */
  public static WalWriter open(FileSystem fs, Path path, long number, long end, Executor preparer, Appends appends)
      throws IOException {
    if (end < dev.strata.log.LogFormat.FILE_HEADER_SIZE) {
      throw new IllegalArgumentException("cannot continue WAL " + path + " from offset " + end
          + ": a log starts with a " + dev.strata.log.LogFormat.FILE_HEADER_SIZE + "-byte file header");
    }
    WritableFile file = appends == Appends.WAIT_FOR_SYNC
        ? fs.openPreallocated(path, end, SEGMENT_BYTES, preparer)
        : fs.openMapped(path, end, SEGMENT_BYTES, preparer);
    try {
      return new WalWriter(number, file);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  public long number() {
    return number;
  }

  /** Appends one record; returns the bytes it added to the log. */
  public long append(byte[] payload, int length) throws IOException {
    long before = log.size();
    log.addRecord(payload, 0, length);
    return log.size() - before;
  }

  public void sync() throws IOException {
    file.sync();
  }

  /** Hands appends still in the process to the operating system (with {@link Appends#WAIT_FOR_SYNC}); no fsync. */
  public void flush() throws IOException {
    file.flush();
  }

  public long size() {
    return log.size();
  }

  /**
   * Closes without syncing: for a WAL whose memtable is flushed (it is about to be deleted), or one
   * already synced. What was appended stays in the page cache, as after a crash of the process.
   */
  public void closeUnsynced() throws IOException {
    file.close();
  }

  /** Syncs, then closes. */
  @Override
  public void close() throws IOException {
    try {
      file.sync();
    } finally {
      file.close();
    }
  }
}
