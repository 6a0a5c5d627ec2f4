package dev.strata.durability;

import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.ForwardingWritableFile;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * Cuts the power of an {@link InMemoryFileSystem} at the nth step: it crashes, the step fails,
 * and so does every later one, as for a process that died with the power.
 */
final class CrashingFileSystem extends ForwardingFileSystem {
  private final InMemoryFileSystem mem;
  private final int crashAt;
  private int steps;
  private String crashedAt;

  CrashingFileSystem(InMemoryFileSystem mem, int crashAt) {
    super(mem);
    this.mem = mem;
    this.crashAt = crashAt;
  }

  synchronized int steps() {
    return steps;
  }

  synchronized boolean crashed() {
    return crashedAt != null;
  }

  synchronized String crashedAt() {
    return crashedAt;
  }

  private synchronized void step(String what, Path path) throws IOException {
    if (crashedAt != null) {
      throw new IOException("the power is off (" + what + " " + path.getFileName() + ")");
    }
    if (++steps == crashAt) {
      crashedAt = what + " " + path.getFileName();
      mem.crash();
      throw new IOException("the power went at step " + steps + ": " + crashedAt);
    }
  }

  private WritableFile stepping(WritableFile file, Path path) {
    return new ForwardingWritableFile(file) {
      @Override
      public void append(byte[] data, int offset, int length) throws IOException {
        step("append to", path);
        delegate.append(data, offset, length);
      }

      @Override
      public void flush() throws IOException {
        step("flush of", path);
        delegate.flush();
      }

      @Override
      public void sync() throws IOException {
        step("sync of", path);
        delegate.sync();
      }
    };
  }

  @Override
  public WritableFile create(Path path) throws IOException {
    step("create", path);
    return stepping(mem.create(path), path);
  }

  @Override
  public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
    step("create", path);
    return stepping(mem.createMapped(path, segmentBytes, preparer), path);
  }

  @Override
  public WritableFile openMapped(Path path, long offset, int segmentBytes, Executor preparer) throws IOException {
    step("reopen", path);
    return stepping(mem.openMapped(path, offset, segmentBytes, preparer), path);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    step("rename of", from);
    mem.rename(from, to);
  }

  @Override
  public void delete(Path path) throws IOException {
    step("delete of", path);
    mem.delete(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    step("sync of directory", dir);
    mem.syncDirectory(dir);
  }
}
