package dev.strata.cluster.transfer;

import akka.util.ByteString;
import dev.strata.StrataException;
import dev.strata.cluster.transfer.CheckpointFrames.FileEntry;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ReadableFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The sending side's reader: turns a checkpoint directory, which nothing changes any more, into
 * the frames of {@link CheckpointFrames}, one per call of {@link #next()}, reading a chunk at a
 * time. The files go in name order (SSTs and WALs by number, then CURRENT, MANIFEST and OPTIONS);
 * each file's CRC32C is computed as it is read, so the manifest lists what was actually sent.
 *
 * <p>It owns the checkpoint directory: {@link #close()} deletes it.
 *
 * <p>Thread-safety: its methods are synchronized. The stream calls {@link #next()} one element
 * at a time, but may close it (on cancellation) while a read is under way on another thread.
 */
final class CheckpointChunker implements AutoCloseable {
  private final FileSystem fs;
  private final Path dir;
  private final int chunkBytes;
  private final List<String> names;
  private final List<Long> sizes;
  private final List<FileEntry> sent = new ArrayList<>();

  private boolean closed;
  private boolean headerSent;
  private boolean manifestSent;
  /** Index of the file being sent, or of the next to start when {@link #file} is null. */
  private int index;
  private ReadableFile file;
  private long position;
  private CRC32C crc;

  private CheckpointChunker(FileSystem fs, Path dir, int chunkBytes, List<String> names, List<Long> sizes) {
    this.fs = fs;
    this.dir = dir;
    this.chunkBytes = chunkBytes;
    this.names = names;
    this.sizes = sizes;
  }

  /**
   * A chunker over every file of {@code dir}, a checkpoint. A subdirectory is an error: a
   * checkpoint holds none, and sending half a directory would install a different store.
   */
  static CheckpointChunker open(FileSystem fs, Path dir, int chunkBytes) throws IOException {
    try {
      List<String> names = new ArrayList<>(fs.list(dir));
      names.sort(null);
      List<Long> sizes = new ArrayList<>();
      for (String name : names) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          throw new StrataException("checkpoint " + dir + " holds " + name + ", which is not a regular file");
        }
        try (ReadableFile f = fs.openReadable(p)) {
          sizes.add(f.size());
        }
      }
      return new CheckpointChunker(fs, dir, chunkBytes, List.copyOf(names), List.copyOf(sizes));
    } catch (IOException | RuntimeException e) {
      // The directory is the chunker's from the start: nobody else would delete it.
      TransferDirectories.deleteRecursively(fs, dir);
      throw e;
    }
  }

  int fileCount() {
    return names.size();
  }

  long totalBytes() {
    return sizes.stream().mapToLong(Long::longValue).sum();
  }

  /** The next frame, or empty once the manifest has been sent. */
  synchronized Optional<ByteString> next() throws IOException {
    if (closed) {
      throw new IllegalStateException("the checkpoint " + dir + " was closed while being sent");
    }
    if (!headerSent) {
      headerSent = true;
      return Optional.of(CheckpointFrames.header(fileCount(), totalBytes()));
    }
    if (file == null && index < names.size()) {
      file = fs.openReadable(dir.resolve(names.get(index)));
      long size = file.size();
      if (size != sizes.get(index)) {
        throw new StrataException("checkpoint file " + names.get(index) + " changed size while sent: "
            + sizes.get(index) + " bytes when listed, " + size + " now");
      }
      position = 0;
      crc = new CRC32C();
      return Optional.of(CheckpointFrames.fileStart(names.get(index), size));
    }
    if (file != null) {
      long size = sizes.get(index);
      if (position < size) {
        int n = (int) Math.min(chunkBytes, size - position);
        byte[] frame = CheckpointFrames.dataBuffer(n);
        file.readFully(position, frame, CheckpointFrames.DATA_CHUNK_OFFSET, n);
        crc.update(frame, CheckpointFrames.DATA_CHUNK_OFFSET, n);
        ByteString sealed = CheckpointFrames.sealData(frame, position);
        position += n;
        return Optional.of(sealed);
      }
      file.close();
      file = null;
      int whole = (int) crc.getValue();
      sent.add(new FileEntry(names.get(index), size, whole));
      index++;
      return Optional.of(CheckpointFrames.fileEnd(whole));
    }
    if (!manifestSent) {
      manifestSent = true;
      return Optional.of(CheckpointFrames.manifest(sent));
    }
    return Optional.empty();
  }

  /** Closes the file being read, if any, and deletes the checkpoint directory. Idempotent. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (file != null) {
        ReadableFile f = file;
        file = null;
        f.close();
      }
    } finally {
      TransferDirectories.deleteRecursively(fs, dir);
    }
  }
}
