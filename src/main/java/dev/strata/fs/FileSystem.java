package dev.strata.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Every file operation Strata performs goes through this interface, so that tests can swap in an
 * in-memory file system that loses unsynced data on a simulated crash, or one that injects I/O
 * errors at a chosen operation. Implementations must be thread-safe.
 */
public interface FileSystem {
  /** Creates a new file for appending; fails if it already exists. */
  WritableFile create(Path path) throws IOException;

  /** Opens an existing file for positional reads. */
  ReadableFile openReadable(Path path) throws IOException;

  /** Atomically renames {@code from} to {@code to}, replacing {@code to} if it exists. */
  void rename(Path from, Path to) throws IOException;

  /** Deletes the file; a missing file is not an error. */
  void delete(Path path) throws IOException;

  boolean exists(Path path);

  /** The file names (not paths) directly inside {@code dir}. */
  List<String> list(Path dir) throws IOException;

  void createDirectories(Path dir) throws IOException;

  /** Makes creations, renames and deletions inside {@code dir} durable. */
  void syncDirectory(Path dir) throws IOException;
}
