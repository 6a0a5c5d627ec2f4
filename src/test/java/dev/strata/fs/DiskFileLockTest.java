package dev.strata.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.fs.FsTestHarness.LockHolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskFileLockTest {
  private final FileSystem fs = DiskFileSystem.INSTANCE;
  @TempDir Path dir;

  @Test
  void secondLockInTheSameProcessFailsNamingTheDirectory() throws Exception {
    Path lockFile = dir.resolve("LOCK");
    try (FileLock first = fs.lock(lockFile)) {
      assertEquals(lockFile, first.path());
      IOException e = assertThrows(IOException.class, () -> fs.lock(lockFile));
      assertTrue(e.getMessage().contains("locked by another Strata instance"), e.getMessage());
      assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }
  }

  @Test
  void theSameFileReachedThroughAnotherPathIsTheSameLock() throws Exception {
    Files.createDirectories(dir.resolve("sub"));
    try (FileLock first = fs.lock(dir.resolve("LOCK"))) {
      assertEquals(dir.resolve("LOCK"), first.path());
      assertThrows(IOException.class, () -> fs.lock(dir.resolve("sub/../LOCK")));
      Path link = Files.createSymbolicLink(dir.resolve("link"), dir);
      assertThrows(IOException.class, () -> fs.lock(link.resolve("LOCK")));
    }
  }

  @Test
  void lockCreatesTheLockFile() throws Exception {
    try (FileLock lock = fs.lock(dir.resolve("LOCK"))) {
      assertTrue(Files.exists(dir.resolve("LOCK")));
      assertEquals(dir.resolve("LOCK"), lock.path());
    }
  }

  @Test
  void lockReleasedByCloseCanBeTakenAgain() throws Exception {
    Path lockFile = dir.resolve("LOCK");
    FileLock first = fs.lock(lockFile);
    first.close();
    first.close();
    try (FileLock second = fs.lock(lockFile)) {
      assertEquals(lockFile, second.path());
    }
  }

  @Test
  void lockHeldByAnotherProcessRefusesThisOneUntilThatProcessExits() throws Exception {
    Path lockFile = dir.resolve("LOCK");
    try (LockHolder child = new LockHolder(lockFile)) {
      List<String> lines = child.awaitVerdict();
      assertEquals(LockHolderMain.LOCKED, lines.get(lines.size() - 1), "child output: " + lines);

      IOException e = assertThrows(IOException.class, () -> fs.lock(lockFile));
      assertTrue(e.getMessage().contains("locked by another Strata instance"), e.getMessage());

      assertEquals(0, child.release());
    }
    try (FileLock lock = fs.lock(lockFile)) {
      assertEquals(lockFile, lock.path());
    }
  }

  @Test
  void refusedSecondLockInThisProcessDoesNotReleaseTheFirstForOtherProcesses() throws Exception {
    // The JVM trap: closing any channel on the lock file drops the process's OS lock on it.
    Path lockFile = dir.resolve("LOCK");
    try (FileLock first = fs.lock(lockFile)) {
      assertEquals(lockFile, first.path());
      assertThrows(IOException.class, () -> fs.lock(lockFile));
      try (LockHolder child = new LockHolder(lockFile)) {
        List<String> lines = child.awaitVerdict();
        String verdict = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        assertTrue(verdict.startsWith(LockHolderMain.FAILED), "child output: " + lines);
        assertTrue(verdict.contains("locked by another Strata instance"), verdict);
        assertEquals(2, child.release());
      }
    }
  }
}
