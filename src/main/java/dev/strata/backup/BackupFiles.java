package dev.strata.backup;

import dev.strata.CorruptionException;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The file work of backups: checksums, copies that checksum what they copy, recursive deletes.
 * Every copy is synced before it returns; its directory is the caller's to sync. Stateless and
 * thread-safe.
 */
final class BackupFiles {
  static final FileSystem FS = DiskFileSystem.INSTANCE;
  private static final int BUFFER_BYTES = 1 << 20;

  private BackupFiles() {}

  /** The plain CRC32C of the whole of {@code file}. */
  static int crcOf(Path file) throws IOException {
    try (ReadableFile in = FS.openReadable(file)) {
      return stream(in, in.size(), null);
    }
  }

  /**
   * Copies {@code from} into a new file {@code to}, synced, and returns the CRC32C of what it
   * copied. When {@code expectedSize} is not negative the source must be that long and its CRC32C
   * {@code expectedCrc}, or the copy is a CorruptionException naming {@code name} (the file's
   * path in the backup, say) and {@code to} is removed.
   */
  static int copy(Path from, Path to, String name, long expectedSize, int expectedCrc) throws IOException {
    try (ReadableFile in = FS.openReadable(from)) {
      long size = in.size();
      if (expectedSize >= 0 && size != expectedSize) {
        throw new CorruptionException(name + " is " + size + " bytes; the backup recorded " + expectedSize);
      }
      int crc;
      try (WritableFile out = FS.create(to)) {
        crc = stream(in, size, out);
        out.sync();
      }
      if (expectedSize >= 0 && crc != expectedCrc) {
        Files.deleteIfExists(to);
        throw new CorruptionException(name + " fails its checksum: its CRC32C is " + BackupMeta.hex(crc)
            + ", the backup recorded " + BackupMeta.hex(expectedCrc));
      }
      return crc;
    }
  }

  /** Reads the first {@code size} bytes of {@code in}, appending them to {@code out} when not null. */
  private static int stream(ReadableFile in, long size, WritableFile out) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[(int) Math.min(BUFFER_BYTES, Math.max(size, 1))];
    long position = 0;
    while (position < size) {
      int n = (int) Math.min(buffer.length, size - position);
      in.readFully(position, buffer, 0, n);
      crc.update(buffer, 0, n);
      if (out != null) {
        out.append(buffer, 0, n);
      }
      position += n;
    }
    return (int) crc.getValue();
  }

  /** Writes {@code bytes} into a new file {@code to}, synced. */
  static void write(Path to, byte[] bytes) throws IOException {
    try (WritableFile out = FS.create(to)) {
      out.append(bytes);
      out.sync();
    }
  }

  /** Deletes {@code path}, a file or a directory with everything in it; nothing when it is missing. */
  static void deleteRecursively(Path path) throws IOException {
    if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      for (String name : FS.list(path)) {
        deleteRecursively(path.resolve(name));
      }
    }
    Files.deleteIfExists(path);
  }
}
