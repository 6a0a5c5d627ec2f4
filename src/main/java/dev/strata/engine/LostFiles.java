package dev.strata.engine;

import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a repair no longer uses, set aside in one directory of their own under the store's
 * {@code lost/} ({@code lost/repair-N}, N the number of the manifest the repair writes). In two
 * steps, so that no crash loses a file: {@link #keep} hard-links each (or copies it, synced) into
 * that directory before the repair commits its manifest, and {@link #deleteOriginals} removes
 * the store's own names only after; a crash in between leaves a file in both places, never in
 * neither. Not thread-safe: one repair uses it.
 */
final class LostFiles {
  private static final int COPY_BUFFER_BYTES = 1 << 16;

  private final FileSystem fs;
  private final Path dir;
  private final Path target;
  private final List<String> names = new ArrayList<>();

  LostFiles(FileSystem fs, Path dir, long repairNumber) {
    this.fs = fs;
    this.dir = dir;
    this.target = dir.resolve(FileNames.LOST_DIR).resolve("repair-" + repairNumber);
  }

  /** Sets {@code name}, a file of the store directory, aside; its original stays until {@link #deleteOriginals}. */
  void keep(String name) throws IOException {
    if (names.contains(name)) {
      return;
    }
    fs.createDirectories(target);
    Path from = dir.resolve(name);
    Path to = target.resolve(name);
    if (!link(from, to)) {
      copy(from, to); // a copy, synced, holds the same bytes
    }
    names.add(name);
  }

  /** Makes the directory entries of everything kept durable; before the repair commits. */
  void sync() throws IOException {
    if (!names.isEmpty()) {
      fs.syncDirectory(target);
      fs.syncDirectory(target.getParent());
      fs.syncDirectory(dir);
    }
  }

  /** Removes the store's names of the files kept; after the repair committed. */
  void deleteOriginals() throws IOException {
    for (String name : names) {
      fs.delete(dir.resolve(name));
    }
    if (!names.isEmpty()) {
      fs.syncDirectory(dir);
    }
  }

  List<String> names() {
    return List.copyOf(names);
  }

  /** The directory the files went to; null when none was kept. */
  Path directory() {
    return names.isEmpty() ? null : target;
  }

  /** A hard link, when the store is on the operating system's file system and it has them. */
  private boolean link(Path from, Path to) {
    if (fs != DiskFileSystem.INSTANCE) {
      return false; // the paths name files of another file system (in memory, in tests)
    }
    try {
      Files.createLink(to, from);
      return true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  private void copy(Path from, Path to) throws IOException {
    Path temp = FileNames.temp(to);
    fs.delete(temp);
    try (ReadableFile in = fs.openReadable(from); WritableFile out = fs.create(temp)) {
      long size = in.size();
      byte[] buffer = new byte[(int) Math.min(COPY_BUFFER_BYTES, Math.max(size, 1))];
      for (long position = 0; position < size; position += buffer.length) {
        int n = (int) Math.min(buffer.length, size - position);
        in.readFully(position, buffer, 0, n);
        out.append(buffer, 0, n);
      }
      out.sync();
    }
    fs.rename(temp, to);
  }
}
