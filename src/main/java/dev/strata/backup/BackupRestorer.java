package dev.strata.backup;

import dev.strata.StrataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Restores one backup into a directory that does not exist or is empty: copies every file the
 * meta file names (copies, never links, so that the restored store and the backup never share a
 * file), checking each one's size and CRC32C as it is copied, in the meta file's order, which puts
 * CURRENT last. Then syncs the directory. When anything fails, every file it wrote is removed (and
 * the directory, if it made it), so a failed restore never leaves a store that opens with part of
 * the data. Not thread-safe: {@link StrataBackups} runs one at a time.
 */
final class BackupRestorer {
  private final BackupLayout layout;

  BackupRestorer(BackupLayout layout) {
    this.layout = layout;
  }

  void restore(BackupMeta.Contents backup, Path target) throws IOException {
    boolean created = false;
    if (Files.exists(target)) {
      if (!Files.isDirectory(target)) {
        throw new IllegalArgumentException("restore target " + target + " is not a directory");
      }
      if (!BackupFiles.FS.list(target).isEmpty()) {
        throw new IllegalArgumentException("restore target " + target
            + " is not empty; a backup is restored into a new or empty directory");
      }
    } else {
      Files.createDirectories(target);
      created = true;
    }
    List<Path> written = new ArrayList<>();
    boolean done = false;
    try {
      for (BackupMeta.Entry e : backup.files()) {
        Path to = target.resolve(e.storeName());
        written.add(to);
        BackupFiles.copy(layout.resolve(e.path()), to, e.path(), e.size(), e.crc());
      }
      BackupFiles.FS.syncDirectory(target);
      Path parent = target.toAbsolutePath().getParent();
      if (created && parent != null) {
        BackupFiles.FS.syncDirectory(parent);
      }
      done = true;
    } catch (java.nio.file.NoSuchFileException e) {
      throw new StrataException("backup " + backup.info().id() + " cannot be restored: " + e.getFile()
          + " is missing", e);
    } finally {
      if (!done) {
        undo(target, written, created);
      }
    }
  }

  /** Removes CURRENT first, so that no crash while undoing leaves a store that opens. */
  private static void undo(Path target, List<Path> written, boolean created) {
    try {
      for (int i = written.size() - 1; i >= 0; i--) {
        Files.deleteIfExists(written.get(i));
      }
      if (created) {
        Files.deleteIfExists(target);
      }
    } catch (IOException e) {
      // The restore's own failure is the one to report; what is left holds no CURRENT.
    }
  }
}
