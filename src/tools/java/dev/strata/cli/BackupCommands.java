package dev.strata.cli;

import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.backup.BackupInfo;
import dev.strata.backup.StrataBackups;
import dev.strata.backup.VerifyReport;
import dev.strata.engine.OptionsFile;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The backup commands, over {@link StrataBackups}: {@code backup DIR BACKUPDIR}, {@code restore
 * BACKUPDIR ID DIR}, {@code verify BACKUPDIR [ID]}, {@code backups BACKUPDIR} and {@code
 * purge-backups BACKUPDIR --keep N}. Exit code 0 on success (for verify: every backup checked is
 * sound), 1 when the store, the backup directory or a backup fails or is damaged, 2 for bad usage.
 * Only {@code backup} creates a backup directory; the others need an existing one. Stateless.
 */
final class BackupCommands {
  private BackupCommands() {}

  static int backup(List<String> args, PrintStream out, PrintStream err) {
    List<String> paths = new ArrayList<>();
    Integer early = positionals("backup", args, Usage.BACKUP, paths, out, err);
    if (early != null) {
      return early;
    }
    if (paths.size() != 2) {
      return count("backup", "a store directory and a backup directory", paths, Usage.BACKUP, err);
    }
    Path dir = Inspect.path(paths.get(0));
    Path backupDir = Inspect.path(paths.get(1));
    if (dir == null || !Files.isDirectory(dir) || !Files.exists(dir.resolve("CURRENT"))) {
      err.println("strata backup: " + paths.get(0) + " holds no Strata store (no CURRENT file)");
      return Main.EXIT_FAILURE;
    }
    if (backupDir == null) {
      err.println("strata backup: " + paths.get(1) + " is not a valid path");
      return Main.EXIT_FAILURE;
    }
    try (StrataBackups backups = StrataBackups.open(backupDir);
        Strata db = Strata.open(dir, storeOptions(dir, err))) {
      out.println(backups.create(db));
    } catch (StrataException | IllegalArgumentException | IllegalStateException e) {
      err.println("strata backup: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    return Main.EXIT_OK;
  }

  /**
   * The options the store was last opened with (its OPTIONS file), so that opening it to back it up
   * does not retune it (a different compaction strategy would start reshaping its tree); the
   * defaults when it has no readable OPTIONS file. Never creates a store.
   */
  private static StrataOptions storeOptions(Path dir, PrintStream err) {
    StrataOptions options = StrataOptions.defaults();
    try {
      options = OptionsFile.read(dir).orElse(options);
    } catch (StrataException e) {
      err.println("strata backup: opening with the default options: " + e.getMessage());
    }
    return options.toBuilder().createIfMissing(false).build();
  }

  static int restore(List<String> args, PrintStream out, PrintStream err) {
    List<String> paths = new ArrayList<>();
    Integer early = positionals("restore", args, Usage.RESTORE, paths, out, err);
    if (early != null) {
      return early;
    }
    if (paths.size() != 3) {
      return count("restore", "a backup directory, a backup id and a target directory", paths, Usage.RESTORE, err);
    }
    Long id = id("restore", paths.get(1), Usage.RESTORE, err);
    if (id == null) {
      return Main.EXIT_USAGE;
    }
    Path target = Inspect.path(paths.get(2));
    if (target == null) {
      err.println("strata restore: " + paths.get(2) + " is not a valid path");
      return Main.EXIT_FAILURE;
    }
    StrataBackups backups = openExisting("restore", paths.get(0), err);
    if (backups == null) {
      return Main.EXIT_FAILURE;
    }
    try (backups) {
      backups.restore(id, target);
    } catch (StrataException | IllegalArgumentException e) {
      err.println("strata restore: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    out.println("backup " + id + " restored to " + target);
    return Main.EXIT_OK;
  }

  static int verify(List<String> args, PrintStream out, PrintStream err) {
    List<String> paths = new ArrayList<>();
    Integer early = positionals("verify", args, Usage.VERIFY, paths, out, err);
    if (early != null) {
      return early;
    }
    if (paths.size() != 1 && paths.size() != 2) {
      return count("verify", "a backup directory and at most one backup id", paths, Usage.VERIFY, err);
    }
    Long only = paths.size() == 2 ? id("verify", paths.get(1), Usage.VERIFY, err) : null;
    if (paths.size() == 2 && only == null) {
      return Main.EXIT_USAGE;
    }
    StrataBackups backups = openExisting("verify", paths.get(0), err);
    if (backups == null) {
      return Main.EXIT_FAILURE;
    }
    int damaged = 0;
    List<Long> ids;
    try (backups) {
      ids = only != null ? List.of(only) : backups.ids();
      for (long id : ids) {
        VerifyReport report = backups.verify(id);
        out.println(report);
        report.problems().forEach(p -> out.println("  problem: " + p));
        damaged += report.ok() ? 0 : 1;
      }
    } catch (StrataException | IllegalArgumentException e) {
      err.println("strata verify: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    out.println(ids.size() + " backup" + (ids.size() == 1 ? "" : "s") + " verified, " + damaged + " damaged");
    return damaged == 0 ? Main.EXIT_OK : Main.EXIT_FAILURE;
  }

  static int list(List<String> args, PrintStream out, PrintStream err) {
    List<String> paths = new ArrayList<>();
    Integer early = positionals("backups", args, Usage.BACKUPS, paths, out, err);
    if (early != null) {
      return early;
    }
    if (paths.size() != 1) {
      return count("backups", "a backup directory", paths, Usage.BACKUPS, err);
    }
    StrataBackups backups = openExisting("backups", paths.get(0), err);
    if (backups == null) {
      return Main.EXIT_FAILURE;
    }
    try (backups) {
      List<BackupInfo> infos = backups.list();
      infos.forEach(out::println);
      out.println(infos.size() + " backup" + (infos.size() == 1 ? "" : "s"));
    } catch (StrataException e) {
      err.println("strata backups: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    return Main.EXIT_OK;
  }

  static int purge(List<String> args, PrintStream out, PrintStream err) {
    List<String> paths = new ArrayList<>();
    int keep = -1;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--help") || arg.equals("-h")) {
        out.print(Usage.PURGE_BACKUPS);
        return Main.EXIT_OK;
      }
      if (arg.equals("--keep") || arg.startsWith("--keep=")) {
        int eq = arg.indexOf('=');
        try {
          keep = ArgParsing.parseInt("--keep", ArgParsing.optionValue(args, i, "--keep", eq), 1, Integer.MAX_VALUE);
        } catch (UsageException e) {
          return Inspect.usageError("purge-backups", e.getMessage(), Usage.PURGE_BACKUPS, err);
        }
        if (eq < 0) {
          i++;
        }
      } else if (arg.startsWith("--")) {
        return Inspect.usageError("purge-backups", "unknown option " + arg, Usage.PURGE_BACKUPS, err);
      } else {
        paths.add(arg);
      }
    }
    if (paths.size() != 1) {
      return count("purge-backups", "a backup directory", paths, Usage.PURGE_BACKUPS, err);
    }
    if (keep < 0) {
      return Inspect.usageError("purge-backups", "--keep N is required", Usage.PURGE_BACKUPS, err);
    }
    StrataBackups backups = openExisting("purge-backups", paths.get(0), err);
    if (backups == null) {
      return Main.EXIT_FAILURE;
    }
    try (backups) {
      List<Long> purged = backups.purgeOldBackups(keep);
      out.println("deleted " + (purged.isEmpty() ? "no backup" : "backups " + join(purged)) + "; kept "
          + (backups.ids().isEmpty() ? "none" : join(backups.ids())));
    } catch (StrataException e) {
      err.println("strata purge-backups: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    return Main.EXIT_OK;
  }

  /**
   * Collects the positional arguments; the exit code when the command ends here (--help, or an
   * unknown option), else null.
   */
  private static Integer positionals(String command, List<String> args, String usage, List<String> paths,
      PrintStream out, PrintStream err) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        out.print(usage);
        return Main.EXIT_OK;
      }
      if (arg.startsWith("--")) {
        return Inspect.usageError(command, "unknown option " + arg, usage, err);
      }
      paths.add(arg);
    }
    return null;
  }

  private static int count(String command, String expected, List<String> got, String usage, PrintStream err) {
    return Inspect.usageError(command, "expects " + expected + ", got " + got.size() + " argument"
        + (got.size() == 1 ? "" : "s"), usage, err);
  }

  private static Long id(String command, String text, String usage, PrintStream err) {
    if (text.matches("[1-9][0-9]{0,17}")) {
      return Long.parseLong(text);
    }
    Inspect.usageError(command, "'" + text + "' is not a backup id (a whole number from 1)", usage, err);
    return null;
  }

  /** Opens a backup directory that exists already: every command but backup only reads or trims one. */
  private static StrataBackups openExisting(String command, String text, PrintStream err) {
    Path dir = Inspect.path(text);
    if (dir == null || !Files.isDirectory(dir) || !Files.isDirectory(dir.resolve("meta"))) {
      err.println("strata " + command + ": " + text + " is not a backup directory (no meta/ in it)");
      return null;
    }
    try {
      return StrataBackups.open(dir);
    } catch (StrataException e) {
      err.println("strata " + command + ": " + e.getMessage());
      return null;
    }
  }

  private static String join(List<Long> ids) {
    return ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }
}
