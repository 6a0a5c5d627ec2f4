package dev.strata.backup;

import dev.strata.StrataException;
import dev.strata.Strata;
import dev.strata.engine.FileNames;
import dev.strata.manifest.ManifestLog;
import dev.strata.manifest.ManifestRecord;
import dev.strata.manifest.ManifestState;
import dev.strata.wal.WalReplay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Makes one backup, from a checkpoint of the store ({@link Strata#checkpoint}), which fixes a
 * consistent moment: every write acknowledged before the call, with SSTs hard-linked (the
 * checkpoint is made on the store's file system, see {@link #checkpointDir}) and the live WALs
 * copied up to that moment. Then:
 * <ol>
 *   <li>each SST is checksummed and, unless {@code shared/} already holds it under its
 *       number-checksum-size name, copied there (through a .tmp, synced, renamed);
 *   <li>the manifest, the WALs, the store's newest OPTIONS file and CURRENT are copied into
 *       {@code private/ID/}, checksummed as they are copied;
 *   <li>the directories are synced, and only then the meta file is written to {@code meta/ID.tmp},
 *       synced and renamed to {@code meta/ID}, and {@code meta/} synced: until that rename the
 *       backup does not exist, and what a crash left is removed at the next open;
 *   <li>the checkpoint is removed (also when the backup failed).
 * </ol>
 * A backup that fails removes what it wrote: the shared SSTs it added, its private directory.
 * Not thread-safe: {@link StrataBackups} runs one at a time.
 */
final class BackupCreator {
  private final BackupLayout layout;
  private final long id;
  /** The shared SSTs this backup copied (and their temporary names), for {@link #undo}. */
  private final List<Path> added = new ArrayList<>();

  BackupCreator(BackupLayout layout, long id) {
    this.layout = layout;
    this.id = id;
  }

  BackupInfo create(Strata db) throws IOException {
    Path checkpoint = checkpointDir(db.directory());
    BackupFiles.deleteRecursively(checkpoint);
    try {
      db.checkpoint(checkpoint);
      if (!Files.exists(checkpoint.resolve(FileNames.CURRENT))) {
        throw new StrataException("cannot back up " + db.directory() + ": its checkpoint was not written to "
            + checkpoint + " (a backup needs a store on the operating system's file system)");
      }
      return backUp(db, checkpoint);
    } catch (IOException | RuntimeException e) {
      undo();
      throw e;
    } finally {
      BackupFiles.deleteRecursively(checkpoint);
    }
  }

  /**
   * Where the checkpoint goes: where its SSTs can be hard links of the store's, so that it copies
   * no data. Inside the backup directory when that is on the store's file system (so that what a
   * crash leaves there is found at the next open); else beside the store, as
   * {@code <store>.backup-checkpoint.tmp} (removed by the next backup of that store), unless the
   * store's parent cannot be written, where the checkpoint then copies the SSTs into the backup
   * directory.
   */
  private Path checkpointDir(Path storeDir) throws IOException {
    Path store = storeDir.toAbsolutePath();
    Path parent = store.getParent();
    if (parent == null || !Files.isDirectory(store) || Files.getFileStore(store).equals(Files.getFileStore(layout.root()))
        || !Files.isWritable(parent)) {
      return layout.checkpoint();
    }
    return parent.resolve(store.getFileName() + ".backup-" + BackupLayout.CHECKPOINT);
  }

  private BackupInfo backUp(Strata db, Path checkpoint) throws IOException {
    Instant timestamp = Instant.ofEpochMilli(System.currentTimeMillis());
    List<String> ssts = new ArrayList<>();
    List<String> wals = new ArrayList<>();
    String manifest = null;
    for (String name : BackupFiles.FS.list(checkpoint)) {
      Optional<FileNames.Parsed> p = FileNames.parse(name);
      FileNames.Kind kind = p.map(FileNames.Parsed::kind).orElse(null);
      if (kind == FileNames.Kind.SST) {
        ssts.add(name);
      } else if (kind == FileNames.Kind.WAL) {
        wals.add(name);
      } else if (kind == FileNames.Kind.MANIFEST && manifest == null) {
        manifest = name;
      } else if (kind != FileNames.Kind.CURRENT) {
        throw new StrataException("checkpoint " + checkpoint + " holds " + name + ", which a backup cannot place");
      }
    }
    if (manifest == null) {
      throw new StrataException("checkpoint " + checkpoint + " holds no manifest");
    }
    ssts.sort(Comparator.naturalOrder());
    wals.sort(Comparator.naturalOrder());
    long lastSequence = lastSequence(checkpoint, manifest);

    List<BackupMeta.Entry> files = new ArrayList<>();
    long newBytes = 0;
    for (String sst : ssts) {
      Path from = checkpoint.resolve(sst);
      long size = Files.size(from);
      int crc = BackupFiles.crcOf(from);
      String sharedName = BackupLayout.sharedName(FileNames.parse(sst).orElseThrow().number(), crc, size);
      Path to = layout.shared().resolve(sharedName);
      if (!Files.exists(to) || Files.size(to) != size) {
        Path tmp = to.resolveSibling(sharedName + BackupLayout.TEMP_SUFFIX);
        Files.deleteIfExists(tmp);
        added.add(tmp);
        int copied = BackupFiles.copy(from, tmp, sst, size, crc);
        added.add(to);
        BackupFiles.FS.rename(tmp, to);
        newBytes += size;
        crc = copied;
      }
      files.add(new BackupMeta.Entry(sst, BackupLayout.sharedPath(sharedName), size, crc));
    }
    BackupFiles.FS.syncDirectory(layout.shared());

    Path own = layout.privateDir(id);
    BackupFiles.deleteRecursively(own);
    Files.createDirectories(own);
    List<Path> privateFiles = new ArrayList<>();
    wals.forEach(w -> privateFiles.add(checkpoint.resolve(w)));
    privateFiles.add(checkpoint.resolve(manifest));
    newestOptions(db.directory()).ifPresent(privateFiles::add);
    privateFiles.add(checkpoint.resolve(FileNames.CURRENT)); // last, so that a restore writes it last
    for (Path from : privateFiles) {
      String name = from.getFileName().toString();
      long size = Files.size(from);
      int crc = BackupFiles.copy(from, own.resolve(name), name, -1, 0);
      files.add(new BackupMeta.Entry(name, BackupLayout.privatePath(id, name), size, crc));
      newBytes += size;
    }
    BackupFiles.FS.syncDirectory(own);
    BackupFiles.FS.syncDirectory(layout.privateRoot());

    byte[] meta = BackupMeta.encode(id, timestamp, lastSequence, newBytes, files);
    Path tmp = layout.metaTemp(id);
    Files.deleteIfExists(tmp);
    BackupFiles.write(tmp, meta);
    BackupFiles.FS.rename(tmp, layout.meta(id));
    BackupFiles.FS.syncDirectory(layout.metaDir());
    return BackupMeta.decode(BackupLayout.META + "/" + id, id, meta).info();
  }

  /**
   * Removes what a failed backup wrote, the meta file first (a failure after its rename, syncing
   * its directory, must not leave a backup whose files are then removed), so that it never
   * existed. Best effort: what stays is removed at the next open.
   */
  private void undo() {
    List<Path> paths = new ArrayList<>(List.of(layout.meta(id), layout.metaTemp(id)));
    paths.addAll(added);
    paths.add(layout.privateDir(id));
    for (Path p : paths) {
      try {
        BackupFiles.deleteRecursively(p);
      } catch (IOException e) {
        // The backup's own failure is the one to report; the next open tries again.
      }
    }
  }

  /**
   * The sequence of the newest write in the checkpoint, as an open of it would find it: the
   * manifest's, or a later one in the WALs of its unflushed memtables.
   */
  private static long lastSequence(Path checkpoint, String manifest) throws IOException {
    ManifestState state = new ManifestState();
    for (ManifestRecord r : ManifestLog.read(BackupFiles.FS, checkpoint.resolve(manifest)).records()) {
      state.apply(r);
    }
    long last = state.lastSequence();
    for (long wal : state.liveWals()) {
      Path path = FileNames.wal(checkpoint, wal);
      if (Files.exists(path)) {
        WalReplay.Result replayed = WalReplay.replay(BackupFiles.FS, path, false, (key, seq, kind, value) -> { });
        last = Math.max(last, replayed.lastSequence());
      }
    }
    return last;
  }

  /** The store's newest OPTIONS file: how it was opened, kept with the backup for a person to read. */
  private static Optional<Path> newestOptions(Path storeDir) throws IOException {
    long newest = -1;
    for (String name : BackupFiles.FS.list(storeDir)) {
      Optional<FileNames.Parsed> p = FileNames.parse(name);
      if (p.isPresent() && p.get().kind() == FileNames.Kind.OPTIONS) {
        newest = Math.max(newest, p.get().number());
      }
    }
    return newest < 0 ? Optional.empty() : Optional.of(FileNames.options(storeDir, newest));
  }
}
