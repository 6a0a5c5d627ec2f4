package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import dev.strata.manifest.FileMeta;
import dev.strata.manifest.ManifestLog;
import dev.strata.manifest.ManifestRecord;
import dev.strata.readstate.ReadState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a checkpoint: an openable copy of the store as of one moment, after Pebble's and
 * RocksDB's {@code Checkpoint}. The writer captures the moment ({@link WriterControl#checkpoint}):
 * the published state, pinned so that no compaction deletes its SSTs meanwhile, the manifest
 * records that recreate its shape, and each live WAL's length, synced, with the current WAL's
 * taken under the commit lock so that the cut is at a record boundary and holds every write
 * acknowledged before it. This class then does the file work, on the blocking dispatcher:
 * <ol>
 *   <li>creates the target directory (it must not exist);
 *   <li>hard-links each SST (an SST never changes once written), copying it when linking fails,
 *       across file systems or on a file system that is not the operating system's;
 *   <li>copies each live WAL up to its captured length: writes after the cut stay out;
 *   <li>writes a fresh manifest, a {@link ManifestRecord.Snapshot} of the captured shape, then
 *       CURRENT, and syncs every file and the directory.
 * </ol>
 * CURRENT is written last, so a checkpoint that failed half-way holds no CURRENT.
 *
 * <p>Thread-safety: confined to the one blocking-dispatcher thread that runs {@link #run()}; it
 * shares nothing mutable with the store. The WALs it copies are not deleted while it runs (the
 * writer holds WAL deletions until it reports back, see {@link WalSet#holdDeletions()}).
 */
public final class Checkpointer {
  /** A live WAL and how many of its bytes belong to the checkpoint. */
  record WalCut(long number, long bytes) {}

  private static final int COPY_BUFFER_BYTES = 1 << 20;

  private final FileSystem fs;
  private final Path dir;
  private final Path target;
  private final ReadState pinned;
  private final long manifestNumber;
  private final ManifestRecord.Snapshot snapshot;
  private final List<ManifestRecord> following;
  private final List<WalCut> wals;

  Checkpointer(FileSystem fs, Path dir, Path target, ReadState pinned, long manifestNumber,
      ManifestRecord.Snapshot snapshot, List<ManifestRecord> following, List<WalCut> wals) {
    this.fs = fs;
    this.dir = dir;
    this.target = target;
    this.pinned = pinned;
    this.manifestNumber = manifestNumber;
    this.snapshot = snapshot;
    this.following = following;
    this.wals = wals;
  }

  /**
   * Writes the checkpoint, then lets go of the pinned state (also when it fails). Throws
   * {@link IllegalArgumentException} when the target exists, {@link StrataException} when the
   * file work fails.
   */
  public void run() {
    try {
      if (fs.exists(target)) {
        throw new IllegalArgumentException("checkpoint target " + target
            + " already exists; a checkpoint is written into a new directory");
      }
      fs.createDirectories(target);
      for (FileMeta f : snapshot.files()) {
        linkOrCopy(FileNames.sst(dir, f.number()), FileNames.sst(target, f.number()), f.size());
      }
      for (WalCut w : wals) {
        copy(FileNames.wal(dir, w.number()), FileNames.wal(target, w.number()), w.bytes());
      }
      ManifestLog.create(fs, FileNames.manifest(target, manifestNumber), snapshot, following).close();
      fs.syncDirectory(target);
      CurrentFile.write(fs, target, FileNames.manifestName(manifestNumber)); // syncs the directory
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        fs.syncDirectory(parent);
      }
    } catch (IOException e) {
      throw new StrataException("checkpoint of " + dir + " into " + target + " failed: " + e.getMessage(), e);
    } finally {
      pinned.unref();
    }
  }

  /** Lets go of the pinned state without writing anything: the job will not run. */
  public void abandon() {
    pinned.unref();
  }

  /**
   * A hard link shares the synced SST's data, so only the directory entry is new (synced with the
   * directory). When the link cannot be made, a copy, synced.
   */
  private void linkOrCopy(Path from, Path to, long size) throws IOException {
    try {
      Files.createLink(to, from);
      return;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // Another file system, a file system without links, or one that is not the operating
      // system's (the store's may be in memory, where the source does not exist): copy instead.
    }
    copy(from, to, size);
  }

  /** Copies the first {@code bytes} bytes of {@code from} into a new file {@code to}, synced. */
  private void copy(Path from, Path to, long bytes) throws IOException {
    try (ReadableFile in = fs.openReadable(from); WritableFile out = fs.create(to)) {
      if (in.size() < bytes) {
        throw new StrataException(from + " holds " + in.size() + " bytes, fewer than the " + bytes
            + " the checkpoint captured");
      }
      byte[] buffer = new byte[(int) Math.min(COPY_BUFFER_BYTES, Math.max(bytes, 1))];
      long position = 0;
      while (position < bytes) {
        int n = (int) Math.min(buffer.length, bytes - position);
        in.readFully(position, buffer, 0, n);
        out.append(buffer, 0, n);
        position += n;
      }
      out.sync();
    }
  }
}
