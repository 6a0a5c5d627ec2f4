package dev.strata.cli;

import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** What the read-only inspection commands share: argument handling. Stateless. */
final class Inspect {
  private Inspect() {}

  static int usageError(String command, String message, String usage, PrintStream err) {
    err.println("strata " + command + ": " + message);
    err.println();
    err.print(usage);
    return Main.EXIT_USAGE;
  }

  /** The path {@code text} names, or null when it is not a valid path. */
  static Path path(String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
