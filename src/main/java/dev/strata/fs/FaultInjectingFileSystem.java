package dev.strata.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * A {@link FileSystem} that delegates to another and fails chosen operations, for I/O-error tests.
 * An injected failure happens before the delegate is called, so the failed operation has no effect.
 * Every intercepted call is counted, failed or not. Operations without an {@link Op} ({@code
 * exists}, {@code createDirectories}, {@code size}, {@code close}) are passed through uncounted.
 * Files opened through this file system report to it, including mapped files (APPEND, FLUSH and
 * SYNC alike).
 *
 * <p>A failure has a {@link Kind}: the shape in which the JDK would report it (an IOException, the
 * UncheckedIOException of a failed msync, the InternalError of a fault on a mapped buffer), or a
 * full device. It may be limited to the calls about certain files (a predicate on the path; a
 * rename matches when either name does), and then counts only those calls. Its message always
 * starts {@code "injected failure: " + op + " #" + n}, n counting the calls it matched.
 *
 * <p>Thread-safe: counting and arming share this object's monitor; the delegate's calls do not
 * hold it.
 */
public final class FaultInjectingFileSystem implements FileSystem {
  /** The operations that can be made to fail. */
  public enum Op {
    /** {@link FileSystem#create} and {@link FileSystem#createMapped}. */
    CREATE,
    /** {@link FileSystem#openReadable}, {@link FileSystem#openImmutable} and {@link FileSystem#openMapped}. */
    OPEN,
    /**
     * The calls that memory-map a file: {@link FileSystem#createMapped} (which counts as CREATE as
     * well), {@link FileSystem#openMapped} and {@link FileSystem#openImmutable} (both also OPEN). A file system may map lazily; these
     * are the calls at which the seam sees a mapping asked for.
     */
    MAP,
    /** {@link WritableFile#append}: a write system call, or a store into a mapping. */
    APPEND,
    FLUSH,
    /** {@link WritableFile#sync}: an fsync, or for a mapped file an msync (force). */
    SYNC,
    RENAME,
    DELETE,
    LIST,
    SYNC_DIR,
    LOCK,
    /** {@link ReadableFile#readFully} and {@link ReadableFile#read}. */
    READ
  }

  /** What an injected failure is. */
  public enum Kind {
    /** An IOException, as a channel call reports an error such as EIO. */
    IO_EXCEPTION,
    /** An UncheckedIOException around an IOException, as MappedByteBuffer.force reports a failed msync. */
    UNCHECKED_IO,
    /** An InternalError, as the JVM reports a fault (SIGBUS) on a load or store into a mapped buffer. */
    INTERNAL_ERROR,
    /** An IOException saying "No space left on device" (ENOSPC), as a write to a full device reports. */
    NO_SPACE;

    Throwable failure(String message) {
      return switch (this) {
        case IO_EXCEPTION -> new IOException(message);
        case UNCHECKED_IO -> new UncheckedIOException(new IOException(message + ": Input/output error"));
        case INTERNAL_ERROR -> new InternalError(message
            + ": a fault occurred in an unsafe memory access operation");
        case NO_SPACE -> new IOException(message + ": No space left on device");
      };
    }
  }

  /** One armed failure: the nth matching call (0: every one) of {@code op} on a matching path. */
  private static final class Rule {
    final Op op;
    final Kind kind;
    final Predicate<Path> where;
    final int nth;
    int matched;

    Rule(Op op, Kind kind, Predicate<Path> where, int nth) {
      this.op = Objects.requireNonNull(op, "op");
      this.kind = Objects.requireNonNull(kind, "kind");
      this.where = Objects.requireNonNull(where, "where");
      this.nth = nth;
    }
  }

  private final FileSystem delegate;
  private final Map<Op, Integer> counts = new EnumMap<>(Op.class);
  private final List<Rule> rules = new ArrayList<>();
  private int injected;

  public FaultInjectingFileSystem(FileSystem delegate) {
    this.delegate = delegate;
  }

  /**
   * Makes the {@code nth} call of {@code op} from now (1 is the very next) throw {@code
   * IOException("injected failure: " + op + " #" + nth)}; the calls before and after it succeed.
   */
  public void failAt(Op op, int nth) {
    failAt(op, nth, Kind.IO_EXCEPTION, path -> true);
  }

  /**
   * Makes the {@code nth} call of {@code op} from now on a path {@code where} accepts fail as
   * {@code kind} says; other calls are not counted towards n.
   */
  public synchronized void failAt(Op op, int nth, Kind kind, Predicate<Path> where) {
    if (nth < 1) {
      throw new IllegalArgumentException("nth counts from 1, was " + nth);
    }
    rules.add(new Rule(op, kind, where, nth));
  }

  /** Makes every call of {@code op} from now fail, numbered from 1 in the message. */
  public void failAlways(Op op) {
    failAlways(op, Kind.IO_EXCEPTION, path -> true);
  }

  /** Makes every call of {@code op} from now on a path {@code where} accepts fail as {@code kind} says. */
  public synchronized void failAlways(Op op, Kind kind, Predicate<Path> where) {
    rules.add(new Rule(op, kind, where, 0));
  }

  /** Disarms every failure; counts are kept. */
  public synchronized void clearFailures() {
    rules.clear();
  }

  /** Calls of {@code op} seen so far, failed ones included. */
  public synchronized int count(Op op) {
    return counts.getOrDefault(op, 0);
  }

  /** Failures injected so far. */
  public synchronized int injected() {
    return injected;
  }

  private void check(Op op, Path path) throws IOException {
    check(op, path, null);
  }

  /**
   * Counts a call of {@code op} about {@code path} (and {@code other}, for a rename), and throws
   * when an armed rule picks it. Each matching rule counts the call, even when another one throws.
   */
  private synchronized void check(Op op, Path path, Path other) throws IOException {
    counts.merge(op, 1, Integer::sum);
    Throwable failure = null;
    for (Iterator<Rule> it = rules.iterator(); it.hasNext(); ) {
      Rule r = it.next();
      if (r.op != op || !(r.where.test(path) || other != null && r.where.test(other))) {
        continue;
      }
      r.matched++;
      if (failure == null && (r.nth == 0 || r.matched == r.nth)) {
        failure = r.kind.failure("injected failure: " + op + " #" + (r.nth == 0 ? r.matched : r.nth));
      }
      if (r.nth != 0 && r.matched >= r.nth) {
        it.remove();
      }
    }
    if (failure == null) {
      return;
    }
    injected++;
    if (failure instanceof IOException io) {
      throw io;
    }
    if (failure instanceof RuntimeException re) {
      throw re;
    }
    throw (Error) failure;
  }

  @Override
  public WritableFile create(Path path) throws IOException {
    check(Op.CREATE, path);
    return new FaultyWritableFile(delegate.create(path), path);
  }

  @Override
  public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
    check(Op.CREATE, path);
    check(Op.MAP, path);
    return new FaultyWritableFile(delegate.createMapped(path, segmentBytes, preparer), path);
  }

  @Override
  public WritableFile openMapped(Path path, long offset, int segmentBytes, Executor preparer) throws IOException {
    check(Op.OPEN, path);
    check(Op.MAP, path);
    return new FaultyWritableFile(delegate.openMapped(path, offset, segmentBytes, preparer), path);
  }

  @Override
  public WritableFile createPreallocated(Path path, int segmentBytes, Executor preparer) throws IOException {
    check(Op.CREATE, path);
    return new FaultyWritableFile(delegate.createPreallocated(path, segmentBytes, preparer), path);
  }

  @Override
  public WritableFile openPreallocated(Path path, long offset, int segmentBytes, Executor preparer)
      throws IOException {
    check(Op.OPEN, path);
    return new FaultyWritableFile(delegate.openPreallocated(path, offset, segmentBytes, preparer), path);
  }

  @Override
  public ReadableFile openReadable(Path path) throws IOException {
    check(Op.OPEN, path);
    return new FaultyReadableFile(delegate.openReadable(path), path);
  }

  @Override
  public ReadableFile openImmutable(Path path) throws IOException {
    check(Op.OPEN, path);
    check(Op.MAP, path);
    return new FaultyReadableFile(delegate.openImmutable(path), path);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    check(Op.RENAME, from, to);
    delegate.rename(from, to);
  }

  @Override
  public void delete(Path path) throws IOException {
    check(Op.DELETE, path);
    delegate.delete(path);
  }

  @Override
  public boolean exists(Path path) {
    return delegate.exists(path);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    check(Op.LIST, dir);
    return delegate.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    delegate.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    check(Op.SYNC_DIR, dir);
    delegate.syncDirectory(dir);
  }

  @Override
  public FileLock lock(Path lockFile) throws IOException {
    check(Op.LOCK, lockFile);
    return delegate.lock(lockFile);
  }

  private final class FaultyWritableFile implements WritableFile {
    private final WritableFile file;
    private final Path path;

    FaultyWritableFile(WritableFile file, Path path) {
      this.file = file;
      this.path = path;
    }

    @Override
    public void append(byte[] data, int offset, int length) throws IOException {
      check(Op.APPEND, path);
      file.append(data, offset, length);
    }

    @Override
    public void flush() throws IOException {
      check(Op.FLUSH, path);
      file.flush();
    }

    @Override
    public void sync() throws IOException {
      check(Op.SYNC, path);
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
    private final Path path;

    FaultyReadableFile(ReadableFile file, Path path) {
      this.file = file;
      this.path = path;
    }

    @Override
    public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
      check(Op.READ, path);
      file.readFully(position, dst, offset, length);
    }

    @Override
    public <T> T read(long position, int length, BufferReader<T> reader) throws IOException {
      check(Op.READ, path);
      return file.read(position, length, reader);
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
