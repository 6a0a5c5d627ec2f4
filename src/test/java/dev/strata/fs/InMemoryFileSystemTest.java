package dev.strata.fs;

import static dev.strata.fs.FsTestHarness.bytes;
import static dev.strata.fs.FsTestHarness.concat;
import static dev.strata.fs.FsTestHarness.readAll;
import static dev.strata.fs.FsTestHarness.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InMemoryFileSystemTest {
  private final InMemoryFileSystem fs = new InMemoryFileSystem();
  private final Path dir = Path.of("/db");

  @BeforeEach
  void createDirectory() throws IOException {
    fs.createDirectories(dir);
  }

  /** A file whose name is already durable, so that only its content is in question. */
  private WritableFile createDurably(String name) throws IOException {
    WritableFile out = fs.create(dir.resolve(name));
    fs.syncDirectory(dir);
    return out;
  }

  @Test
  void unsyncedAppendsVanishOnCrashAndSyncedOnesSurvive() throws Exception {
    try (WritableFile out = createDurably("f")) {
      out.append(bytes(10, 1));
      out.sync();
      out.append(bytes(5, 2));
      out.flush();
    }
    assertEquals(15, readAll(fs, dir.resolve("f")).length);
    fs.crash();
    assertArrayEquals(bytes(10, 1), readAll(fs, dir.resolve("f")));
  }

  @Test
  void aNeverSyncedFileIsEmptyAfterCrash() throws Exception {
    try (WritableFile out = createDurably("f")) {
      out.append(bytes(10, 1));
    }
    fs.crash();
    assertTrue(fs.exists(dir.resolve("f")));
    assertEquals(0, readAll(fs, dir.resolve("f")).length);
  }

  @Test
  void aCreatedFileWithoutADirectorySyncVanishesOnCrashEvenIfSynced() throws Exception {
    write(fs, dir.resolve("f"), bytes(10, 1), true);
    fs.crash();
    assertFalse(fs.exists(dir.resolve("f")));
    assertEquals(List.of(), fs.list(dir));
  }

  @Test
  void aRenameIsUndoneByACrashBeforeTheDirectorySync() throws Exception {
    write(fs, dir.resolve("a.tmp"), bytes(10, 1), true);
    write(fs, dir.resolve("a"), bytes(20, 2), true);
    fs.syncDirectory(dir);
    fs.rename(dir.resolve("a.tmp"), dir.resolve("a"));
    assertEquals(List.of("a"), fs.list(dir));
    fs.crash();
    assertEquals(List.of("a", "a.tmp"), fs.list(dir));
    assertArrayEquals(bytes(10, 1), readAll(fs, dir.resolve("a.tmp")));
    assertArrayEquals(bytes(20, 2), readAll(fs, dir.resolve("a")));
  }

  @Test
  void aRenameIsDurableAfterTheDirectorySync() throws Exception {
    write(fs, dir.resolve("a.tmp"), bytes(10, 1), true);
    write(fs, dir.resolve("a"), bytes(20, 2), true);
    fs.syncDirectory(dir);
    fs.rename(dir.resolve("a.tmp"), dir.resolve("a"));
    fs.syncDirectory(dir);
    fs.crash();
    assertEquals(List.of("a"), fs.list(dir));
    assertArrayEquals(bytes(10, 1), readAll(fs, dir.resolve("a")));
  }

  @Test
  void aDeleteIsUndoneByACrashBeforeTheDirectorySync() throws Exception {
    write(fs, dir.resolve("f"), bytes(10, 1), true);
    fs.syncDirectory(dir);
    fs.delete(dir.resolve("f"));
    assertFalse(fs.exists(dir.resolve("f")));
    fs.crash();
    assertArrayEquals(bytes(10, 1), readAll(fs, dir.resolve("f")));
  }

  @Test
  void handlesOpenedBeforeACrashFailAfterItButCloseQuietly() throws Exception {
    write(fs, dir.resolve("r"), bytes(10, 1), true);
    fs.syncDirectory(dir);
    WritableFile out = createDurably("w");
    ReadableFile in = fs.openReadable(dir.resolve("r"));
    fs.crash();
    assertThrows(IOException.class, () -> out.append(bytes(1, 1)));
    assertThrows(IOException.class, out::flush);
    assertThrows(IOException.class, out::sync);
    assertThrows(IOException.class, () -> in.readFully(0, new byte[1], 0, 1));
    assertDoesNotThrow(out::close);
    assertDoesNotThrow(in::close);
  }

  @Test
  void unflushedAppendsAreLostWhenTheProcessDiesButFlushedOnesStay() throws Exception {
    WritableFile out = createDurably("f");
    out.append(bytes(10, 1));
    out.flush();
    out.append(bytes(5, 2));
    fs.killProcess();
    assertArrayEquals(bytes(10, 1), readAll(fs, dir.resolve("f")));
    assertThrows(IOException.class, () -> out.append(bytes(1, 1)));
  }

  @Test
  void mappedAppendsSurviveTheProcessButNotAPowerLossUnlessSynced() throws Exception {
    WritableFile out = fs.createMapped(dir.resolve("log"), 64, Runnable::run);
    fs.syncDirectory(dir);
    out.append(bytes(10, 1));
    out.sync();
    out.append(bytes(5, 2));
    fs.killProcess();
    byte[] afterProcessCrash = readAll(fs, dir.resolve("log"));
    assertArrayEquals(concat(bytes(10, 1), bytes(5, 2)), Arrays.copyOf(afterProcessCrash, 15));
    fs.crash();
    byte[] afterPowerLoss = readAll(fs, dir.resolve("log"));
    assertArrayEquals(concat(bytes(10, 1), new byte[54]), afterPowerLoss);
  }

  @Test
  void aMappedFileIsZeroFilledToItsSegmentUntilClose() throws Exception {
    Path path = dir.resolve("log");
    try (WritableFile out = fs.createMapped(path, 64, Runnable::run)) {
      out.append(bytes(100, 1));
      assertArrayEquals(concat(bytes(100, 1), new byte[28]), readAll(fs, path));
      out.append(bytes(200, 2));
      assertEquals(320, readAll(fs, path).length);
    }
    assertArrayEquals(concat(bytes(100, 1), bytes(200, 2)), readAll(fs, path));
  }

  @Test
  void aReopenedMappedFileContinuesAtTheOffsetWithWhatLayPastItCut() throws Exception {
    Path path = dir.resolve("log");
    WritableFile first = fs.createMapped(path, 64, Runnable::run);
    fs.syncDirectory(dir);
    first.append(bytes(100, 1));
    first.sync();
    fs.killProcess(); // the file keeps its zero-filled tail, to 128 bytes
    try (WritableFile out = fs.openMapped(path, 90, 64, Runnable::run)) {
      assertEquals(90, out.size());
      out.append(bytes(20, 2));
      assertArrayEquals(concat(Arrays.copyOf(bytes(100, 1), 90), bytes(20, 2), new byte[44]), readAll(fs, path),
          "the stale bytes from offset 90 on are gone; zeros to the next segment past the appends");
    }
    assertArrayEquals(concat(Arrays.copyOf(bytes(100, 1), 90), bytes(20, 2)), readAll(fs, path));
  }

  @Test
  void aReopenedMappedFileIsDurableOnlyOnceSynced() throws Exception {
    Path path = dir.resolve("log");
    try (WritableFile out = fs.createMapped(path, 64, Runnable::run)) {
      fs.syncDirectory(dir);
      out.append(bytes(100, 1));
      out.sync();
    }
    WritableFile out = fs.openMapped(path, 100, 64, Runnable::run);
    out.append(bytes(10, 2));
    out.sync();
    out.append(bytes(10, 3));
    fs.crash();
    assertArrayEquals(concat(bytes(100, 1), bytes(10, 2), new byte[54]), readAll(fs, path),
        "what was synced after the reopen, with the zeros of its segment (mapped from offset 100 on); not the unsynced append");
  }

  @Test
  void openMappedRefusesAMissingFileAndAnOffsetPastTheEnd() throws Exception {
    Path path = dir.resolve("log");
    assertThrows(NoSuchFileException.class, () -> fs.openMapped(path, 0, 64, Runnable::run));
    write(fs, path, bytes(10, 1), true);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fs.openMapped(path, 11, 64, Runnable::run));
    assertEquals("cannot append to " + path + " from offset 11: it holds 10 bytes", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> fs.openMapped(path, 5, 0, Runnable::run));
    assertArrayEquals(bytes(10, 1), readAll(fs, path));
  }

  @Test
  void flipByteInvertsTheByteAtTheOffset() throws Exception {
    Path path = dir.resolve("f");
    write(fs, path, bytes(10, 1), true);
    fs.flipByte(path, 3);
    byte[] expected = bytes(10, 1);
    expected[3] = (byte) ~expected[3];
    assertArrayEquals(expected, readAll(fs, path));
    assertThrows(IllegalArgumentException.class, () -> fs.flipByte(path, 10));
  }

  @Test
  void flipByteReachesTheDurableContent() throws Exception {
    Path path = dir.resolve("f");
    write(fs, path, bytes(10, 1), true);
    fs.syncDirectory(dir);
    fs.flipByte(path, 0);
    fs.crash();
    assertEquals((byte) ~bytes(10, 1)[0], readAll(fs, path)[0]);
  }

  @Test
  void syncCountCountsWritableFileSyncs() throws Exception {
    try (WritableFile a = fs.create(dir.resolve("a")); WritableFile b = fs.createMapped(dir.resolve("b"), 64, Runnable::run)) {
      a.sync();
      a.sync();
      b.sync();
      a.flush();
      fs.syncDirectory(dir);
    }
    assertEquals(3, fs.syncCount());
  }

  @Test
  void createNeedsAnExistingDirectoryAndAFreshName() throws Exception {
    assertThrows(NoSuchFileException.class, () -> fs.create(Path.of("/elsewhere/f")));
    fs.create(dir.resolve("f")).close();
    assertThrows(FileAlreadyExistsException.class, () -> fs.create(dir.resolve("f")));
    assertThrows(FileAlreadyExistsException.class, () -> fs.createMapped(dir.resolve("f"), 64, Runnable::run));
  }

  @Test
  void listNamesFilesAndSubdirectoriesAndAMissingDirectoryIsEmpty() throws Exception {
    fs.createDirectories(dir.resolve("sub/deeper"));
    fs.create(dir.resolve("f")).close();
    assertEquals(List.of("f", "sub"), fs.list(dir));
    assertEquals(List.of(), fs.list(Path.of("/missing")));
  }

  @Test
  void aSecondLockFailsNamingTheDirectoryAndCloseReleases() throws Exception {
    Path lockFile = dir.resolve("LOCK");
    FileLock first = fs.lock(lockFile);
    IOException e = assertThrows(IOException.class, () -> fs.lock(lockFile));
    assertTrue(e.getMessage().contains("/db is locked by another Strata instance"), e.getMessage());
    first.close();
    fs.lock(lockFile).close();
  }

  @Test
  void aCrashReleasesLocksAndTheDeadLockCannotReleaseItsSuccessor() throws Exception {
    Path lockFile = dir.resolve("LOCK");
    FileLock dead = fs.lock(lockFile);
    fs.crash();
    FileLock successor = fs.lock(lockFile);
    dead.close();
    assertThrows(IOException.class, () -> fs.lock(lockFile));
    successor.close();
  }

  @Test
  void concurrentWritersOnDistinctFilesKeepTheirBytes() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        done.add(pool.submit(() -> {
          try (WritableFile out = fs.create(dir.resolve("f" + seed))) {
            for (int i = 0; i < 200; i++) {
              out.append(bytes(50, seed));
              if (i % 10 == 0) {
                out.sync();
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    for (int t = 0; t < 8; t++) {
      byte[] all = readAll(fs, dir.resolve("f" + t));
      assertEquals(200 * 50, all.length);
      assertArrayEquals(bytes(50, t), Arrays.copyOfRange(all, 150, 200));
    }
  }
}
