package dev.strata.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code strata shell [--read-only] DIR}: opens the store and runs a {@link Shell} on standard
 * input. With {@code --read-only} the store is opened with {@code Strata.openReadOnly}: no lock,
 * no file changed, so it may run beside the process that writes the store; get, scan and stats
 * work, and put, delete and flush answer with an error line.
 */
final class ShellCommand {
  static final String READ_ONLY = "--read-only";

  private ShellCommand() {}

  /** Runs the shell; returns the exit code. {@code prompt}: standard input is a terminal. */
  static int run(List<String> args, CliContext context, InputStream in, PrintStream out, PrintStream err,
      boolean prompt) {
    if (args.size() == 1 && (args.get(0).equals("--help") || args.get(0).equals("-h"))) {
      out.print(Usage.SHELL);
      return Main.EXIT_OK;
    }
    boolean readOnly = args.contains(READ_ONLY);
    List<String> operands = args.stream().filter(a -> !a.equals(READ_ONLY)).toList();
    if (operands.size() != 1 || operands.get(0).isBlank()) {
      err.println("strata shell: expects exactly one argument, the store's directory");
      err.println();
      err.print(Usage.SHELL);
      return Main.EXIT_USAGE;
    }
    Path dir;
    try {
      dir = Path.of(operands.get(0));
    } catch (InvalidPathException e) {
      err.println("strata shell: '" + operands.get(0) + "' is not a valid path: " + e.getReason());
      return Main.EXIT_USAGE;
    }
    KeyValueStore store;
    try {
      store = readOnly ? context.openReadOnly(dir, context.baseOptions()) : context.open(dir, context.baseOptions());
    } catch (RuntimeException e) {
      err.println("strata shell: cannot open " + dir + ": " + describe(e));
      return Main.EXIT_FAILURE;
    }
    int code = Main.EXIT_OK;
    try {
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      new Shell(store, reader, out, prompt).run();
    } catch (IOException e) {
      err.println("strata shell: cannot read standard input: " + e);
      code = Main.EXIT_FAILURE;
    } finally {
      out.flush();
      try {
        store.close();
      } catch (RuntimeException e) {
        err.println("strata shell: closing the store failed: " + describe(e));
        code = Main.EXIT_FAILURE;
      }
    }
    return code;
  }

  private static String describe(RuntimeException e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
