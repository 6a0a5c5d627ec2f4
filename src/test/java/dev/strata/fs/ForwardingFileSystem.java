package dev.strata.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A file system that passes every call to another; test wrappers override what they change.
 * {@code createPreallocated} and {@code openPreallocated} are left to FileSystem's defaults, which
 * call {@code createMapped} and {@code openMapped}: a wrapper that overrides those sees the WALs
 * of stores with synced writes as well.
 */
public class ForwardingFileSystem implements FileSystem {
  protected final FileSystem delegate;

  public ForwardingFileSystem(FileSystem delegate) {
    this.delegate = delegate;
  }

  @Override
  public WritableFile create(Path path) throws IOException {
    return delegate.create(path);
  }

  @Override
  public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
    return delegate.createMapped(path, segmentBytes, preparer);
  }

  @Override
  public WritableFile openMapped(Path path, long offset, int segmentBytes, Executor preparer) throws IOException {
    return delegate.openMapped(path, offset, segmentBytes, preparer);
  }

  @Override
  public ReadableFile openReadable(Path path) throws IOException {
    return delegate.openReadable(path);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    delegate.rename(from, to);
  }

  @Override
  public void delete(Path path) throws IOException {
    delegate.delete(path);
  }

  @Override
  public boolean exists(Path path) {
    return delegate.exists(path);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    return delegate.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    delegate.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    delegate.syncDirectory(dir);
  }

  @Override
  public FileLock lock(Path lockFile) throws IOException {
    return delegate.lock(lockFile);
  }
}
