package dev.strata.cli;

import dev.strata.CorruptionException;
import dev.strata.manifest.FileMeta;
import dev.strata.manifest.ManifestState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code strata dump-manifest DIR|FILE}: every record of a manifest (of a directory, the one its
 * CURRENT names), one per line with its offset, kind and fields, how the log ends, then the state
 * the records fold to. Read-only.
 */
final class DumpManifestCommand {
  private DumpManifestCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    List<String> paths = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        out.print(Usage.DUMP_MANIFEST);
        return Main.EXIT_OK;
      }
      if (arg.startsWith("--")) {
        return Inspect.usageError("dump-manifest", "unknown option " + arg, Usage.DUMP_MANIFEST, err);
      }
      paths.add(arg);
    }
    if (paths.size() != 1) {
      return Inspect.usageError("dump-manifest", "expects exactly one store directory or manifest file, got "
          + paths.size(), Usage.DUMP_MANIFEST, err);
    }
    Path path = Inspect.path(paths.get(0));
    if (path == null || !Files.exists(path)) {
      err.println("strata dump-manifest: no such file or directory: " + paths.get(0));
      return Main.EXIT_FAILURE;
    }
    StoreFiles.Manifest manifest;
    try {
      if (Files.isDirectory(path)) {
        String name = StoreFiles.readCurrent(path);
        out.println("CURRENT names " + name);
        path = path.resolve(name);
      }
      manifest = StoreFiles.readManifest(path);
    } catch (CorruptionException e) {
      err.println("strata dump-manifest: corrupt: " + e.getMessage());
      return Main.EXIT_FAILURE;
    } catch (NoSuchFileException e) {
      err.println("strata dump-manifest: no such file: " + e.getFile());
      return Main.EXIT_FAILURE;
    } catch (IOException e) {
      err.println("strata dump-manifest: cannot read " + path + ": " + e);
      return Main.EXIT_FAILURE;
    }
    out.println("manifest " + manifest.name() + " (" + manifest.ending().fileSize() + " bytes)");
    for (StoreFiles.Entry e : manifest.entries()) {
      out.println("offset " + e.offset() + " " + StoreFiles.describe(e.record()));
    }
    out.println("records " + manifest.entries().size());
    out.println("end: " + manifest.ending().describe());
    if (manifest.foldProblem() != null) {
      out.println("fold stopped: " + manifest.foldProblem());
    }
    printState(manifest.state(), out);
    boolean sound = manifest.ending().kind() != StoreFiles.Ending.Kind.DAMAGE && manifest.foldProblem() == null;
    return sound ? Main.EXIT_OK : Main.EXIT_FAILURE;
  }

  static void printState(ManifestState state, PrintStream out) {
    out.println("state: next file number " + state.nextFileNumber() + ", last sequence " + state.lastSequence());
    for (long wal : state.liveWals()) {
      long end = state.retiredWalEnd(wal);
      long synced = state.walSyncedBytes(wal);
      out.println("  wal " + StoreFiles.walName(wal) + (end < 0 ? " live" : " retired at sequence " + end)
          + (synced < 0 ? "" : ", synced through byte " + synced));
    }
    for (int level = 0; level < state.levelCount(); level++) {
      for (FileMeta f : state.level(level)) {
        out.println("  " + StoreFiles.describe(f));
      }
    }
  }
}
