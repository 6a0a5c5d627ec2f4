package dev.strata.cli;

import dev.strata.CorruptionException;
import dev.strata.engine.FileNames;
import dev.strata.engine.OptionsFile;
import dev.strata.fs.DiskFileSystem;
import dev.strata.manifest.FileMeta;
import dev.strata.manifest.ManifestRecord;
import dev.strata.manifest.ManifestState;
import dev.strata.sst.TableProperties;
import dev.strata.sst.TableReader;
import dev.strata.sst.TableVerifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code strata check DIR}: verifies a store's files without opening the store. CURRENT; every
 * record of the manifest it names; every SST the manifest lists (block checksums, key order,
 * properties against contents and against the manifest, file size); every live WAL (record
 * checksums and payloads, against the sync point the manifest records); and that the directory
 * holds what the manifest lists. Read-only: files are opened for reading only, the LOCK is not
 * taken, nothing is created, deleted or recovered, so it may run beside an open store (whose
 * newest files it may then see mid-write).
 *
 * <p>A <em>problem</em> is damage or disagreement that loses or misreports data; a <em>note</em>
 * is something a person may want to know that the store copes with by itself (a torn WAL tail, an
 * orphan file, a WAL kept in lost/). Exit code 1 when there is any problem. Not thread-safe: one
 * instance checks one directory once.
 */
final class CheckCommand {
  private final Path dir;
  private final PrintStream out;
  private final List<String> problems = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  /** For each SST, the manifest record that put it where it is: "the record at offset N of MANIFEST-x". */
  private final Map<Long, String> addedBy = new HashMap<>();
  /** The manifest CURRENT names, once read. */
  private String currentManifest;
  private int files;
  private long bytes;
  private long entries;
  private long walRecords;

  private CheckCommand(Path dir, PrintStream out) {
    this.dir = dir;
    this.out = out;
  }

  static int run(List<String> args, PrintStream out, PrintStream err) {
    List<String> dirs = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        out.print(Usage.CHECK);
        return Main.EXIT_OK;
      }
      if (arg.startsWith("--")) {
        return Inspect.usageError("check", "unknown option " + arg, Usage.CHECK, err);
      }
      dirs.add(arg);
    }
    if (dirs.size() != 1) {
      return Inspect.usageError("check", "expects exactly one store directory, got " + dirs.size(), Usage.CHECK, err);
    }
    Path dir = Inspect.path(dirs.get(0));
    if (dir == null || !Files.isDirectory(dir)) {
      err.println("strata check: " + dirs.get(0) + " is not a directory");
      return Main.EXIT_FAILURE;
    }
    CheckCommand check = new CheckCommand(dir, out);
    try {
      check.checkAll();
    } catch (IOException e) {
      err.println("strata check: cannot read " + dir + ": " + e);
      return Main.EXIT_FAILURE;
    }
    return check.problems.isEmpty() ? Main.EXIT_OK : Main.EXIT_FAILURE;
  }

  private void checkAll() throws IOException {
    out.println("checking " + dir);
    Optional<ManifestState> state = checkCurrentAndManifest();
    Set<Long> listedSsts = new HashSet<>();
    Set<Long> liveWals = new HashSet<>();
    if (state.isPresent()) {
      for (FileMeta f : state.get().allFiles()) {
        listedSsts.add(f.number());
        checkSst(f);
      }
      for (long wal : state.get().liveWals()) {
        liveWals.add(wal);
        checkWal(wal, state.get().walSyncedBytes(wal));
      }
    } else {
      note("SSTs and WALs not checked: without a readable manifest nothing says which are live");
    }
    checkDirectory(state.isPresent(), listedSsts, liveWals);
    out.println("checked " + files + " files, " + bytes + " bytes: " + entries + " SST entries, " + walRecords
        + " WAL records; " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + ", " + notes.size()
        + " note" + (notes.size() == 1 ? "" : "s"));
    out.println(problems.isEmpty() ? "verdict: sound" : "verdict: DAMAGED");
  }

  private Optional<ManifestState> checkCurrentAndManifest() throws IOException {
    Path current = dir.resolve(FileNames.CURRENT);
    if (!Files.isRegularFile(current)) {
      problem("CURRENT: missing: " + dir + " is not a Strata store, or lost the file that names its manifest");
      return Optional.empty();
    }
    count(current);
    try {
      currentManifest = StoreFiles.readCurrent(dir);
    } catch (CorruptionException e) {
      problem(e.getMessage());
      return Optional.empty();
    }
    Path manifestPath = dir.resolve(currentManifest);
    if (!Files.isRegularFile(manifestPath)) {
      problem("CURRENT at offset " + ("strata-current 1 ".length()) + ": names " + currentManifest + ", which is missing");
      return Optional.empty();
    }
    count(manifestPath);
    StoreFiles.Manifest manifest = StoreFiles.readManifest(manifestPath);
    switch (manifest.ending().kind()) {
      case DAMAGE -> problem(manifest.ending().problem());
      case TORN -> note(currentManifest + ": " + manifest.ending().describe() + "; recovery drops it");
      case CLEAN -> { }
    }
    if (manifest.foldProblem() != null) {
      problem(manifest.foldProblem());
    }
    if (manifest.entries().isEmpty()) {
      problem(currentManifest + " at offset 0: holds no record (a manifest starts with a Snapshot)");
      return Optional.empty();
    }
    for (StoreFiles.Entry e : manifest.entries()) {
      String where = "the record at offset " + e.offset() + " of " + currentManifest;
      ManifestRecord r = e.record();
      List<FileMeta> added = r instanceof ManifestRecord.Snapshot s ? s.files()
          : r instanceof ManifestRecord.FlushCompleted f ? List.of(f.file())
          : r instanceof ManifestRecord.MergedFlushCompleted f ? List.of(f.file())
          : r instanceof ManifestRecord.CompactionCompleted c ? c.added() : List.of();
      added.forEach(f -> addedBy.put(f.number(), where));
    }
    return Optional.of(manifest.state());
  }

  private void checkSst(FileMeta f) throws IOException {
    String name = StoreFiles.sstName(f.number());
    String record = addedBy.getOrDefault(f.number(), currentManifest);
    Path path = dir.resolve(name);
    if (!Files.isRegularFile(path)) {
      problem(name + ": listed in L" + f.level() + " by " + record + " but missing");
      return;
    }
    long size = count(path);
    if (size != f.size()) {
      problem(name + " at offset " + Math.min(size, f.size()) + ": " + record + " records " + f.size()
          + " bytes, the file has " + size);
    }
    TableVerifier.Result result;
    TableProperties p;
    try (TableReader reader = TableReader.open(DiskFileSystem.INSTANCE.openReadable(path), f.number(), name, null)) {
      p = reader.properties();
      result = TableVerifier.verify(reader);
    } catch (CorruptionException e) {
      String message = e.getMessage();
      problem(message.contains("offset") ? message : message + " (the footer, at offset " + Math.max(0, size - 64) + ")");
      return;
    }
    result.problems().forEach(this::problem);
    entries += result.entries();
    if (!result.sound()) {
      return;
    }
    String properties = name + ": its properties";
    if (!Arrays.equals(f.smallestKey(), p.smallestUserKey()) || !Arrays.equals(f.largestKey(), p.largestUserKey())) {
      problem(properties + " give keys " + Printable.of(p.smallestUserKey()) + ".." + Printable.of(p.largestUserKey())
          + ", " + record + " records " + Printable.of(f.smallestKey()) + ".." + Printable.of(f.largestKey()));
    }
    if (f.minSequence() != p.minSequence() || f.maxSequence() != p.maxSequence()) {
      problem(properties + " give sequences " + p.minSequence() + ".." + p.maxSequence() + ", " + record
          + " records " + f.minSequence() + ".." + f.maxSequence());
    }
  }

  private void checkWal(long wal, long synced) throws IOException {
    String name = StoreFiles.walName(wal);
    Path path = dir.resolve(name);
    if (!Files.isRegularFile(path)) {
      problem(name + ": listed as live in " + currentManifest + " but missing (its unflushed writes are lost)");
      return;
    }
    count(path);
    WalScan.Result scan = WalScan.scan(path);
    walRecords += scan.records().size();
    String syncPoint = synced < 0 ? "no sync point is recorded" : currentManifest + " records it synced through byte "
        + synced;
    for (WalScan.Damage d : scan.damage()) {
      if (synced >= 0 && d.offset() < synced) {
        problem(d.problem() + " [before the sync point: " + syncPoint + "; synced writes are lost]");
      } else {
        problem(d.problem() + " [past the sync point (" + syncPoint + "): unsynced writes, which recovery drops "
            + "or stops at by its WalRecoveryMode]");
      }
    }
    if (!scan.damage().isEmpty()) {
      return;
    }
    StoreFiles.Ending ending = scan.ending();
    if (synced >= 0 && ending.offset() < synced) {
      problem(name + " at offset " + ending.offset() + ": the log ends (" + ending.describe() + ") before its sync "
          + "point: " + syncPoint + "; synced writes are lost");
    } else if (ending.kind() == StoreFiles.Ending.Kind.TORN) {
      note(name + ": " + ending.describe() + "; recovery drops it");
    }
  }

  private void checkDirectory(boolean haveManifest, Set<Long> listedSsts, Set<Long> liveWals) throws IOException {
    List<Path> entriesInDir;
    try (Stream<Path> list = Files.list(dir)) {
      entriesInDir = list.sorted().toList();
    }
    for (Path p : entriesInDir) {
      String name = p.getFileName().toString();
      if (name.equals(FileNames.LOST_DIR) && Files.isDirectory(p)) {
        try (Stream<Path> lost = Files.list(p)) {
          for (Path l : lost.sorted().toList()) {
            if (Files.isDirectory(l)) {
              try (Stream<Path> set = Files.list(l)) {
                note(FileNames.LOST_DIR + "/" + l.getFileName() + "/: " + set.count() + " files a repair set aside "
                    + "(strata repair); Strata neither reads nor deletes them");
              }
              continue;
            }
            note(FileNames.LOST_DIR + "/" + l.getFileName() + ": kept by a recovery that could not replay it whole ("
                + Files.size(l) + " bytes); Strata neither reads nor deletes it");
          }
        }
        continue;
      }
      Optional<FileNames.Parsed> parsed = FileNames.parse(name);
      if (parsed.isEmpty()) {
        note(name + ": not a name Strata writes");
        continue;
      }
      long number = parsed.get().number();
      switch (parsed.get().kind()) {
        case SST -> {
          if (haveManifest && !listedSsts.contains(number)) {
            note(name + ": orphan, not listed in " + currentManifest + " (" + Files.size(p)
                + " bytes; the store deletes it when it next opens)");
          }
        }
        case WAL -> {
          if (haveManifest && !liveWals.contains(number)) {
            note(name + ": orphan, not a live WAL in " + currentManifest + " (" + Files.size(p) + " bytes)");
          }
        }
        case MANIFEST -> {
          if (currentManifest != null && !name.equals(currentManifest)) {
            note(name + ": an older manifest, not the one CURRENT names");
          }
        }
        case TEMP -> note(name + ": a temporary file, left by a write that did not finish");
        case OPTIONS -> {
          try {
            OptionsFile.readFile(p);
          } catch (CorruptionException e) {
            problem(e.getMessage());
          }
        }
        case CURRENT, LOCK -> { }
      }
    }
  }

  private long count(Path path) throws IOException {
    long size = Files.size(path);
    files++;
    bytes += size;
    return size;
  }

  private void problem(String message) {
    problems.add(message);
    out.println("problem: " + message);
  }

  private void note(String message) {
    notes.add(message);
    out.println("note: " + message);
  }
}
