package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.compaction.CompactionPicker;
import dev.strata.compaction.CompactionTask;
import dev.strata.compaction.LevelShape;
import dev.strata.fs.FileSystem;
import dev.strata.manifest.FileMeta;
import dev.strata.manifest.ManifestLog;
import dev.strata.manifest.ManifestRecord;
import dev.strata.manifest.ManifestState;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.ReadStateCell;
import dev.strata.readstate.SstFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's versions, after LevelDB's {@code VersionSet}: the manifest (the log of edits on disk
 * and their fold in memory), the next file number, and the published {@link ReadState}, whose
 * shape always matches the manifest's: installing a flush or a compaction appends one manifest
 * record and publishes one new read state, and compactions are planned against that shape. A
 * manifest past its size limit is rolled into a new one that starts from a snapshot.
 *
 * <p><b>Durability order.</b> An SST is written and synced before its record is appended and
 * synced; what the record makes redundant (a WAL, compaction inputs) is deleted only after that.
 *
 * <p>Thread-safety: writer only, through {@link WriterControl}; any thread may acquire from
 * {@link #cell()}, and flush and compaction jobs draw file numbers from {@link #fileNumbers()} on
 * the blocking dispatcher. The write path also publishes into the cell, at a rotation, under its
 * commit lock and on the writer's call.
 */
final class VersionSet {
  private static final Logger log = LoggerFactory.getLogger(VersionSet.class);
  /** A manifest longer than this is replaced by a snapshot in a new manifest. */
  static final long DEFAULT_MANIFEST_ROLL_BYTES = 4L << 20;

  private final Path dir;
  private final FileSystem fs;
  private final StrataOptions options;
  private final ErrorState errors;
  private final EngineStats counters;
  private final Consumer<SstFile> releaser;
  private final long manifestRollBytes;
  private final AtomicLong nextFileNumber;
  private final ManifestState manifest;
  private ManifestLog manifestLog;
  private final ReadStateCell cell;
  private final CompactionPicker picker;

  /**
   * Takes over what recovery found. The first mutable memtable is the one of the WAL recovery kept
   * live, if it kept one (that WAL's number is its id); otherwise a new one, which takes the next
   * file number, and whose WAL, when the WAL is on, is created under that number next (see {@link
   * WalSet#create}).
   */
  VersionSet(Path dir, FileSystem fs, StrataOptions options, Recovery.Result recovered, long manifestRollBytes,
      ErrorState errors, EngineStats counters, Consumer<SstFile> releaser) {
    this.dir = dir;
    this.fs = fs;
    this.options = options;
    this.errors = errors;
    this.counters = counters;
    this.releaser = releaser;
    this.manifestRollBytes = manifestRollBytes;
    this.manifestLog = recovered.manifestLog();
    this.manifest = recovered.manifest();
    this.nextFileNumber = new AtomicLong(recovered.nextFileNumber());
    Memtable first = recovered.keptWal() != null ? recovered.keptWal().memtable()
        : new Memtable(nextFileNumber.getAndIncrement(), options.memtableSizeBytes());
    this.cell = new ReadStateCell(ReadState.initial(first, List.of(), recovered.levels()));
    this.picker = CompactionPicker.of(options.compaction(), options.memtableSizeBytes());
  }

  /** Where readers acquire the published state. */
  ReadStateCell cell() {
    return cell;
  }

  /** The published state (no reference taken; only the writer replaces it). */
  ReadState current() {
    return cell.peek();
  }

  long newFileNumber() {
    return nextFileNumber.getAndIncrement();
  }

  /** The counter new SSTs take their numbers from. */
  AtomicLong fileNumbers() {
    return nextFileNumber;
  }

  /** Appends {@code record} to the manifest (synced) and folds it into the state in memory. */
  void logAndApply(ManifestRecord record) throws IOException {
    manifestLog.append(record);
    manifest.apply(record);
  }

  /**
   * Installs a finished flush: the manifest records it, then the new state is published. If the
   * record cannot be appended the store fails and the SST is let go.
   */
  void installFlush(List<Memtable> flushed, SstFile file) {
    long lastSequence = 0;
    List<Long> wals = new ArrayList<>(flushed.size());
    for (Memtable m : flushed) {
      lastSequence = Math.max(lastSequence, m.maxSequence());
      wals.add(m.id());
    }
    try {
      logAndApply(flushed.size() == 1
          ? new ManifestRecord.FlushCompleted(wals.get(0), file.meta(0), lastSequence)
          : new ManifestRecord.MergedFlushCompleted(wals, file.meta(0), lastSequence));
    } catch (IOException e) {
      errors.fail(e);
      // The record may have reached the manifest even though its sync failed, so the SST stays:
      // recovery keeps it if the record is there and deletes it as an orphan if not.
      releaser.accept(file);
      throw new StrataException("recording the flush of " + flushed + " in the manifest failed: " + e.getMessage(), e);
    }
    cell.publish(cell.peek().withFlush(flushed, file));
    log.debug("flushed {} into {}", flushed, file);
  }

  /**
   * Plans the compaction the strategy wants now, or with {@code full} a compaction of every SST
   * into one sorted run at the bottom level; when the strategy wants nothing and
   * {@code readTriggered} names a file lookups asked to compact, that file. Null when there is
   * nothing to do. The task is picked from the manifest's shape, which always matches the
   * published read state: both change together, here.
   */
  CompactionPlan planCompaction(boolean full, long readTriggered) {
    return planCompaction(full, readTriggered, List.of());
  }

  /**
   * As {@link #planCompaction(boolean, long)}, beside the {@code running} compactions (planned
   * here, not yet installed): the strategy's pick that may run beside them, or null. Neither a full
   * nor a read-triggered compaction is planned beside running ones.
   */
  CompactionPlan planCompaction(boolean full, long readTriggered, List<CompactionTask> running) {
    if (!running.isEmpty() && (full || readTriggered >= 0)) {
      throw new IllegalArgumentException("a full or read-triggered compaction runs alone, not beside " + running);
    }
    LevelShape shape = LevelShape.from(manifest);
    CompactionTask task = full ? picker.fullCompaction(shape) : picker.pick(shape, running).orElse(null);
    if (task == null && !full && readTriggered >= 0) {
      task = picker.pickForReads(shape, readTriggered).orElse(null);
    }
    if (task == null || task.isEmpty()) {
      return null;
    }
    ReadState s = cell.acquire();
    Map<Long, SstFile> byNumber = new HashMap<>();
    for (SstFile f : s.l0()) {
      byNumber.put(f.number(), f);
    }
    for (SstFile[] level : s.levels()) {
      for (SstFile f : level) {
        byNumber.put(f.number(), f);
      }
    }
    List<SstFile> inputs = new ArrayList<>();
    List<Integer> levels = new ArrayList<>();
    for (CompactionTask.Input in : task.inputs()) {
      for (FileMeta meta : in.files()) {
        SstFile f = byNumber.get(meta.number());
        if (f == null) {
          s.unref();
          throw new IllegalStateException("compaction " + task + " names SST " + meta.number()
              + ", which the published state does not hold");
        }
        inputs.add(f);
        levels.add(in.level());
      }
    }
    return new CompactionPlan(s, task, inputs, levels, full, !full && task.isTrivialMove(), new AtomicBoolean());
  }

  /**
   * Installs a finished compaction: one manifest record, one new published state; the inputs are
   * marked obsolete, to be deleted once the last reader of them lets go (a moved file is not).
   */
  void installCompaction(CompactionPlan plan, List<SstFile> outputs) {
    List<FileMeta> removed = new ArrayList<>();
    Set<Long> removedNumbers = new HashSet<>();
    for (int i = 0; i < plan.inputs().size(); i++) {
      removed.add(plan.inputs().get(i).meta(plan.inputLevels().get(i)));
      removedNumbers.add(plan.inputs().get(i).number());
    }
    List<FileMeta> added = new ArrayList<>();
    for (SstFile f : outputs) {
      added.add(f.meta(plan.outputLevel()));
    }
    try {
      logAndApply(new ManifestRecord.CompactionCompleted(removed, added));
    } catch (IOException e) {
      errors.fail(e);
      if (!plan.trivialMove()) {
        outputs.forEach(releaser);
      }
      plan.pinned().unref();
      throw new StrataException("recording compaction " + plan.task() + " in the manifest failed: " + e.getMessage(), e);
    }
    if (!plan.trivialMove()) {
      plan.inputs().forEach(SstFile::markObsolete);
    } else {
      outputs.forEach(SstFile::resetSeeks); // a new level, a new allowance (as LevelDB gives an added file)
    }
    cell.publish(cell.peek().withCompaction(removedNumbers, plan.outputLevel(), outputs));
    plan.pinned().unref();
    counters.compactions.incrementAndGet();
    log.debug("compacted {} into {} file(s)", plan.task(), outputs.size());
  }

  /** A planned compaction that will not be installed lets go of its inputs. */
  void abandonCompaction(CompactionPlan plan) {
    plan.pinned().unref();
  }

  /**
   * Replaces a long manifest with a new one that starts from a snapshot (write, sync, switch
   * CURRENT, delete the old one); {@code lastSequence} is the newest committed write.
   */
  void maybeRollManifest(long lastSequence) throws IOException {
    if (manifestLog.size() < manifestRollBytes) {
      return;
    }
    long number = nextFileNumber.getAndIncrement();
    manifest.apply(new ManifestRecord.NextFileNumber(nextFileNumber.get()));
    manifest.setLastSequence(lastSequence);
    ManifestLog next = ManifestLog.create(fs, FileNames.manifest(dir, number), manifest.snapshot(),
        manifest.afterSnapshot());
    ManifestLog old = manifestLog;
    try {
      fs.syncDirectory(dir);
      CurrentFile.write(fs, dir, FileNames.manifestName(number));
    } catch (IOException e) {
      StoreEngine.closeQuietly(next, e);
      throw e;
    }
    manifestLog = next;
    old.close();
    fs.delete(old.path());
    fs.syncDirectory(dir);
    log.debug("rolled the manifest into {}", next.path());
  }

  /**
   * The store's shape now, for a checkpoint into {@code target}: the published state, pinned so
   * that its SSTs outlive any compaction until the checkpoint lets go, and a snapshot of the
   * manifest whose last sequence is at least {@code lastSequence} (the newest write the copied
   * WALs hold); {@code walBytes} gives each live WAL's length to copy. The checkpoint's manifest
   * takes the next file number without drawing it: no file of the store's has that number yet.
   */
  Checkpointer checkpoint(Path target, long lastSequence, java.util.function.LongUnaryOperator walBytes) {
    ManifestRecord.Snapshot now = manifest.snapshot();
    List<Checkpointer.WalCut> cuts = new ArrayList<>();
    for (long wal : now.liveWals()) {
      long bytes = walBytes.applyAsLong(wal);
      if (bytes < 0) {
        throw new IllegalStateException("live WAL " + wal + " is neither the current WAL nor a retired one");
      }
      cuts.add(new Checkpointer.WalCut(wal, bytes));
    }
    long manifestNumber = Math.max(nextFileNumber.get(), now.nextFileNumber());
    ManifestRecord.Snapshot snapshot = new ManifestRecord.Snapshot(manifestNumber + 1,
        Math.max(now.lastSequence(), lastSequence), now.liveWals(), now.files());
    return new Checkpointer(fs, dir, target, cell.acquire(), manifestNumber, snapshot, manifest.afterSnapshot(),
        cuts);
  }

  /**
   * At close: drops the published state (files close once the last open iterator lets go of
   * them), then closes the manifest.
   */
  void close() throws IOException {
    cell.close();
    manifestLog.close();
  }
}
