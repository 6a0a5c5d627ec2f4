package dev.strata.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A {@link FileSystem} that delegates to another and throws an injected IOException at chosen
 * operations, for I/O-error tests. An injected failure happens before the delegate is called, so
 * the failed operation has no effect. Every intercepted call is counted, failed or not. Operations
 * without an {@link Op} ({@code exists}, {@code createDirectories}, {@code size}, {@code close})
 * are passed through uncounted. Files opened through this file system report to it, including
 * mapped files (APPEND, FLUSH and SYNC alike).
 *
 * <p>Thread-safe: counting and arming share this object's monitor; the delegate's calls do not
 * hold it.
 */
public final class FaultInjectingFileSystem implements FileSystem {
  /** The operations that can be made to fail. */
  public enum Op {
    /** {@link FileSystem#create} and {@link FileSystem#createMapped}. */
    CREATE,
    /** {@link FileSystem#openReadable}. */
    OPEN,
    APPEND,
    FLUSH,
    SYNC,
    RENAME,
    DELETE,
    LIST,
    SYNC_DIR,
    LOCK,
    /** {@link ReadableFile#readFully}. */
    READ
  }

  private final FileSystem delegate;
  private final Map<Op, Integer> counts = new EnumMap<>(Op.class);
  /** Per op: absolute call number that must fail, mapped to the n it was armed with. */
  private final Map<Op, Map<Integer, Integer>> armed = new EnumMap<>(Op.class);
  /** Per op failing always: the call count when failAlways was called. */
  private final Map<Op, Integer> failingSince = new EnumMap<>(Op.class);

  public FaultInjectingFileSystem(FileSystem delegate) {
    this.delegate = delegate;
  }

  /**
   * Makes the {@code nth} call of {@code op} from now (1 is the very next) throw {@code
   * IOException("injected failure: " + op + " #" + nth)}; the calls before and after it succeed.
   */
  public synchronized void failAt(Op op, int nth) {
    if (nth < 1) {
      throw new IllegalArgumentException("nth counts from 1, was " + nth);
    }
    armed.computeIfAbsent(op, o -> new HashMap<>()).put(count(op) + nth, nth);
  }

  /** Makes every call of {@code op} from now fail, numbered from 1 in the message. */
  public synchronized void failAlways(Op op) {
    failingSince.put(op, count(op));
  }

  /** Disarms every failure; counts are kept. */
  public synchronized void clearFailures() {
    armed.clear();
    failingSince.clear();
  }

  /** Calls of {@code op} seen so far, failed ones included. */
  public synchronized int count(Op op) {
    return counts.getOrDefault(op, 0);
  }

  private synchronized void check(Op op) throws IOException {
    int call = count(op) + 1;
    counts.put(op, call);
    Map<Integer, Integer> pending = armed.get(op);
    Integer nth = pending == null ? null : pending.remove(call);
    if (nth == null && failingSince.containsKey(op)) {
      nth = call - failingSince.get(op);
    }
    if (nth != null) {
      throw new IOException("injected failure: " + op + " #" + nth);
    }
  }

  @Override
  public WritableFile create(Path path) throws IOException {
    check(Op.CREATE);
    return new FaultyWritableFile(delegate.create(path));
  }

  @Override
  public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
    check(Op.CREATE);
    return new FaultyWritableFile(delegate.createMapped(path, segmentBytes, preparer));
  }

  @Override
  public ReadableFile openReadable(Path path) throws IOException {
    check(Op.OPEN);
    return new FaultyReadableFile(delegate.openReadable(path));
  }

  @Override
  public ReadableFile openImmutable(Path path) throws IOException {
    check(Op.OPEN);
    return new FaultyReadableFile(delegate.openImmutable(path));
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    check(Op.RENAME);
    delegate.rename(from, to);
  }

  @Override
  public void delete(Path path) throws IOException {
    check(Op.DELETE);
    delegate.delete(path);
  }

  @Override
  public boolean exists(Path path) {
    return delegate.exists(path);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    check(Op.LIST);
    return delegate.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    delegate.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    check(Op.SYNC_DIR);
    delegate.syncDirectory(dir);
  }

  @Override
  public FileLock lock(Path lockFile) throws IOException {
    check(Op.LOCK);
    return delegate.lock(lockFile);
  }

  private final class FaultyWritableFile implements WritableFile {
    private final WritableFile file;

    FaultyWritableFile(WritableFile file) {
      this.file = file;
    }

    @Override
    public void append(byte[] data, int offset, int length) throws IOException {
      check(Op.APPEND);
      file.append(data, offset, length);
    }

    @Override
    public void flush() throws IOException {
      check(Op.FLUSH);
      file.flush();
    }

    @Override
    public void sync() throws IOException {
      check(Op.SYNC);
      file.sync();
    }

    @Override
    public long size() {
      return file.size();
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }

  private final class FaultyReadableFile implements ReadableFile {
    private final ReadableFile file;

    FaultyReadableFile(ReadableFile file) {
      this.file = file;
    }

    @Override
    public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
      check(Op.READ);
      file.readFully(position, dst, offset, length);
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
