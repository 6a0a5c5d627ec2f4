package dev.strata.engine;

import dev.strata.CorruptionException;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.cache.BlockCache;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.manifest.FileMeta;
import dev.strata.manifest.ManifestLog;
import dev.strata.manifest.ManifestState;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.SstFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a store for a read-only open (RocksDB's {@code OpenForReadOnly}): the read half of
 * {@link Recovery}, and nothing of its writing half.
 * <ol>
 *   <li>refuse a directory that holds no store (no CURRENT file), whatever createIfMissing says;
 *   <li>fold the manifest CURRENT names (a torn last record is dropped, as recovery drops it);
 *   <li>open every SST it lists, verifying footer and metadata;
 *   <li>replay the WALs of unflushed memtables into memtables kept in memory, by the same rules
 *       and the same {@link dev.strata.WalRecoveryMode} as a read-write open ({@link WalRecovery}):
 *       in the default mode, a damaged or torn tail is just where replay stops.
 * </ol>
 * It takes no LOCK, and creates, renames, deletes and writes no file: no flush of the replayed
 * memtables, no copy into {@code lost/}, no new manifest, CURRENT or OPTIONS file. So it may run
 * beside another read-only open, and beside a read-write process that holds the store.
 *
 * <p><b>Beside a live writer.</b> The writer may change the store while this reads it: roll the
 * manifest (CURRENT then names another one and the old one goes), or record a flush or compaction
 * and then delete the WAL or SSTs the record made obsolete. A file that vanished under this read
 * fails it; the read is then tried again from CURRENT, if the manifest it read has changed since
 * (a different CURRENT, or a longer manifest), up to {@link #ATTEMPTS} times. Files already open
 * stay readable after the writer deletes them, so what one attempt read is one consistent state: a
 * manifest's fold, and the WALs it names as they were when read. The WAL the writer appends to is
 * read up to its last whole record; a record being written is a torn tail there, which the default
 * mode drops ({@code ABSOLUTE_CONSISTENCY} refuses it, as it refuses any torn tail).
 *
 * <p>Not thread-safe: one open runs it once.
 */
final class ReadOnlyRecovery {
  private static final Logger log = LoggerFactory.getLogger(ReadOnlyRecovery.class);
  /** Reads of a store that a live writer keeps changing, before the open gives up. */
  static final int ATTEMPTS = 5;

  /**
   * What a read-only open reads: the levels (index 0 is L0, each in the manifest's order), the
   * memtables replayed from the WALs (oldest first), the newest sequence, and the number above
   * every file and memtable id the store holds.
   */
  record Result(List<List<SstFile>> levels, List<Memtable> memtables, long lastSequence, long nextFileNumber) {}

  /** Which manifest CURRENT names, and how long it is: whether the store changed between two reads. */
  private record ManifestMark(String manifest, long bytes) {}

  private final Path dir;
  private final StrataOptions options;
  private final FileSystem fs;
  private final BlockCache cache;
  private final Consumer<SstFile> releaser;

  ReadOnlyRecovery(Path dir, StrataOptions options, FileSystem fs, BlockCache cache, Consumer<SstFile> releaser) {
    this.dir = dir;
    this.options = options;
    this.fs = fs;
    this.cache = cache;
    this.releaser = releaser;
  }

  Result run() {
    if (!fs.exists(dir.resolve(FileNames.CURRENT))) {
      String what = fs.exists(dir) ? "holds no Strata store (no CURRENT file)" : "does not exist";
      throw new StrataException("cannot open " + dir + " read-only: the directory " + what
          + "; a read-only open creates nothing");
    }
    for (int attempt = 1; ; attempt++) {
      ManifestMark before = markOrNull();
      List<SstFile> opened = new ArrayList<>();
      try {
        return read(opened);
      } catch (IOException | RuntimeException e) {
        opened.forEach(releaser);
        ManifestMark after = markOrNull();
        if (attempt < ATTEMPTS && !Objects.equals(before, after)) {
          log.debug("{}: the store changed while it was read ({} -> {}); reading it again: {}", dir, before, after,
              e.toString());
          continue;
        }
        if (e instanceof StrataException se) {
          throw se;
        }
        throw new StrataException("cannot open store in " + dir + " read-only: " + e.getMessage(), e);
      }
    }
  }

  private Result read(List<SstFile> opened) throws IOException {
    String current = CurrentFile.read(fs, dir)
        .orElseThrow(() -> new CorruptionException(dir + ": its CURRENT file vanished while it was opened"));
    ManifestState state = new ManifestState();
    ManifestLog.read(fs, dir.resolve(current)).records().forEach(state::apply);

    List<List<SstFile>> levels = new ArrayList<>();
    long maxNumber = state.nextFileNumber() - 1;
    for (int level = 0; level < state.levelCount(); level++) {
      List<SstFile> files = new ArrayList<>();
      for (FileMeta meta : state.level(level)) {
        SstFile f = Recovery.openListed(dir, fs, cache, releaser, meta);
        opened.add(f);
        files.add(f);
        maxNumber = Math.max(maxNumber, meta.number());
      }
      levels.add(files);
    }
    WalRecovery.Outcome replayed =
        new WalRecovery(dir, fs, options.walRecoveryMode(), options.memtableSizeBytes()).run(state);
    for (Memtable m : replayed.memtables()) {
      maxNumber = Math.max(maxNumber, m.id());
    }
    if (!replayed.keepAside().isEmpty()) {
      log.warn("{}: opened read-only, so the WALs not replayed to their end are left as they are, not copied "
          + "into lost/ (a read-write open does that): {}", dir, replayed.keepAside());
    }
    long lastSequence = Math.max(state.lastSequence(), replayed.lastSequence());
    return new Result(levels, replayed.memtables(), lastSequence, maxNumber + 1);
  }

  /** Where CURRENT points and that manifest's length, or null when either cannot be read now. */
  private ManifestMark markOrNull() {
    try {
      Optional<String> current = CurrentFile.read(fs, dir);
      if (current.isEmpty()) {
        return null;
      }
      try (ReadableFile manifest = fs.openReadable(dir.resolve(current.get()))) {
        return new ManifestMark(current.get(), manifest.size());
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
