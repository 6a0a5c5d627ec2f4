package dev.strata.engine;

import dev.strata.CorruptionException;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import dev.strata.util.Crc32c;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The CURRENT file: which manifest holds the store's shape. One line of ASCII:
 * <pre>
 *   strata-current 1 MANIFEST-000042 1a2b3c4d\n
 *   (magic word, format version, manifest file name, masked CRC32C of the name as 8 hex digits)
 * </pre>
 * It is replaced atomically: written to CURRENT.tmp, synced, renamed over CURRENT, and the
 * directory synced. Stateless and thread-safe.
 */
final class CurrentFile {
  private static final String MAGIC = "strata-current";
  private static final int VERSION = 1;

  private CurrentFile() {}

  /** Points CURRENT at {@code manifestName}, atomically and durably. */
  static void write(FileSystem fs, Path dir, String manifestName) throws IOException {
    Path current = dir.resolve(FileNames.CURRENT);
    Path tmp = FileNames.temp(current);
    fs.delete(tmp);
    String line = MAGIC + " " + VERSION + " " + manifestName + " " + String.format("%08x", checksum(manifestName)) + "\n";
    try (WritableFile out = fs.create(tmp)) {
      out.append(line.getBytes(StandardCharsets.US_ASCII));
      out.sync();
    }
    fs.rename(tmp, current);
    fs.syncDirectory(dir);
  }

  /** The manifest name CURRENT points at, or empty when there is no CURRENT (a new store). */
  static Optional<String> read(FileSystem fs, Path dir) throws IOException {
    Path current = dir.resolve(FileNames.CURRENT);
    if (!fs.exists(current)) {
      return Optional.empty();
    }
    String text;
    try (ReadableFile in = fs.openReadable(current)) {
      long size = in.size();
      if (size > 256) {
        throw new CorruptionException(current + " is " + size + " bytes, too long to be a CURRENT file");
      }
      byte[] bytes = new byte[(int) size];
      in.readFully(0, bytes, 0, bytes.length);
      text = new String(bytes, StandardCharsets.US_ASCII);
    }
    String[] parts = text.strip().split(" ");
    if (parts.length != 4 || !parts[0].equals(MAGIC)) {
      throw new CorruptionException(current + " is not a Strata CURRENT file: '" + text.strip() + "'");
    }
    if (!parts[1].equals(String.valueOf(VERSION))) {
      throw new CorruptionException(current + " has format version " + parts[1] + "; this Strata reads " + VERSION);
    }
    String name = parts[2];
    if (!parts[3].equals(String.format("%08x", checksum(name)))) {
      throw new CorruptionException(current + " fails its checksum");
    }
    Optional<FileNames.Parsed> parsed = FileNames.parse(name);
    if (parsed.isEmpty() || parsed.get().kind() != FileNames.Kind.MANIFEST) {
      throw new CorruptionException(current + " names '" + name + "', which is not a manifest");
    }
    return Optional.of(name);
  }

  private static int checksum(String name) {
    byte[] b = name.getBytes(StandardCharsets.US_ASCII);
    return Crc32c.mask(Crc32c.compute(b, 0, b.length));
  }
}
