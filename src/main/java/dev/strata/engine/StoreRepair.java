package dev.strata.engine;

import dev.strata.CorruptionException;
import dev.strata.RepairReport;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FileLock;
import dev.strata.fs.FileSystem;
import dev.strata.manifest.FileMeta;
import dev.strata.manifest.ManifestLog;
import dev.strata.manifest.ManifestRecord;
import dev.strata.manifest.ManifestState;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.SstFile;
import dev.strata.sst.TableReader;
import dev.strata.sst.TableSalvage;
import dev.strata.sst.TableVerifier;
import dev.strata.wal.WalReplay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a store that will not open, or opens with damage, as LevelDB's {@code RepairDB} does:
 * <ol>
 *   <li>take the directory's LOCK (a store open elsewhere is refused);
 *   <li>find the manifest (the one CURRENT names, else the newest present) and fold it; when it
 *       reads whole (a torn last record is dropped, as at open) it says which SSTs and WALs are
 *       live and where each SST sits, else every SST and WAL in the directory is taken;
 *   <li>verify every SST taken, every block's checksum ({@link TableVerifier}): a whole one is kept
 *       as it is, at its level; a damaged one has the entries of its sound blocks written into a
 *       new SST at the same level ({@link TableSalvage}), and goes to {@code lost/};
 *   <li>replay every WAL taken, skipping damaged records (SKIP_ANY_CORRUPTED_RECORDS), each into
 *       a new level-0 SST;
 *   <li>rewrite level-0 tables whose key and sequence ranges overlap as one ({@link OverlapGroups}),
 *       so that a point read still meets the newest version of a key first;
 *   <li>write a fresh manifest (a snapshot: every table, no live WAL, the next file number and last
 *       sequence beyond every one seen), set aside every file it does not use ({@link LostFiles}),
 *       point CURRENT at the new manifest, and only then remove the originals set aside.
 * </ol>
 * Nothing is deleted: replayed WALs, damaged SSTs, SSTs and WALs the manifest does not name
 * (orphans), old manifests, temporary files and an unreadable OPTIONS file all go to
 * {@code lost/repair-N}. A whole OPTIONS file is kept; its block size and bloom bits shape the
 * tables written. Not thread-safe: one call repairs one directory, holding its lock throughout.
 */
public final class StoreRepair {
  private static final Logger log = LoggerFactory.getLogger(StoreRepair.class);

  /** One table of the repaired store: its metadata (at level 0 until placed), its level (-1: level 0, to be grouped). */
  private record Table(FileMeta meta, int level, boolean createdHere) {}

  private final Path dir;
  private final FileSystem fs;
  private final List<String> notes = new ArrayList<>();
  private final List<String> kept = new ArrayList<>();
  private final List<RepairReport.SalvagedTable> salvaged = new ArrayList<>();
  private final List<RepairReport.ReplayedWal> replayed = new ArrayList<>();
  private final List<RepairReport.MergedTables> merged = new ArrayList<>();
  private final List<Table> tables = new ArrayList<>();
  private StrataOptions options = StrataOptions.defaults();
  private long lastSequence;

  private StoreRepair(Path dir, FileSystem fs) {
    this.dir = dir;
    this.fs = fs;
  }

  /**
   * Repairs the store in {@code dir} (see the class comment) and says what it did.
   *
   * @throws StrataException when {@code dir} is not a store directory, another process or
   *     {@code Strata} holds it, or reading or writing fails; the store is then as it was, bar
   *     new files a later open deletes and links in {@code lost/}
   */
  public static RepairReport repair(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new StrataException("cannot repair " + dir + ": it is not a directory");
    }
    return repair(dir, DiskFileSystem.INSTANCE);
  }

  /** {@link #repair(Path)} on another file system: for tests, with the in-memory one that simulates power loss. */
  public static RepairReport repair(Path dir, FileSystem fs) {
    FileLock lock;
    try {
      lock = fs.lock(dir.resolve(FileNames.LOCK));
    } catch (IOException e) {
      throw new StrataException("cannot repair " + dir + ": " + e.getMessage()
          + "; close the store before repairing it", e);
    }
    try (lock) {
      return new StoreRepair(dir, fs).run();
    } catch (IOException e) {
      throw new StrataException("repair of " + dir + " failed: " + e.getMessage(), e);
    }
  }

  private RepairReport run() throws IOException {
    TreeMap<Long, String> ssts = new TreeMap<>();
    TreeMap<Long, String> wals = new TreeMap<>();
    TreeMap<Long, String> manifests = new TreeMap<>();
    List<String> others = new ArrayList<>(); // temporary files and OPTIONS files, for lost/ or to keep
    long maxNumber = 0;
    for (String name : fs.list(dir)) {
      Optional<FileNames.Parsed> parsed = FileNames.parse(name);
      if (parsed.isEmpty()) {
        continue;
      }
      long number = parsed.get().number();
      switch (parsed.get().kind()) {
        case SST -> ssts.put(number, name);
        case WAL -> wals.put(number, name);
        case MANIFEST -> manifests.put(number, name);
        case TEMP -> others.add(name);
        default -> { }
      }
      if (parsed.get().kind() != FileNames.Kind.OPTIONS) {
        maxNumber = Math.max(maxNumber, number);
      }
    }
    if (ssts.isEmpty() && wals.isEmpty() && manifests.isEmpty() && !fs.exists(dir.resolve(FileNames.CURRENT))) {
      throw new StrataException("cannot repair " + dir + ": it holds no Strata store (no CURRENT, manifest, SST "
          + "or WAL file)");
    }
    readOptions(others);
    ManifestState manifest = RepairManifest.find(fs, dir, manifests, notes).orElse(null);
    AtomicLong fileNumbers = new AtomicLong(Math.max(maxNumber + 1, manifest == null ? 0 : manifest.nextFileNumber()));
    long repairNumber = fileNumbers.getAndIncrement(); // the new manifest's, and lost/repair-N's
    LostFiles lost = new LostFiles(fs, dir, repairNumber);
    SstWriter writer = new SstWriter(dir, fs, null, options, fileNumbers, StoreRepair::closeQuietly);
    if (manifest != null) {
      lastSequence = manifest.lastSequence();
    }

    Map<Long, Integer> levels = new HashMap<>();
    if (manifest != null) {
      for (FileMeta f : manifest.allFiles()) {
        levels.put(f.number(), f.level());
        if (!ssts.containsKey(f.number())) {
          notes.add(FileNames.sst(Path.of(""), f.number()) + " is listed in L" + f.level()
              + " by the manifest but missing: its data is lost");
        }
      }
    }
    for (Map.Entry<Long, String> sst : ssts.entrySet()) {
      Integer level = levels.get(sst.getKey());
      if (manifest != null && level == null) {
        notes.add(sst.getValue() + ": an orphan the manifest does not list (a leftover its next open would delete)");
        lost.keep(sst.getValue());
        continue;
      }
      repairTable(sst.getKey(), sst.getValue(), level == null ? -1 : level, writer, lost);
    }

    List<Long> replay = new ArrayList<>();
    if (manifest != null) {
      for (long wal : manifest.liveWals()) {
        if (wals.containsKey(wal)) {
          replay.add(wal);
        } else {
          notes.add(FileNames.wal(Path.of(""), wal).getFileName() + " is a live WAL in the manifest but missing: "
              + "its writes are lost");
        }
      }
      for (Map.Entry<Long, String> wal : wals.entrySet()) {
        if (!replay.contains(wal.getKey())) {
          notes.add(wal.getValue() + ": not a live WAL in the manifest (its writes are in SSTs); not replayed");
          lost.keep(wal.getValue());
        }
      }
    } else {
      replay.addAll(wals.keySet());
    }
    for (long wal : replay) {
      replayWal(wal, wals.get(wal), writer, lost);
    }

    List<FileMeta> files = place(writer, lost);
    for (String name : manifests.values()) {
      lost.keep(name);
    }
    for (String name : others) {
      lost.keep(name);
    }
    long nextFileNumber = fileNumbers.get();
    String manifestName = commit(files, repairNumber, nextFileNumber, lost);
    RepairReport report = new RepairReport(dir, manifestName,
        manifest == null ? "all in level 0 (no readable manifest)" : "as the manifest had them", lastSequence,
        kept, salvaged, replayed, merged, lost.names(), lost.directory(), notes);
    log.info("{}", report);
    return report;
  }

  private void readOptions(List<String> lostNames) throws IOException {
    try {
      OptionsFile.read(fs, dir).ifPresent(o -> options = o);
    } catch (CorruptionException e) {
      notes.add("the OPTIONS file is unreadable (" + e.getMessage() + "); tables are written with the default "
          + "options, and the next open writes a new OPTIONS file");
      for (String name : fs.list(dir)) {
        if (FileNames.parse(name).map(p -> p.kind() == FileNames.Kind.OPTIONS).orElse(false)) {
          lostNames.add(name);
        }
      }
    }
  }

  /** Keeps a whole SST, or salvages a damaged one into a new SST and sets the original aside. */
  private void repairTable(long number, String name, int level, SstWriter writer, LostFiles lost)
      throws IOException {
    TableReader reader;
    try {
      reader = TableReader.open(fs.openReadable(dir.resolve(name)), number, name, null);
    } catch (CorruptionException e) {
      salvaged.add(new RepairReport.SalvagedTable(name, null, 0, -1, e.getMessage()));
      lost.keep(name);
      return;
    }
    try (reader) {
      TableVerifier.Result verified = TableVerifier.verify(reader);
      if (verified.sound()) {
        if (verified.entries() == 0) {
          notes.add(name + ": holds no entry; not used");
          lost.keep(name);
          return;
        }
        FileMeta meta = new FileMeta(0, number, reader.properties().fileSize(), reader.properties().smallestUserKey(),
            reader.properties().largestUserKey(), reader.properties().minSequence(), reader.properties().maxSequence());
        tables.add(new Table(meta, level, false));
        lastSequence = Math.max(lastSequence, meta.maxSequence());
        kept.add(name);
        return;
      }
      SstWriter.Output out = writer.start(Math.max(0, level)); // compressed as its level is (-1: bound for L0)
      TableSalvage.Result result;
      try {
        result = TableSalvage.salvage(reader, out.builder()::add);
      } catch (IOException | RuntimeException e) {
        out.abandon(e);
        throw e;
      }
      String problem = verified.problems().get(0) + (verified.problems().size() > 1
          ? " and " + (verified.problems().size() - 1) + " more" : "");
      String replacement = null;
      if (result.entries() > 0) {
        Table t = install(out, level);
        replacement = FileNames.sst(Path.of(""), t.meta().number()).toString();
      } else {
        out.abandon(new CorruptionException(name + ": nothing readable"));
      }
      salvaged.add(new RepairReport.SalvagedTable(name, replacement, result.entries(), result.blocksDropped(), problem));
      lost.keep(name);
    }
  }

  /** Replays one WAL, skipping damage, into a new level-0 SST, and sets the WAL aside. */
  private void replayWal(long number, String name, SstWriter writer, LostFiles lost) throws IOException {
    Memtable memtable = new Memtable(number, options.memtableSizeBytes());
    WalReplay.Result r = WalReplay.replay(fs, dir.resolve(name), true, memtable::add);
    long dropped = 0;
    for (WalReplay.Damage d : r.damage()) {
      dropped += Math.max(0, (d.resumedAt() < 0 ? r.dataEnd() : d.resumedAt()) - d.offset());
    }
    if (r.tornTail()) {
      dropped += Math.max(0, r.dataEnd() - r.replayedEnd());
    }
    String table = null;
    if (!memtable.isEmpty()) {
      SstFile f = new FlushJob(writer).run(memtable, new AtomicLong());
      Table t = new Table(f.meta(0), -1, true);
      closeQuietly(f);
      tables.add(t);
      table = FileNames.sst(Path.of(""), t.meta().number()).toString();
    }
    lastSequence = Math.max(lastSequence, r.lastSequence());
    replayed.add(new RepairReport.ReplayedWal(name, table, r.records(), dropped));
    lost.keep(name);
  }

  /** Finishes a new SST and takes it into the store at {@code level}. */
  private Table install(SstWriter.Output out, int level) throws IOException {
    SstFile f = out.finish(new AtomicLong());
    Table t = new Table(f.meta(0), level, true);
    closeQuietly(f);
    tables.add(t);
    lastSequence = Math.max(lastSequence, t.meta().maxSequence());
    return t;
  }

  /** Every table at its level: the placed ones where they were, the others in L0, overlaps rewritten. */
  private List<FileMeta> place(SstWriter writer, LostFiles lost) throws IOException {
    List<FileMeta> files = new ArrayList<>();
    List<FileMeta> unplaced = new ArrayList<>();
    Map<Long, Table> byNumber = new HashMap<>();
    for (Table t : tables) {
      byNumber.put(t.meta().number(), t);
      if (t.level() >= 0) {
        files.add(t.meta().atLevel(t.level()));
      } else {
        unplaced.add(t.meta());
      }
    }
    for (List<FileMeta> group : OverlapGroups.of(unplaced)) {
      if (group.size() == 1) {
        files.add(group.get(0));
        continue;
      }
      GroupMerge.Output output = GroupMerge.write(fs, dir, group, writer);
      files.add(output.meta());
      List<String> inputs = new ArrayList<>();
      for (FileMeta input : group) {
        String name = FileNames.sst(Path.of(""), input.number()).toString();
        inputs.add(name);
        if (byNumber.get(input.number()).createdHere()) {
          fs.delete(dir.resolve(name)); // written by this repair, never part of the store
        } else {
          kept.remove(name);
          lost.keep(name);
        }
      }
      merged.add(new RepairReport.MergedTables(inputs, FileNames.sst(Path.of(""), output.meta().number()).toString(),
          output.entries()));
    }
    return files;
  }

  /**
   * Writes the new manifest, sets aside what the store no longer uses, points CURRENT at the new
   * manifest, then removes the originals set aside; returns the manifest's name.
   */
  private String commit(List<FileMeta> files, long manifestNumber, long nextFileNumber, LostFiles lost)
      throws IOException {
    lost.sync();
    ManifestRecord.Snapshot snapshot = new ManifestRecord.Snapshot(nextFileNumber, lastSequence, List.of(), files);
    String name = FileNames.manifestName(manifestNumber);
    ManifestLog.create(fs, dir.resolve(name), snapshot, List.of()).close();
    fs.syncDirectory(dir);
    CurrentFile.write(fs, dir, name);
    lost.deleteOriginals();
    return name;
  }

  static void closeQuietly(SstFile f) {
    try {
      f.reader().close();
    } catch (IOException e) {
      log.warn("closing {} failed: {}", f.reader().fileName(), e.toString());
    }
  }
}
