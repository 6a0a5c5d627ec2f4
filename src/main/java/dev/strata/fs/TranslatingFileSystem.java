package dev.strata.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A {@link FileSystem} whose every failure is an IOException: it passes each call to another file
 * system and turns the unchecked shapes of an I/O error ({@link UncheckedIOException}, and the
 * {@link InternalError} of a fault on a mapped buffer; see {@link IoFailures}) into IOExceptions
 * naming the call and the file. The engine puts one around whatever file system it is given, so
 * that every error the seam reports reaches the code that handles IOException (which puts the
 * store in its error state and reports a StrataException), even from a file system that lets the
 * JDK's unchecked exceptions through, as the fault-injecting one does on purpose.
 *
 * <p>Thread-safe when the delegate is; the files it returns keep their delegates' contracts.
 */
public final class TranslatingFileSystem implements FileSystem {
  private final FileSystem delegate;

  private TranslatingFileSystem(FileSystem delegate) {
    this.delegate = delegate;
  }

  /** {@code fs}, translating; {@code fs} itself when it already is. */
  public static FileSystem wrap(FileSystem fs) {
    return fs instanceof TranslatingFileSystem ? fs : new TranslatingFileSystem(fs);
  }

  @Override
  public WritableFile create(Path path) throws IOException {
    try {
      return new TranslatingWritableFile(delegate.create(path), path);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "creating " + path);
    }
  }

  @Override
  public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
    try {
      return new TranslatingWritableFile(delegate.createMapped(path, segmentBytes, preparer), path);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "creating and mapping " + path);
    }
  }

  @Override
  public WritableFile openMapped(Path path, long offset, int segmentBytes, Executor preparer) throws IOException {
    try {
      return new TranslatingWritableFile(delegate.openMapped(path, offset, segmentBytes, preparer), path);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "opening and mapping " + path);
    }
  }

  @Override
  public WritableFile createPreallocated(Path path, int segmentBytes, Executor preparer) throws IOException {
    try {
      return new TranslatingWritableFile(delegate.createPreallocated(path, segmentBytes, preparer), path);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "creating " + path);
    }
  }

  @Override
  public WritableFile openPreallocated(Path path, long offset, int segmentBytes, Executor preparer)
      throws IOException {
    try {
      return new TranslatingWritableFile(delegate.openPreallocated(path, offset, segmentBytes, preparer), path);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "opening " + path);
    }
  }

  @Override
  public ReadableFile openReadable(Path path) throws IOException {
    try {
      return new TranslatingReadableFile(delegate.openReadable(path), path);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "opening " + path);
    }
  }

  @Override
  public ReadableFile openImmutable(Path path) throws IOException {
    try {
      return new TranslatingReadableFile(delegate.openImmutable(path), path);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "opening and mapping " + path);
    }
  }

  @Override
  public ReadableFile openImmutable(Path path, MappingBudget budget) throws IOException {
    try {
      return new TranslatingReadableFile(delegate.openImmutable(path, budget), path);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "opening and mapping " + path);
    }
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    try {
      delegate.rename(from, to);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "renaming " + from + " to " + to);
    }
  }

  @Override
  public void delete(Path path) throws IOException {
    try {
      delegate.delete(path);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "deleting " + path);
    }
  }

  @Override
  public boolean exists(Path path) {
    return delegate.exists(path);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    try {
      return delegate.list(dir);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "listing " + dir);
    }
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    try {
      delegate.createDirectories(dir);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "creating the directory " + dir);
    }
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    try {
      delegate.syncDirectory(dir);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "syncing the directory " + dir);
    }
  }

  @Override
  public FileLock lock(Path lockFile) throws IOException {
    try {
      return delegate.lock(lockFile);
    } catch (UncheckedIOException | InternalError e) {
      throw IoFailures.translate(e, "locking " + lockFile);
    }
  }

  private static final class TranslatingWritableFile implements WritableFile {
    private final WritableFile file;
    private final Path path;

    TranslatingWritableFile(WritableFile file, Path path) {
      this.file = file;
      this.path = path;
    }

    @Override
    public void append(byte[] data, int offset, int length) throws IOException {
      try {
        file.append(data, offset, length);
      } catch (UncheckedIOException | InternalError e) {
        throw IoFailures.translate(e, "appending to " + path);
      }
    }

    @Override
    public void flush() throws IOException {
      try {
        file.flush();
      } catch (UncheckedIOException | InternalError e) {
        throw IoFailures.translate(e, "flushing " + path);
      }
    }

    @Override
    public void sync() throws IOException {
      try {
        file.sync();
      } catch (UncheckedIOException | InternalError e) {
        throw IoFailures.translate(e, "syncing " + path);
      }
    }

    @Override
    public long size() {
      return file.size();
    }

    @Override
    public void close() throws IOException {
      try {
        file.close();
      } catch (UncheckedIOException | InternalError e) {
        throw IoFailures.translate(e, "closing " + path);
      }
    }
  }

  private static final class TranslatingReadableFile implements ReadableFile {
    private final ReadableFile file;
    private final Path path;

    TranslatingReadableFile(ReadableFile file, Path path) {
      this.file = file;
      this.path = path;
    }

    @Override
    public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
      try {
        file.readFully(position, dst, offset, length);
      } catch (UncheckedIOException | InternalError e) {
        throw IoFailures.translate(e, "reading " + length + " bytes at " + position + " of " + path);
      }
    }

    @Override
    public <T> T read(long position, int length, BufferReader<T> reader) throws IOException {
      try {
        return file.read(position, length, reader);
      } catch (UncheckedIOException | InternalError e) {
        throw IoFailures.translate(e, "reading " + length + " bytes at " + position + " of " + path);
      }
    }

    @Override
    public long size() throws IOException {
      try {
        return file.size();
      } catch (UncheckedIOException | InternalError e) {
        throw IoFailures.translate(e, "sizing " + path);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        file.close();
      } catch (UncheckedIOException | InternalError e) {
        throw IoFailures.translate(e, "closing " + path);
      }
    }
  }
}
