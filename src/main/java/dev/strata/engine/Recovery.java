package dev.strata.engine;

import dev.strata.CorruptionException;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.cache.BlockCache;
import dev.strata.fs.FileLock;
import dev.strata.fs.FileSystem;
import dev.strata.manifest.FileMeta;
import dev.strata.manifest.ManifestLog;
import dev.strata.manifest.ManifestRecord;
import dev.strata.manifest.ManifestState;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.SstFile;
import dev.strata.sst.TableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reopens what a previous process left in a store directory:
 * <ol>
 *   <li>refuse a missing store under {@code createIfMissing(false)} and an existing one under
 *       {@code errorIfExists(true)}, before creating anything (a store exists when its directory
 *       holds a CURRENT file);
 *   <li>take the directory lock;
 *   <li>fold the manifest CURRENT names (a torn last record is dropped);
 *   <li>open every SST it lists, verifying footer and metadata;
 *   <li>replay the WALs of unflushed memtables, oldest first, each into its own memtable, as the
 *       store's {@link dev.strata.WalRecoveryMode} says ({@link WalRecovery}): by default up to the
 *       first torn or damaged record, hole, or gap between WALs, so that what survives is a prefix
 *       of the writes, and damage before a synced point the manifest recorded is corruption;
 *   <li>keep the newest WAL live, when {@code avoidFlushDuringRecovery} is on (the default) and
 *       it replayed whole ({@link WalRecovery#run(ManifestState, boolean)} says exactly when): its
 *       memtable becomes the store's mutable one and writes append to the WAL where its last record
 *       ends (RocksDB's {@code avoid_flush_during_recovery}, LevelDB's {@code reuse_logs}), so an
 *       open after a clean close writes no SST and triggers no compaction;
 *   <li>flush each other recovered memtable to an L0 SST, so that no other replayed WAL stays
 *       live: a torn WAL left live would still be torn at the next recovery, and the rule above
 *       would then drop the WALs written after this one (LevelDB flushes recovered logs for the
 *       same reason);
 *   <li>copy every WAL that was not replayed to its end into {@code lost/}, synced;
 *   <li>start a new manifest holding a snapshot of the result (listing the kept WAL as live,
 *       with the synced length recorded for it), and point CURRENT at it;
 *   <li>record the options of this open in a new OPTIONS file ({@link OptionsFile}), deleting older ones;
 *   <li>delete every file no longer part of the store: orphan SSTs and WALs a crash left,
 *       old manifests, temporary files.
 * </ol>
 */
final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  /**
   * The recovered store, and the lock and manifest the engine now owns; {@code keptWal} is the WAL
   * kept live, whose memtable is the store's first mutable one, or null when every WAL was flushed.
   */
  record Result(FileLock lock, ManifestLog manifestLog, ManifestState manifest, List<List<SstFile>> levels,
      long lastSequence, long nextFileNumber, WalRecovery.Kept keptWal) {}

  private final Path dir;
  private final StrataOptions options;
  private final FileSystem fs;
  private final BlockCache cache;
  private final Consumer<SstFile> releaser;

  Recovery(Path dir, StrataOptions options, FileSystem fs, BlockCache cache, Consumer<SstFile> releaser) {
    this.dir = dir;
    this.options = options;
    this.fs = fs;
    this.cache = cache;
    this.releaser = releaser;
  }

  Result run() {
    long started = System.nanoTime();
    checkOpeningMode();
    FileLock lock;
    try {
      fs.createDirectories(dir);
      lock = fs.lock(dir.resolve(FileNames.LOCK));
    } catch (IOException e) {
      throw new StrataException("cannot open store in " + dir + ": " + e.getMessage(), e);
    }
    List<SstFile> opened = new ArrayList<>();
    try {
      return recover(lock, opened, started);
    } catch (IOException | RuntimeException e) {
      opened.forEach(releaser);
      try {
        lock.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof StrataException se) {
        throw se;
      }
      throw new StrataException("cannot open store in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void checkOpeningMode() {
    boolean exists = fs.exists(dir.resolve(FileNames.CURRENT));
    if (!exists && !options.createIfMissing()) {
      throw new StrataException("no Strata store in " + dir + " (it holds no CURRENT file) and createIfMissing "
          + "is false (strata.create-if-missing = off); nothing was created");
    }
    if (exists && options.errorIfExists()) {
      throw new StrataException("a Strata store already exists in " + dir + " (it holds a CURRENT file) and "
          + "errorIfExists is true (strata.error-if-exists = on); the store was left untouched");
    }
  }

  private Result recover(FileLock lock, List<SstFile> opened, long started) throws IOException {
    List<FileNames.Parsed> present = new ArrayList<>();
    long maxNumber = 0;
    for (String name : fs.list(dir)) {
      Optional<FileNames.Parsed> p = FileNames.parse(name);
      if (p.isPresent() && p.get().kind() == FileNames.Kind.TEMP) {
        // A file still being written when the process died: never valid, and its number may be
        // handed out again below (temporary names do not count as used).
        fs.delete(dir.resolve(name));
      } else if (p.isPresent()) {
        present.add(p.get());
        maxNumber = Math.max(maxNumber, p.get().number());
      }
    }
    ManifestState state = new ManifestState();
    Optional<String> current = CurrentFile.read(fs, dir);
    boolean manifestTorn = false;
    if (current.isPresent()) {
      ManifestLog.Contents contents = ManifestLog.read(fs, dir.resolve(current.get()));
      contents.records().forEach(state::apply);
      manifestTorn = contents.tornTail();
    } else if (present.stream().anyMatch(p -> p.kind() == FileNames.Kind.SST || p.kind() == FileNames.Kind.WAL)) {
      throw new CorruptionException(dir + " holds Strata SST or WAL files but no CURRENT file; refusing to "
          + "treat it as a new store");
    }

    List<List<SstFile>> levels = new ArrayList<>();
    for (int level = 0; level < state.levelCount(); level++) {
      List<SstFile> files = new ArrayList<>();
      for (FileMeta meta : state.level(level)) {
        SstFile f = open(meta);
        opened.add(f);
        files.add(f);
      }
      levels.add(files);
    }

    WalRecovery wals = new WalRecovery(dir, fs, options.walRecoveryMode(), options.memtableSizeBytes());
    WalRecovery.Outcome replayed = wals.run(state, options.walEnabled() && options.avoidFlushDuringRecovery());
    List<Memtable> memtables = replayed.memtables();
    WalRecovery.Kept kept = replayed.kept();
    long lastSequence = Math.max(state.lastSequence(), replayed.lastSequence());

    AtomicLong fileNumbers = new AtomicLong(Math.max(state.nextFileNumber(), maxNumber + 1));
    List<FileMeta> files = new ArrayList<>(state.allFiles());
    if (!memtables.isEmpty()) {
      while (levels.isEmpty()) {
        levels.add(new ArrayList<>());
      }
      FlushJob flush = new FlushJob(new SstWriter(dir, fs, cache, options, fileNumbers, releaser));
      for (Memtable m : memtables) {
        SstFile f = flush.run(m, new AtomicLong());
        opened.add(f);
        levels.get(0).add(0, f);
        files.add(f.meta(0));
      }
    }
    // Before the manifest that no longer lists them: from then on the originals are obsolete.
    wals.keepAside(replayed.keepAside());
    long nextFileNumber = fileNumbers.get();
    long manifestNumber = nextFileNumber++;
    ManifestRecord.Snapshot snapshot = new ManifestRecord.Snapshot(nextFileNumber, lastSequence,
        kept == null ? List.of() : List.of(kept.wal()), files);
    // The kept WAL's sync point stays recorded: damage before it is still corruption, not a tail to drop.
    List<ManifestRecord> following = kept == null || kept.syncedBytes() < 0 ? List.of()
        : List.of(new ManifestRecord.WalSynced(kept.wal(), kept.syncedBytes()));
    Path manifestPath = FileNames.manifest(dir, manifestNumber);
    ManifestLog manifestLog = ManifestLog.create(fs, manifestPath, snapshot, following);
    try {
      fs.syncDirectory(dir);
      CurrentFile.write(fs, dir, FileNames.manifestName(manifestNumber));
      // Numbered after this open's manifest: newer at each open, and no file number of its own.
      OptionsFile.write(fs, dir, manifestNumber, options);
      ManifestState recovered = new ManifestState().apply(snapshot);
      following.forEach(recovered::apply);
      if (manifestTorn) {
        // Most likely a crash during a manifest append, whose files are then orphans; but damage
        // that merely looks torn would make live files look like orphans, so keep them this once.
        log.warn("{}: the manifest's last record was torn and dropped; files it may have named are kept",
            current.get());
      } else {
        deleteObsolete(present, recovered, manifestNumber);
      }
      logSummary(current.isPresent(), replayed, memtables, levels, lastSequence, started);
      return new Result(lock, manifestLog, recovered, levels, lastSequence, nextFileNumber, kept);
    } catch (IOException | RuntimeException e) {
      manifestLog.close();
      throw e;
    }
  }

  /** The one INFO line an open leaves: what recovery found, replayed and dropped, and the tree it opened. */
  private void logSummary(boolean existed, WalRecovery.Outcome replayed, List<Memtable> memtables,
      List<List<SstFile>> levels, long lastSequence, long started) {
    if (!log.isInfoEnabled()) {
      return;
    }
    if (!existed) {
      log.info("created store {} in {} ms", dir, (System.nanoTime() - started) / 1_000_000);
      return;
    }
    long entries = 0;
    for (Memtable m : memtables) {
      entries += m.entryCount();
    }
    WalRecovery.Kept kept = replayed.kept();
    if (kept != null) {
      entries += kept.memtable().entryCount();
    }
    String keptLive = kept == null ? "" : ", kept WAL " + kept.wal() + " live with " + kept.memtable().entryCount()
        + " entries";
    StringBuilder shape = new StringBuilder();
    int files = 0;
    for (int level = 0; level < levels.size(); level++) {
      int count = levels.get(level).size();
      files += count;
      if (count > 0) {
        long bytes = levels.get(level).stream().mapToLong(SstFile::fileSize).sum();
        shape.append(shape.length() == 0 ? "" : " ").append('L').append(level).append('=').append(count)
            .append('/').append(bytes).append('B');
      }
    }
    log.info("recovered store {}: replayed {} WAL(s), {} entries, flushed into {} L0 file(s){}; {} bytes of WAL not "
        + "replayed, {} WAL(s) kept in {}/; {} SST(s) {}; last sequence {}; in {} ms", dir, replayed.walsReplayed(),
        entries, memtables.size(), keptLive,
        replayed.bytesDropped(), replayed.keepAside().size(), FileNames.LOST_DIR, files,
        shape.length() == 0 ? "(none)" : "(files/bytes " + shape + ")", lastSequence,
        (System.nanoTime() - started) / 1_000_000);
  }

  private SstFile open(FileMeta meta) throws IOException {
    return openListed(dir, fs, cache, releaser, meta);
  }

  /**
   * Opens the SST {@code meta} describes, as the manifest lists it: missing, or of another size
   * than the manifest says, is corruption. Shared with {@link ReadOnlyRecovery}.
   */
  static SstFile openListed(Path dir, FileSystem fs, BlockCache cache, Consumer<SstFile> releaser, FileMeta meta)
      throws IOException {
    Path path = FileNames.sst(dir, meta.number());
    if (!fs.exists(path)) {
      throw new CorruptionException("SST " + path + " is listed in the manifest but missing");
    }
    TableReader reader = TableReader.open(fs.openImmutable(path), meta.number(), path.getFileName().toString(), cache);
    SstFile f = new SstFile(meta.number(), reader, releaser);
    if (f.fileSize() != meta.size()) {
      releaser.accept(f);
      throw new CorruptionException("SST " + path + " is " + f.fileSize() + " bytes; the manifest says " + meta.size());
    }
    return f;
  }

  /** Deletes what a crash or an earlier run left that is no longer part of the store. */
  private void deleteObsolete(List<FileNames.Parsed> present, ManifestState live, long manifestNumber)
      throws IOException {
    Set<Long> liveSsts = new HashSet<>();
    live.allFiles().forEach(f -> liveSsts.add(f.number()));
    Set<Long> liveWals = new HashSet<>(live.liveWals());
    boolean deleted = false;
    for (FileNames.Parsed p : present) {
      Path path = switch (p.kind()) {
        case SST -> liveSsts.contains(p.number()) ? null : FileNames.sst(dir, p.number());
        case WAL -> liveWals.contains(p.number()) ? null : FileNames.wal(dir, p.number());
        case MANIFEST -> p.number() == manifestNumber ? null : FileNames.manifest(dir, p.number());
        default -> null;
      };
      if (path != null) {
        log.debug("deleting obsolete {}", path);
        fs.delete(path);
        deleted = true;
      }
    }
    if (deleted) {
      fs.syncDirectory(dir);
    }
  }
}
