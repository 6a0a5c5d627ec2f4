package dev.strata.cli;

import dev.strata.CorruptionException;
import dev.strata.StrataException;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.sst.TableDump;
import dev.strata.sst.TableReader;
import dev.strata.sst.TableVerifier;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code strata dump-sst [--no-entries | --verify-only] [--from KEY] [--to KEY] FILE}: prints one
 * SST through the SST package's {@link TableDump}, which verifies every checksum, or with
 * --verify-only only {@link TableVerifier}'s verdict. The one command that reaches past the public
 * API, since a single table file is an internal thing; it opens no store and needs no
 * ActorSystem.
 */
final class DumpSstCommand {
  private DumpSstCommand() {}

  /** Dumps the file; returns the exit code. */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    boolean withEntries = true;
    boolean verifyOnly = false;
    byte[] from = null;
    byte[] to = null;
    List<String> files = new ArrayList<>();
    try {
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
        String option = eq < 0 ? arg : arg.substring(0, eq);
        switch (option) {
          case "--help", "-h" -> {
            out.print(Usage.DUMP_SST);
            return Main.EXIT_OK;
          }
          case "--no-entries" -> withEntries = false;
          case "--verify-only" -> verifyOnly = true;
          case "--from", "--to" -> {
            byte[] key = parseKey(option, ArgParsing.optionValue(args, i, option, eq));
            if (eq < 0) {
              i++;
            }
            if (option.equals("--from")) {
              from = key;
            } else {
              to = key;
            }
          }
          default -> {
            if (arg.startsWith("--")) {
              throw new UsageException("unknown option " + arg);
            }
            files.add(arg);
          }
        }
      }
      if (verifyOnly && (!withEntries || from != null || to != null)) {
        throw new UsageException("--verify-only prints no entries: it takes neither --no-entries nor --from/--to");
      }
    } catch (UsageException e) {
      return usageError(e.getMessage(), err);
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
    return verifyOnly ? verify(path, out, err) : dump(path, withEntries, from, to, out, err);
  }

  /** A key given on the command line: hex after 0x, else its UTF-8 bytes. */
  static byte[] parseKey(String option, String text) throws UsageException {
    if (text.startsWith("0x") || text.startsWith("0X")) {
      try {
        return HexFormat.of().parseHex(text.substring(2));
      } catch (IllegalArgumentException e) {
        throw new UsageException(option + ": '" + text + "' is not hex (an even number of digits 0-9, a-f after 0x)");
      }
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static int verify(Path path, PrintStream out, PrintStream err) {
    String name = path.getFileName().toString();
    try {
      ReadableFile file = DiskFileSystem.INSTANCE.openReadable(path);
      TableVerifier.Result result;
      try (TableReader reader = TableReader.open(file, fileNumber(name), name, null)) {
        result = TableVerifier.verify(reader);
      }
      if (result.sound()) {
        out.println(name + ": ok: " + result.dataBlocks() + " data blocks, " + result.entries()
            + " entries, checksums, key order and properties verified");
        return Main.EXIT_OK;
      }
      result.problems().forEach(p -> err.println("strata dump-sst: corrupt: " + p));
      out.println(name + ": DAMAGED: " + result.problems().size() + " problem(s), first: " + result.problems().get(0));
      return Main.EXIT_FAILURE;
    } catch (CorruptionException e) {
      err.println("strata dump-sst: corrupt: " + e.getMessage());
      out.println(name + ": DAMAGED: " + e.getMessage());
      return Main.EXIT_FAILURE;
    } catch (NoSuchFileException e) {
      err.println("strata dump-sst: no such file: " + path);
      return Main.EXIT_FAILURE;
    } catch (IOException | UncheckedIOException | StrataException e) {
      err.println("strata dump-sst: cannot read " + path + ": " + e);
      return Main.EXIT_FAILURE;
    }
  }

  private static int dump(Path path, boolean withEntries, byte[] from, byte[] to, PrintStream out, PrintStream err) {
    String name = path.getFileName().toString();
    try {
      ReadableFile file = DiskFileSystem.INSTANCE.openReadable(path);
      try (TableReader reader = TableReader.open(file, fileNumber(name), name, null)) {
        TableDump.dump(reader, out, withEntries, from, to);
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
