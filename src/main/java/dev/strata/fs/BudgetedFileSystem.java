package dev.strata.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A file system that opens immutable files within one {@link MappingBudget} and passes every other
 * call on unchanged: what a store's engine reads its SSTs through, so that everything that opens
 * one (recovery, flush, compaction) shares the store's budget. Thread-safe as its delegate is.
 */
public final class BudgetedFileSystem implements FileSystem {
  private final FileSystem delegate;
  private final MappingBudget budget;

  public BudgetedFileSystem(FileSystem delegate, MappingBudget budget) {
    this.delegate = delegate;
    this.budget = budget;
  }

  public MappingBudget budget() {
    return budget;
  }

  @Override
  public ReadableFile openImmutable(Path path) throws IOException {
    return delegate.openImmutable(path, budget);
  }

  @Override
  public ReadableFile openImmutable(Path path, MappingBudget other) throws IOException {
    return delegate.openImmutable(path, other);
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
  public WritableFile createPreallocated(Path path, int segmentBytes, Executor preparer) throws IOException {
    return delegate.createPreallocated(path, segmentBytes, preparer);
  }

  @Override
  public WritableFile openPreallocated(Path path, long offset, int segmentBytes, Executor preparer)
      throws IOException {
    return delegate.openPreallocated(path, offset, segmentBytes, preparer);
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

  @Override
  public String toString() {
    return delegate + " within " + budget;
  }
}
