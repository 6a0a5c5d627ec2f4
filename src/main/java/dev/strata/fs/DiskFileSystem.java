package dev.strata.fs;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

/**
 * The real file system, through {@link FileChannel}. Thread-safe; the files it returns follow their
 * interfaces' contracts. Mapped files are {@link MappedWritableFile}s, locks {@link DiskFileLock}s.
 */
public final class DiskFileSystem implements FileSystem {
  /** Appends are gathered into a buffer of this size before a write system call. */
  private static final int WRITE_BUFFER_BYTES = 64 * 1024;

  public static final DiskFileSystem INSTANCE = new DiskFileSystem();

  private DiskFileSystem() {}

  @Override
  public WritableFile create(Path path) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return new DiskWritableFile(ch);
  }

  @Override
  public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
    return MappedWritableFile.create(path, segmentBytes, preparer);
  }

  @Override
  public WritableFile openMapped(Path path, long offset, int segmentBytes, Executor preparer) throws IOException {
    return MappedWritableFile.open(path, offset, segmentBytes, preparer);
  }

  @Override
  public WritableFile createPreallocated(Path path, int segmentBytes, Executor preparer) throws IOException {
    return PreallocatedWritableFile.create(path, segmentBytes, preparer);
  }

  @Override
  public WritableFile openPreallocated(Path path, long offset, int segmentBytes, Executor preparer)
      throws IOException {
    return PreallocatedWritableFile.open(path, offset, segmentBytes, preparer);
  }

  @Override
  public ReadableFile openReadable(Path path) throws IOException {
    return new DiskReadableFile(FileChannel.open(path, StandardOpenOption.READ), path);
  }

  /** Memory-mapped: see {@link MappedReadableFile}. */
  @Override
  public ReadableFile openImmutable(Path path) throws IOException {
    return MappedReadableFile.open(path);
  }

  /** Memory-mapped within {@code budget}: see {@link MappingBudget}. */
  @Override
  public ReadableFile openImmutable(Path path, MappingBudget budget) throws IOException {
    return MappedReadableFile.open(path, budget);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void delete(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public boolean exists(Path path) {
    return Files.exists(path);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    } catch (NoSuchFileException e) {
      return List.of();
    }
    return names;
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    // Opening a directory for reading and forcing it is how the JDK exposes fsync(dirfd) on Linux.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  @Override
  public FileLock lock(Path lockFile) throws IOException {
    return DiskFileLock.acquire(lockFile);
  }

  private static final class DiskWritableFile implements WritableFile {
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(WRITE_BUFFER_BYTES);
    private long size;

    DiskWritableFile(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void append(byte[] data, int offset, int length) throws IOException {
      size += length;
      if (length > buffer.remaining()) {
        flush();
        if (length >= buffer.capacity()) {
          writeAll(ByteBuffer.wrap(data, offset, length));
          return;
        }
      }
      buffer.put(data, offset, length);
    }

    @Override
    public void flush() throws IOException {
      if (buffer.position() > 0) {
        buffer.flip();
        writeAll(buffer);
        buffer.clear();
      }
    }

    private void writeAll(ByteBuffer src) throws IOException {
      while (src.hasRemaining()) {
        channel.write(src);
      }
    }

    @Override
    public void sync() throws IOException {
      flush();
      channel.force(false);
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void close() throws IOException {
      try {
        flush();
      } finally {
        channel.close();
      }
    }
  }

  private static final class DiskReadableFile implements ReadableFile {
    private final FileChannel channel;
    private final Path path;

    DiskReadableFile(FileChannel channel, Path path) {
      this.channel = channel;
      this.path = path;
    }

    @Override
    public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(dst, offset, length);
      long pos = position;
      while (buf.hasRemaining()) {
        int n = channel.read(buf, pos);
        if (n < 0) {
          throw new EOFException(path + ": wanted " + length + " bytes at " + position + ", file ends first");
        }
        pos += n;
      }
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
