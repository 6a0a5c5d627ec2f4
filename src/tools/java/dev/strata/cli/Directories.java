package dev.strata.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Directory housekeeping for bench's stores. Stateless. */
final class Directories {
  private Directories() {}

  /** True when {@code dir} does not exist or is an empty directory. */
  static boolean isMissingOrEmpty(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return true;
    }
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /** Deletes everything inside {@code dir}, keeping the directory itself. */
  static void deleteContents(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> children;
    try (Stream<Path> entries = Files.list(dir)) {
      children = entries.toList();
    }
    for (Path child : children) {
      deleteRecursively(child);
    }
  }

  /** Total bytes of the regular files under {@code dir}. */
  static long sizeOf(Path dir) throws IOException {
    long total = 0;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p)) {
          total += Files.size(p);
        }
      }
    }
    return total;
  }

  /** Deletes {@code path} and, when it is a directory, all it holds; a missing path is fine. */
  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(path)) {
      all = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }
}
