package dev.strata.cli;

import dev.strata.CompactionOptions;
import dev.strata.CorruptionException;
import dev.strata.compaction.LevelShape;
import dev.strata.compaction.LevelTargets;
import dev.strata.manifest.FileMeta;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code strata lsm [options] DIR}: the shape of the tree as the manifest records it (per level,
 * files, sizes, key and sequence ranges, overlaps) and the pending compaction debt, by the leveled
 * picker's dynamic level targets ({@link LevelTargets}). Read-only: reads CURRENT and the manifest,
 * not the SSTs.
 */
final class LsmCommand {
  private LsmCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    CompactionOptions defaults = CompactionOptions.leveled();
    int maxLevels = defaults.maxLevels();
    int multiplier = defaults.levelSizeMultiplier();
    long baseLevelBytes = defaults.baseLevelBytes();
    int trigger = defaults.level0FileTrigger();
    List<String> dirs = new ArrayList<>();
    try {
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        if (arg.equals("--help") || arg.equals("-h")) {
          out.print(Usage.LSM);
          return Main.EXIT_OK;
        }
        if (!arg.startsWith("--")) {
          dirs.add(arg);
          continue;
        }
        int eq = arg.indexOf('=');
        String option = eq < 0 ? arg : arg.substring(0, eq);
        switch (option) {
          case "--max-levels" -> maxLevels = ArgParsing.parseInt(option, ArgParsing.optionValue(args, i, option, eq), 1, 64);
          case "--level-size-multiplier" ->
              multiplier = ArgParsing.parseInt(option, ArgParsing.optionValue(args, i, option, eq), 2, 1000);
          case "--base-level-bytes" -> baseLevelBytes =
              ArgParsing.parseBytes(option, ArgParsing.optionValue(args, i, option, eq), 1, Long.MAX_VALUE / 1024);
          case "--level0-file-trigger" ->
              trigger = ArgParsing.parseInt(option, ArgParsing.optionValue(args, i, option, eq), 1, 1000);
          default -> throw new UsageException("unknown option " + arg);
        }
        if (eq < 0) {
          i++;
        }
      }
      if (dirs.size() != 1) {
        throw new UsageException("expects exactly one store directory, got " + dirs.size());
      }
    } catch (UsageException e) {
      return Inspect.usageError("lsm", e.getMessage(), Usage.LSM, err);
    }
    CompactionOptions options;
    try {
      options = CompactionOptions.leveled().maxLevels(maxLevels).levelSizeMultiplier(multiplier)
          .baseLevelBytes(baseLevelBytes).level0FileTrigger(trigger);
    } catch (IllegalArgumentException e) {
      return Inspect.usageError("lsm", e.getMessage(), Usage.LSM, err);
    }
    Path dir = Inspect.path(dirs.get(0));
    if (dir == null || !Files.isDirectory(dir)) {
      err.println("strata lsm: " + dirs.get(0) + " is not a directory");
      return Main.EXIT_FAILURE;
    }
    StoreFiles.Manifest manifest;
    try {
      manifest = StoreFiles.readManifest(dir.resolve(StoreFiles.readCurrent(dir)));
    } catch (CorruptionException e) {
      err.println("strata lsm: corrupt: " + e.getMessage());
      return Main.EXIT_FAILURE;
    } catch (NoSuchFileException e) {
      err.println("strata lsm: no such file: " + e.getFile() + " (is " + dir + " a Strata store?)");
      return Main.EXIT_FAILURE;
    } catch (IOException e) {
      err.println("strata lsm: cannot read " + dir + ": " + e);
      return Main.EXIT_FAILURE;
    }
    if (manifest.ending().kind() == StoreFiles.Ending.Kind.DAMAGE || manifest.foldProblem() != null) {
      err.println("strata lsm: corrupt manifest: " + (manifest.foldProblem() != null ? manifest.foldProblem()
          : manifest.ending().describe()) + " (strata check " + dir + " says more)");
      return Main.EXIT_FAILURE;
    }
    print(manifest, LevelShape.from(manifest.state()), options, out);
    return Main.EXIT_OK;
  }

  private static void print(StoreFiles.Manifest manifest, LevelShape shape, CompactionOptions options, PrintStream out) {
    out.println("manifest " + manifest.name() + ": next file number " + manifest.state().nextFileNumber()
        + ", last sequence " + manifest.state().lastSequence() + ", live WALs "
        + manifest.state().liveWals().stream().map(StoreFiles::walName).toList());
    long[] target = LevelTargets.of(shape, options);
    int base = LevelTargets.baseLevel(target);
    int maxLevels = options.maxLevels();
    int levels = Math.max(maxLevels + 1, shape.levelCount());
    long debt = 0;
    for (int level = 0; level < levels; level++) {
      List<FileMeta> files = shape.level(level);
      long bytes = shape.bytes(level);
      long levelDebt;
      String targetText;
      if (level == 0) {
        // L0 is compacted by file count: all of it is debt once the trigger is reached.
        levelDebt = files.size() >= options.level0FileTrigger() ? bytes : 0;
        targetText = "trigger " + options.level0FileTrigger() + " files";
      } else if (level < maxLevels) {
        levelDebt = Math.max(0, bytes - target[level]);
        targetText = "target " + target[level] + " B";
      } else if (level == maxLevels) {
        levelDebt = 0;
        targetText = "target " + target[level] + " B (last level)";
      } else {
        levelDebt = bytes; // below the last level the strategy knows: a full compaction would move it
        targetText = "past max-levels " + maxLevels;
      }
      debt += levelDebt;
      out.println("L" + level + ": " + files.size() + " files, " + bytes + " B, " + targetText + ", debt " + levelDebt
          + " B" + (level == base ? " (base level)" : "") + ", " + overlaps(level, files));
      for (FileMeta f : files) {
        out.println("  " + StoreFiles.sstName(f.number()) + " " + f.size() + " B keys " + Printable.of(f.smallestKey())
            + ".." + Printable.of(f.largestKey()) + " seq " + f.minSequence() + ".." + f.maxSequence()
            // Bottommost compactions write the versions every reader sees with sequence 0
            // (file-formats.md), so 0..0 is a file of settled data, not a missing range.
            + (f.maxSequence() == 0 ? " (settled: sequence 0)" : ""));
      }
    }
    int fileCount = 0;
    for (int level = 0; level < shape.levelCount(); level++) {
      fileCount += shape.fileCount(level);
    }
    out.println("total: " + fileCount + " files, " + shape.totalBytes() + " B; compaction debt " + debt
        + " B (leveled targets: multiplier " + options.levelSizeMultiplier() + ", base level bytes "
        + options.baseLevelBytes() + ", max levels " + maxLevels + ")");
  }

  /** Which files of a level overlap another file of it: by design in L0, a problem below. */
  private static String overlaps(int level, List<FileMeta> files) {
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      for (int j = i + 1; j < files.size(); j++) {
        FileMeta a = files.get(i);
        FileMeta b = files.get(j);
        if (Arrays.compareUnsigned(a.smallestKey(), b.largestKey()) <= 0
            && Arrays.compareUnsigned(b.smallestKey(), a.largestKey()) <= 0) {
          pairs.add(StoreFiles.sstName(a.number()) + "/" + StoreFiles.sstName(b.number()));
        }
      }
    }
    if (pairs.isEmpty()) {
      return "no overlap";
    }
    return (level == 0 ? "overlapping (by design in L0): " : "OVERLAPPING: ") + String.join(" ", pairs);
  }
}
