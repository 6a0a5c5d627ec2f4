package dev.strata.cli;

/** The command line was wrong: the message says what, and the command exits with code 2. */
final class UsageException extends Exception {
  UsageException(String message) {
    super(message);
  }
}
