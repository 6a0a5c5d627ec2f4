package dev.strata.akka.testkit;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The temporary directories of {@link StrataTestKit#persistenceConfig()}, deleted by one JVM
 * shutdown hook: nothing else knows when the test's actor system, which holds the store, is done
 * with them. Deleting a store's files at exit is safe on any file system that lets open files be
 * unlinked; elsewhere what cannot be deleted stays behind. Thread-safe.
 */
final class TemporaryDirectories {
  private static final List<Path> directories = new ArrayList<>();
  private static boolean hookInstalled;

  private TemporaryDirectories() {}

  static synchronized void deleteAtExit(Path directory) {
    if (!hookInstalled) {
      Runtime.getRuntime().addShutdownHook(new Thread(TemporaryDirectories::deleteAll, "strata-testkit-cleanup"));
      hookInstalled = true;
    }
    directories.add(directory);
  }

  private static synchronized void deleteAll() {
    for (Path directory : directories) {
      try {
        StrataTestKit.delete(directory);
      } catch (UncheckedIOException e) {
        // At exit there is no one left to tell: a directory that cannot be deleted stays in the temp dir.
      }
    }
  }
}
