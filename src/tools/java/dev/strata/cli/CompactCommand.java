package dev.strata.cli;

import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.StrataStats;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code strata compact DIR}: opens the store in DIR (recovering it as any open does, never
 * creating one), flushes what recovery left in memtables, compacts every SST into one sorted run
 * at the bottom level ({@link Strata#compact()}), prints the tree's shape before and after and
 * the bytes written, and closes it. Exit code 0 when the compaction is installed, 1 when the
 * store cannot be opened or the compaction fails, 2 for bad usage. Stateless.
 */
final class CompactCommand {
  private CompactCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    List<String> paths = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        out.print(Usage.COMPACT);
        return Main.EXIT_OK;
      }
      if (arg.startsWith("--")) {
        return Inspect.usageError("compact", "unknown option " + arg, Usage.COMPACT, err);
      }
      paths.add(arg);
    }
    if (paths.size() != 1) {
      return Inspect.usageError("compact", "expects exactly one store directory, got " + paths.size(),
          Usage.COMPACT, err);
    }
    Path dir = Inspect.path(paths.get(0));
    if (dir == null || !Files.isDirectory(dir)) {
      err.println("strata compact: " + paths.get(0) + " is not a directory");
      return Main.EXIT_FAILURE;
    }
    StrataOptions options = StrataOptions.defaults().toBuilder().createIfMissing(false).build();
    long started = System.nanoTime();
    try (Strata db = Strata.open(dir, options)) {
      StrataStats before = db.stats();
      out.println("before:");
      printShape(before, out);
      // compact() merges SSTs only: what recovery replayed from the WALs is flushed first, so
      // that it is part of the one sorted run too.
      db.flush();
      db.compact();
      StrataStats after = db.stats();
      out.println("after:");
      printShape(after, out);
      out.println("written: flush " + (after.flushBytesWritten() - before.flushBytesWritten()) + " B, compaction "
          + (after.compactionBytesWritten() - before.compactionBytesWritten()) + " B; "
          + (after.compactions() - before.compactions()) + " compaction(s) in "
          + (System.nanoTime() - started) / 1_000_000 + " ms");
    } catch (StrataException | IllegalArgumentException | IllegalStateException e) {
      err.println("strata compact: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    return Main.EXIT_OK;
  }

  /** One line per non-empty level (L0 always), then the memtables and the total. */
  private static void printShape(StrataStats s, PrintStream out) {
    int files = 0;
    long bytes = 0;
    for (int level = 0; level < s.levelFileCounts().length; level++) {
      int count = s.levelFileCounts()[level];
      long size = s.levelBytes()[level];
      files += count;
      bytes += size;
      if (level == 0 || count > 0) {
        out.println("  L" + level + ": " + count + " files, " + size + " B");
      }
    }
    out.println("  memtables: " + s.memtableBytes() + " B mutable, " + s.immutableMemtables() + " frozen ("
        + s.immutableMemtableBytes() + " B)");
    out.println("  total: " + files + " files, " + bytes + " B");
  }
}
