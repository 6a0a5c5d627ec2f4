package dev.strata.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The tail work the two append-only log files share ({@link MappedWritableFile}, {@link
 * PreallocatedWritableFile}, and the in-memory file system's stand-ins for them): checking the
 * segment size space is claimed in, claiming space past the end with written zeros, and cutting a
 * reopened file where its appends continue. Stateless and thread-safe.
 */
final class FileTails {
  /** Shared, never written to: each use takes a duplicate for its own position and limit. */
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

  private FileTails() {}

  /** @throws IllegalArgumentException if {@code segmentBytes} is not positive */
  static void checkSegmentBytes(int segmentBytes) {
    if (segmentBytes <= 0) {
      throw new IllegalArgumentException("segmentBytes must be positive, was " + segmentBytes);
    }
  }

  /**
   * Writes zeros over {@code [from, end)}. Written zeros claim the disk blocks now, so a full disk
   * is an IOException here rather than a fault later (a SIGBUS inside a mapped append, or a
   * write that fails after its record was acknowledged as appended).
   */
  static void writeZeros(FileChannel channel, long from, long end) throws IOException {
    long at = from;
    while (at < end) {
      ByteBuffer zeros = ZEROS.duplicate();
      zeros.limit((int) Math.min(zeros.capacity(), end - at));
      at += channel.write(zeros, at);
    }
  }

  /**
   * Cuts {@code channel}, open on {@code path}, at {@code offset}, where appends will continue;
   * closes it if that is refused or fails.
   *
   * @throws IllegalArgumentException if {@code offset} is negative or past the file's end
   */
  static void cutForAppends(FileChannel channel, Path path, long offset) throws IOException {
    try {
      long length = channel.size();
      if (offset < 0 || offset > length) {
        throw new IllegalArgumentException("cannot append to " + path + " from offset " + offset + ": it holds "
            + length + " bytes");
      }
      channel.truncate(offset);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }
}
