package dev.strata.cluster.transfer;

import dev.strata.fs.FileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Where a transfer keeps its files, and their removal. The sender's checkpoint goes into
 * {@code <store>.transfer-out-<random>} beside the store (on the same file system, so the
 * checkpoint hard-links the SSTs instead of copying them); the receiver stages into
 * {@code <target>.transfer-in-<random>} beside the target (so that installing is one rename).
 * Neither name parses as a number, so a directory of shard stores named by number tells them apart.
 *
 * <p>Stateless and thread-safe.
 */
final class TransferDirectories {
  static final String OUTGOING = ".transfer-out-";
  static final String INCOMING = ".transfer-in-";
  private static final SecureRandom RANDOM = new SecureRandom();

  private TransferDirectories() {}

  /** A fresh scratch directory name for a checkpoint of the store in {@code store} (not created). */
  static Path scratchFor(Path store) {
    return sibling(store, OUTGOING);
  }

  /** A fresh staging directory name for a transfer into {@code target} (not created). */
  static Path stagingFor(Path target) {
    return sibling(target, INCOMING);
  }

  private static Path sibling(Path dir, String marker) {
    Path absolute = dir.toAbsolutePath().normalize();
    if (absolute.getFileName() == null) {
      throw new IllegalArgumentException(dir + " has no name; a store directory needs one");
    }
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    return absolute.resolveSibling(absolute.getFileName() + marker + HexFormat.of().formatHex(random));
  }

  /**
   * Deletes the scratch and staging directories that transfers of {@code store} left behind (a
   * process killed mid-transfer leaves them); returns how many. Only for when no transfer of that
   * store runs, at a node's start say.
   */
  static int deleteLeftovers(FileSystem fs, Path store) throws IOException {
    Path absolute = store.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    if (parent == null || !fs.exists(parent)) {
      return 0;
    }
    String name = absolute.getFileName().toString();
    int deleted = 0;
    for (String entry : fs.list(parent)) {
      if (entry.startsWith(name + OUTGOING) || entry.startsWith(name + INCOMING)) {
        deleteRecursively(fs, parent.resolve(entry));
        deleted++;
      }
    }
    return deleted;
  }

  /** Deletes {@code path}, a file or a directory with everything in it; nothing when it is missing. */
  static void deleteRecursively(FileSystem fs, Path path) throws IOException {
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      for (String name : fs.list(path)) {
        deleteRecursively(fs, path.resolve(name));
      }
    }
    Files.deleteIfExists(path);
  }
}
