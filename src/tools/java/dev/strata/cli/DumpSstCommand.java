package dev.strata.cli;

import dev.strata.CorruptionException;
import dev.strata.StrataException;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.sst.TableDump;
import dev.strata.sst.TableReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code strata dump-sst [--no-entries] FILE}: prints one SST through the SST package's
 * {@link TableDump}, which verifies every checksum. The one command that reaches past the public
 * API, since a single table file is an internal thing; it opens no store and needs no
 * ActorSystem.
 */
final class DumpSstCommand {
  private DumpSstCommand() {}

  /** Dumps the file; returns the exit code. */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    boolean withEntries = true;
    List<String> files = new ArrayList<>();
    for (String arg : args) {
      switch (arg) {
        case "--help", "-h" -> {
          out.print(Usage.DUMP_SST);
          return Main.EXIT_OK;
        }
        case "--no-entries" -> withEntries = false;
        default -> {
          if (arg.startsWith("--")) {
            return usageError("unknown option " + arg, err);
          }
          files.add(arg);
        }
      }
    }
    if (files.size() != 1) {
      return usageError("expects exactly one SST file, got " + files.size(), err);
    }
    Path path;
    try {
      path = Path.of(files.get(0));
    } catch (InvalidPathException e) {
      return usageError("'" + files.get(0) + "' is not a valid path: " + e.getReason(), err);
    }
    if (Files.isDirectory(path)) {
      err.println("strata dump-sst: " + path + " is a directory, not an SST file");
      return Main.EXIT_FAILURE;
    }
    return dump(path, withEntries, out, err);
  }

  private static int dump(Path path, boolean withEntries, PrintStream out, PrintStream err) {
    String name = path.getFileName().toString();
    try {
      ReadableFile file = DiskFileSystem.INSTANCE.openReadable(path);
      try (TableReader reader = TableReader.open(file, fileNumber(name), name, null)) {
        TableDump.dump(reader, out, withEntries);
      }
      return Main.EXIT_OK;
    } catch (CorruptionException e) {
      out.flush();
      err.println("strata dump-sst: corrupt: " + e.getMessage());
      return Main.EXIT_FAILURE;
    } catch (NoSuchFileException e) {
      err.println("strata dump-sst: no such file: " + path);
      return Main.EXIT_FAILURE;
    } catch (IOException | UncheckedIOException | StrataException e) {
      out.flush();
      err.println("strata dump-sst: cannot read " + path + ": " + e);
      return Main.EXIT_FAILURE;
    }
  }

  /** The number in a name such as {@code 000042.sst}; 0 when the name does not start with digits. */
  static long fileNumber(String fileName) {
    int end = 0;
    while (end < fileName.length() && end < 18 && Character.isDigit(fileName.charAt(end))) {
      end++;
    }
    return end == 0 ? 0 : Long.parseLong(fileName.substring(0, end));
  }

  private static int usageError(String message, PrintStream err) {
    err.println("strata dump-sst: " + message);
    err.println();
    err.print(Usage.DUMP_SST);
    return Main.EXIT_USAGE;
  }
}
