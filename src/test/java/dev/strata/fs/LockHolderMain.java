package dev.strata.fs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Run in a child JVM by the cross-process lock tests: locks the path given as argument, prints
 * {@code locked} and holds the lock until its stdin closes; prints {@code failed: <message>} and
 * exits with 2 if the lock is refused.
 */
public final class LockHolderMain {
  static final String LOCKED = "locked";
  static final String FAILED = "failed: ";

  private LockHolderMain() {}

  public static void main(String[] args) throws IOException {
    FileLock lock;
    try {
      lock = DiskFileSystem.INSTANCE.lock(Path.of(args[0]));
    } catch (IOException e) {
      System.out.println(FAILED + e.getMessage());
      System.out.flush();
      System.exit(2);
      return;
    }
    try (lock) {
      System.out.println(LOCKED);
      System.out.flush();
      while (System.in.read() != -1) {
        // Held until the parent closes our stdin.
      }
    }
  }
}
