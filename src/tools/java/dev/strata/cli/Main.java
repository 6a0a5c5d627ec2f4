package dev.strata.cli;

import com.typesafe.config.ConfigException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code strata} command. Reads conf/application.conf and conf/logback.xml from the working
 * directory when they exist, dispatches to the command classes, and calls {@link System#exit}
 * with their exit code only at the very end. Tests call the command classes, or
 * {@link #run}, directly.
 */
public final class Main {
  static final int EXIT_OK = 0;
  static final int EXIT_FAILURE = 1;
  static final int EXIT_USAGE = 2;

  static final Path APPLICATION_CONF = Path.of("conf", "application.conf");
  static final Path LOGBACK_XML = Path.of("conf", "logback.xml");
  private static final String LOGBACK_PROPERTY = "logback.configurationFile";

  private Main() {}

  public static void main(String[] args) {
    // Logback reads this property once, when the first logger is created: set it before anything logs.
    if (System.getProperty(LOGBACK_PROPERTY) == null && Files.isRegularFile(LOGBACK_XML)) {
      System.setProperty(LOGBACK_PROPERTY, LOGBACK_XML.toString());
    }
    int code = run(args, System.in, System.out, System.err);
    System.out.flush();
    System.err.flush();
    System.exit(code);
  }

  /** Runs one command line; returns its exit code. */
  static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      out.print(Usage.MAIN);
      return EXIT_OK;
    }
    String command = args[0];
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    switch (command) {
      case "help", "-h", "--help" -> {
        return help(rest, out, err);
      }
      case "dump-sst" -> {
        return DumpSstCommand.run(rest, out, err);
      }
      case "check" -> {
        return CheckCommand.run(rest, out, err);
      }
      case "checkpoint" -> {
        return CheckpointCommand.run(rest, out, err);
      }
      case "backup" -> {
        return BackupCommands.backup(rest, out, err);
      }
      case "restore" -> {
        return BackupCommands.restore(rest, out, err);
      }
      case "verify" -> {
        return BackupCommands.verify(rest, out, err);
      }
      case "backups" -> {
        return BackupCommands.list(rest, out, err);
      }
      case "purge-backups" -> {
        return BackupCommands.purge(rest, out, err);
      }
      case "repair" -> {
        return RepairCommand.run(rest, out, err);
      }
      case "lsm" -> {
        return LsmCommand.run(rest, out, err);
      }
      case "compact" -> {
        return CompactCommand.run(rest, out, err);
      }
      case "dump-manifest" -> {
        return DumpManifestCommand.run(rest, out, err);
      }
      case "dump-wal" -> {
        return DumpWalCommand.run(rest, out, err);
      }
      case "compaction-sim" -> {
        return CompactionSimCommand.run(rest, out, err);
      }
      case "bench", "shell" -> {
        return withContext(command, rest, in, out, err);
      }
      default -> {
        err.println("strata: unknown command '" + command + "'");
        err.println();
        err.print(Usage.MAIN);
        return EXIT_USAGE;
      }
    }
  }

  private static int help(List<String> rest, PrintStream out, PrintStream err) {
    if (rest.isEmpty()) {
      out.print(Usage.MAIN);
      return EXIT_OK;
    }
    if (rest.size() > 1) {
      err.println("strata help: takes at most one command, got " + rest.size() + " arguments");
      return EXIT_USAGE;
    }
    return Usage.of(rest.get(0)).map(text -> {
      out.print(text);
      return EXIT_OK;
    }).orElseGet(() -> {
      err.println("strata help: unknown command '" + rest.get(0) + "'");
      err.println();
      err.print(Usage.MAIN);
      return EXIT_USAGE;
    });
  }

  private static int withContext(String command, List<String> rest, InputStream in, PrintStream out,
      PrintStream err) {
    CliContext context;
    try {
      context = CliContext.load(APPLICATION_CONF);
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("strata: bad configuration in " + APPLICATION_CONF + ": " + e.getMessage());
      return EXIT_FAILURE;
    }
    try (context) {
      boolean terminal = System.console() != null;
      return command.equals("bench")
          ? BenchCommand.run(rest, context, out, err, terminal ? err : null)
          : ShellCommand.run(rest, context, in, out, err, terminal);
    }
  }
}
