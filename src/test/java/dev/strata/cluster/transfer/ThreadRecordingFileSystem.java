package dev.strata.cluster.transfer;

import dev.strata.fs.FileSystem;
import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.ForwardingWritableFile;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A disk file system that remembers the name of every thread that called it (reads and writes included). */
final class ThreadRecordingFileSystem extends ForwardingFileSystem {
  private final Set<String> threads = ConcurrentHashMap.newKeySet();

  ThreadRecordingFileSystem(FileSystem delegate) {
    super(delegate);
  }

  /** The names of the threads that did file work through this file system so far. */
  Set<String> threads() {
    return Set.copyOf(threads);
  }

  private void record() {
    threads.add(Thread.currentThread().getName());
  }

  @Override
  public WritableFile create(Path path) throws IOException {
    record();
    return new ForwardingWritableFile(super.create(path)) {
      @Override
      public void append(byte[] data, int offset, int length) throws IOException {
        record();
        super.append(data, offset, length);
      }

      @Override
      public void sync() throws IOException {
        record();
        super.sync();
      }
    };
  }

  @Override
  public ReadableFile openReadable(Path path) throws IOException {
    record();
    ReadableFile file = super.openReadable(path);
    return new ReadableFile() {
      @Override
      public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
        record();
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
    };
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    record();
    return super.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    record();
    super.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    record();
    super.syncDirectory(dir);
  }

  @Override
  public boolean exists(Path path) {
    record();
    return super.exists(path);
  }
}
