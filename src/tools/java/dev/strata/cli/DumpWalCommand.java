package dev.strata.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code strata dump-wal [--values] FILE}: every record of one WAL with its offset, sequences and
 * operations, every damaged region, and how the log ends. Read-only: it opens the file for
 * reading and nothing else, so it is safe on the WAL of an open store (it sees what was written).
 */
final class DumpWalCommand {
  private DumpWalCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    boolean fullValues = false;
    List<String> files = new ArrayList<>();
    for (String arg : args) {
      switch (arg) {
        case "--help", "-h" -> {
          out.print(Usage.DUMP_WAL);
          return Main.EXIT_OK;
        }
        case "--values" -> fullValues = true;
        default -> {
          if (arg.startsWith("--")) {
            return Inspect.usageError("dump-wal", "unknown option " + arg, Usage.DUMP_WAL, err);
          }
          files.add(arg);
        }
      }
    }
    if (files.size() != 1) {
      return Inspect.usageError("dump-wal", "expects exactly one WAL file, got " + files.size(), Usage.DUMP_WAL, err);
    }
    Path path = Inspect.path(files.get(0));
    if (path == null || !Files.isRegularFile(path)) {
      err.println("strata dump-wal: " + files.get(0) + " is not a file");
      return Main.EXIT_FAILURE;
    }
    WalScan.Result scan;
    try {
      scan = WalScan.scan(path);
    } catch (NoSuchFileException e) {
      err.println("strata dump-wal: no such file: " + path);
      return Main.EXIT_FAILURE;
    } catch (IOException e) {
      err.println("strata dump-wal: cannot read " + path + ": " + e);
      return Main.EXIT_FAILURE;
    }
    int limit = fullValues ? Integer.MAX_VALUE : Printable.VALUE_PREVIEW_BYTES;
    out.println("wal " + scan.name() + " (" + scan.fileSize() + " bytes)");
    int damage = 0;
    for (WalScan.Record r : scan.records()) {
      while (damage < scan.damage().size() && scan.damage().get(damage).offset() < r.offset()) {
        out.println("damage at offset " + scan.damage().get(damage).offset() + ": " + scan.damage().get(damage).problem());
        damage++;
      }
      List<WalScan.Op> ops = r.ops();
      long first = ops.get(0).sequence();
      long last = ops.get(ops.size() - 1).sequence();
      out.println("offset " + r.offset() + " seq " + (first == last ? first : first + ".." + last) + " ops "
          + ops.size());
      for (WalScan.Op op : ops) {
        out.println("  " + op.sequence() + " " + (op.value() == null ? "delete " + Printable.of(op.key())
            : "put " + Printable.of(op.key()) + " = " + Printable.of(op.value(), limit)));
      }
    }
    for (; damage < scan.damage().size(); damage++) {
      out.println("damage at offset " + scan.damage().get(damage).offset() + ": " + scan.damage().get(damage).problem());
    }
    out.println("records " + scan.records().size() + ", operations " + scan.operations());
    StoreFiles.Ending ending = scan.ending();
    boolean damaged = !scan.damage().isEmpty();
    out.println("end: " + (damaged ? scan.damage().size() + " damaged region(s), first: " + ending.describe()
        : ending.describe()));
    return damaged ? Main.EXIT_FAILURE : Main.EXIT_OK;
  }
}
