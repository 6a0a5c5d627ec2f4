package dev.strata.backup;

import dev.strata.CorruptionException;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.fs.FileLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incremental backups of Strata stores in one directory, after RocksDB's {@code BackupEngine}.
 * Each backup is a consistent copy of a store as of {@link #create}: an SST the directory already
 * holds from an earlier backup is not copied again but shared (SSTs never change once written), so
 * a backup costs the SSTs written since the last one plus the store's manifest and WALs. Every file
 * is kept with its CRC32C: {@link #verify} recomputes them without restoring, and {@link #restore}
 * checks each as it copies. The layout and the meta file format are described in {@code
 * BackupLayout} and {@code BackupMeta}; a backup exists once its meta file does, so a crash never
 * leaves half a backup visible, and what it leaves is removed at the next {@link #open}.
 *
 * <pre>{@code
 * try (StrataBackups backups = StrataBackups.open(Path.of("/backups/orders"))) {
 *   BackupInfo info = backups.create(db);
 *   backups.purgeOldBackups(7);
 * }
 * }</pre>
 *
 * <p>Thread-safety: every method is synchronized; one operation runs at a time. The directory is
 * locked (its LOCK file) while open, so a second {@code StrataBackups}, in this process or
 * another, cannot open it meanwhile.
 */
public final class StrataBackups implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StrataBackups.class);

  private final BackupLayout layout;
  private final FileLock lock;
  private boolean closed;

  private StrataBackups(BackupLayout layout, FileLock lock) {
    this.layout = layout;
    this.lock = lock;
  }

  /**
   * Opens the backup directory {@code backupDir}, creating it when missing, and removes what an
   * interrupted backup or delete left behind.
   *
   * @throws StrataException when the directory cannot be created or read, or is open elsewhere
   */
  public static StrataBackups open(Path backupDir) {
    Objects.requireNonNull(backupDir, "backup directory is null");
    BackupLayout layout = new BackupLayout(backupDir);
    FileLock lock;
    try {
      if (Files.exists(backupDir) && !Files.isDirectory(backupDir)) {
        throw new StrataException("cannot open backup directory " + backupDir + ": it is not a directory");
      }
      Files.createDirectories(backupDir);
      lock = BackupFiles.FS.lock(layout.lock());
    } catch (IOException e) {
      throw new StrataException("cannot open backup directory " + backupDir + ": " + e.getMessage(), e);
    }
    StrataBackups backups = new StrataBackups(layout, lock);
    try {
      for (Path dir : List.of(layout.shared(), layout.privateRoot(), layout.metaDir())) {
        Files.createDirectories(dir);
      }
      BackupFiles.FS.syncDirectory(backupDir);
      backups.removeLeftovers();
    } catch (IOException | RuntimeException e) {
      backups.close();
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new StrataException("cannot open backup directory " + backupDir + ": " + e.getMessage(), e);
    }
    return backups;
  }

  /**
   * Backs up {@code db}, an open store on the operating system's file system, and returns the new
   * backup's description. The backup holds every write acknowledged before the call (it is made
   * from {@link Strata#checkpoint}); writes may continue meanwhile.
   *
   * @throws StrataException when the store or the backup directory fails; no backup is then added
   */
  public synchronized BackupInfo create(Strata db) {
    Objects.requireNonNull(db, "store to back up is null");
    checkOpen();
    long id = ids().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
    try {
      return new BackupCreator(layout, id).create(db);
    } catch (IOException e) {
      throw new StrataException("backup of " + db.directory() + " into " + layout.root() + " failed: "
          + e.getMessage(), e);
    }
  }

  /**
   * Every backup in the directory, oldest (lowest id) first.
   *
   * @throws CorruptionException naming the meta file of a backup that cannot be read
   */
  public synchronized List<BackupInfo> list() {
    checkOpen();
    List<BackupInfo> infos = new ArrayList<>();
    for (long id : ids()) {
      infos.add(read(id).info());
    }
    return infos;
  }

  /** The ids of every backup in the directory, ascending, including backups whose meta file is damaged. */
  public synchronized List<Long> ids() {
    checkOpen();
    try {
      return BackupFiles.FS.list(layout.metaDir()).stream().map(BackupLayout::parseId).flatMap(Optional::stream)
          .sorted().toList();
    } catch (IOException e) {
      throw new StrataException("cannot list the backups in " + layout.root() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Restores backup {@code id} into {@code targetDir}, which must not exist or be empty: afterwards
   * it is a store of its own, opened like any other, holding exactly the backup's data. Every file
   * is copied and checked against its CRC32C; a failed restore leaves no store behind.
   *
   * @throws IllegalArgumentException when there is no such backup, or the target is not empty
   * @throws CorruptionException naming the damaged file of the backup
   * @throws StrataException when the copy fails
   */
  public synchronized void restore(long id, Path targetDir) {
    Objects.requireNonNull(targetDir, "restore target is null");
    checkOpen();
    BackupMeta.Contents backup = read(id);
    try {
      new BackupRestorer(layout).restore(backup, targetDir);
    } catch (IOException e) {
      throw new StrataException("restore of backup " + id + " into " + targetDir + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Reads every file of backup {@code id} and recomputes its CRC32C, without restoring anything.
   * A damaged meta file is reported as the backup's one problem.
   *
   * @throws IllegalArgumentException when there is no such backup
   */
  public synchronized VerifyReport verify(long id) {
    checkOpen();
    BackupMeta.Contents backup;
    try {
      backup = read(id);
    } catch (CorruptionException e) {
      return new VerifyReport(id, 0, 0, List.of(e.getMessage()));
    }
    List<String> problems = new ArrayList<>();
    int files = 0;
    long bytes = 0;
    for (BackupMeta.Entry e : backup.files()) {
      Path path = layout.resolve(e.path());
      try {
        long size = Files.size(path);
        if (size != e.size()) {
          problems.add(e.path() + ": is " + size + " bytes; the backup recorded " + e.size());
          continue;
        }
        int crc = BackupFiles.crcOf(path);
        files++;
        bytes += size;
        if (crc != e.crc()) {
          problems.add(e.path() + ": fails its checksum: its CRC32C is " + BackupMeta.hex(crc)
              + ", the backup recorded " + BackupMeta.hex(e.crc()));
        }
      } catch (NoSuchFileException x) {
        problems.add(e.path() + ": is missing");
      } catch (IOException x) {
        problems.add(e.path() + ": cannot be read: " + x.getMessage());
      }
    }
    return new VerifyReport(id, files, bytes, problems);
  }

  /**
   * Deletes backup {@code id}, and every shared SST no other backup names.
   *
   * @throws IllegalArgumentException when there is no such backup
   */
  public synchronized void delete(long id) {
    checkOpen();
    if (!Files.exists(layout.meta(id))) {
      throw noSuchBackup(id);
    }
    try {
      remove(id);
      removeUnreferencedShared();
    } catch (IOException e) {
      throw new StrataException("cannot delete backup " + id + " from " + layout.root() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes all but the newest {@code keep} backups, and every shared SST no remaining backup
   * names. Returns the ids deleted, ascending.
   *
   * @throws IllegalArgumentException when {@code keep} is less than 1 (use {@link #delete} to
   *     delete every backup)
   */
  public synchronized List<Long> purgeOldBackups(int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("purgeOldBackups keeps at least 1 backup, not " + keep);
    }
    checkOpen();
    List<Long> ids = ids();
    List<Long> purged = ids.subList(0, Math.max(0, ids.size() - keep));
    try {
      for (long id : purged) {
        remove(id);
      }
      removeUnreferencedShared();
    } catch (IOException e) {
      throw new StrataException("cannot purge old backups from " + layout.root() + ": " + e.getMessage(), e);
    }
    return List.copyOf(purged);
  }

  /** The backup directory. */
  public Path directory() {
    return layout.root();
  }

  /** Releases the directory's lock; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      lock.close();
    } catch (IOException e) {
      throw new StrataException("cannot release the lock of " + layout.root() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "StrataBackups(" + layout.root() + ")";
  }

  // ---------------------------------------------------------------- internals

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("backup directory " + layout.root() + " is closed");
    }
  }

  private BackupMeta.Contents read(long id) {
    Path meta = layout.meta(id);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(meta);
    } catch (NoSuchFileException e) {
      throw noSuchBackup(id);
    } catch (IOException e) {
      throw new StrataException("cannot read " + meta + ": " + e.getMessage(), e);
    }
    return BackupMeta.decode(meta.toString(), id, bytes);
  }

  private IllegalArgumentException noSuchBackup(long id) {
    return new IllegalArgumentException("there is no backup " + id + " in " + layout.root());
  }

  /** The meta file goes first: from then on the backup is gone, and the rest is leftovers. */
  private void remove(long id) throws IOException {
    Files.deleteIfExists(layout.meta(id));
    BackupFiles.FS.syncDirectory(layout.metaDir());
    BackupFiles.deleteRecursively(layout.privateDir(id));
    BackupFiles.FS.syncDirectory(layout.privateRoot());
  }

  /**
   * Removes the temporary files and checkpoint of an interrupted backup, private directories
   * without a meta file (an interrupted backup or delete), and shared SSTs no backup names.
   */
  private void removeLeftovers() throws IOException {
    BackupFiles.deleteRecursively(layout.checkpoint());
    for (Path dir : List.of(layout.metaDir(), layout.shared())) {
      for (String name : BackupFiles.FS.list(dir)) {
        if (name.endsWith(BackupLayout.TEMP_SUFFIX)) {
          BackupFiles.deleteRecursively(dir.resolve(name));
        }
      }
    }
    Set<Long> ids = new HashSet<>(ids());
    for (String name : BackupFiles.FS.list(layout.privateRoot())) {
      Optional<Long> id = BackupLayout.parseId(name);
      if (id.isPresent() && !ids.contains(id.get())) {
        BackupFiles.deleteRecursively(layout.privateRoot().resolve(name));
      }
    }
    removeUnreferencedShared();
  }

  /**
   * Removes every shared SST that no backup's meta file names. When a meta file cannot be read,
   * nothing is removed: what it names is not known, and verify reports it.
   */
  private void removeUnreferencedShared() throws IOException {
    Set<String> referenced = new HashSet<>();
    for (long id : ids()) {
      try {
        for (BackupMeta.Entry e : read(id).files()) {
          referenced.add(e.path());
        }
      } catch (CorruptionException e) {
        LOG.warn("shared files of {} are kept: {}", layout.root(), e.getMessage());
        return;
      }
    }
    boolean removed = false;
    for (String name : BackupFiles.FS.list(layout.shared())) {
      if (BackupLayout.parseSharedName(name).isPresent() && !referenced.contains(BackupLayout.sharedPath(name))) {
        Files.deleteIfExists(layout.shared().resolve(name));
        removed = true;
      }
    }
    if (removed) {
      BackupFiles.FS.syncDirectory(layout.shared());
    }
  }
}
