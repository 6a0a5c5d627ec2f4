package dev.strata.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.TestHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Immutable files opened within a {@link MappingBudget}: never more than its number are mapped
 * (counted by the budget and, on Linux, in the process's own /proc/self/maps), a file unmapped to
 * make room is mapped again when read, and every read returns the file's bytes, also while
 * readers on several threads make the budget unmap files they have just read.
 */
@Timeout(120)
class MappingBudgetTest {
  private static final int FILES = 12;
  private static final int FILE_BYTES = 64 * 1024;

  @TempDir Path dir;

  /** Byte {@code pos} of file {@code f}: differs between files and positions. */
  private static byte expected(int f, long pos) {
    return (byte) (f * 31 + pos * 7 + (pos >>> 8));
  }

  private List<Path> writeFiles() throws IOException {
    List<Path> paths = new ArrayList<>();
    for (int f = 0; f < FILES; f++) {
      byte[] data = new byte[FILE_BYTES];
      for (int i = 0; i < data.length; i++) {
        data[i] = expected(f, i);
      }
      Path p = dir.resolve(String.format("%06d.sst", f));
      Files.write(p, data);
      paths.add(p);
    }
    return paths;
  }

  private static void checkRead(ReadableFile file, int f, long pos, int len) throws IOException {
    byte[] got = new byte[len];
    file.readFully(pos, got, 0, len);
    byte[] want = new byte[len];
    for (int i = 0; i < len; i++) {
      want[i] = expected(f, pos + i);
    }
    assertArrayEquals(want, got, "file " + f + " at " + pos);
  }

  /** Files under {@link #dir} this process has mapped now, from /proc/self/maps. */
  static Set<String> mappedFilesUnder(Path dir) throws IOException {
    Set<String> files = new HashSet<>();
    String prefix = dir.toAbsolutePath().toString() + "/";
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      int at = line.indexOf(prefix);
      if (at >= 0) {
        files.add(line.substring(at));
      }
    }
    return files;
  }

  @Test
  void readsCycleThroughMoreFilesThanTheBudgetMapsAndAlwaysSeeTheirBytes() throws IOException {
    List<Path> paths = writeFiles();
    MappingBudget budget = new MappingBudget(3);
    List<ReadableFile> files = new ArrayList<>();
    for (Path p : paths) {
      files.add(DiskFileSystem.INSTANCE.openImmutable(p, budget));
      assertTrue(budget.mappedFiles() <= 3, budget.toString());
    }
    boolean procMaps = Files.isReadable(Path.of("/proc/self/maps"));
    for (int round = 0; round < 3; round++) {
      for (int f = 0; f < FILES; f++) {
        checkRead(files.get(f), f, 1000L * f, 5000);
        assertEquals(3, budget.mappedFiles());
        if (procMaps) {
          Set<String> mapped = mappedFilesUnder(dir);
          assertTrue(mapped.size() <= 3, "mapped now: " + mapped);
        }
      }
    }
    for (ReadableFile file : files) {
      file.close();
    }
    assertEquals(0, budget.mappedFiles());
    if (procMaps) {
      assertEquals(Set.of(), mappedFilesUnder(dir), "closing unmaps");
    }
  }

  @Test
  void aRecentlyReadFileIsSparedWhenAnotherNeedsMapping() throws IOException {
    List<Path> paths = writeFiles();
    assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs /proc/self/maps");
    MappingBudget budget = new MappingBudget(2);
    ReadableFile hot = DiskFileSystem.INSTANCE.openImmutable(paths.get(0), budget);
    ReadableFile cold = DiskFileSystem.INSTANCE.openImmutable(paths.get(1), budget);
    checkRead(hot, 0, 0, 10);
    ReadableFile third = DiskFileSystem.INSTANCE.openImmutable(paths.get(2), budget);
    Set<String> mapped = mappedFilesUnder(dir);
    assertTrue(mapped.contains(paths.get(0).toString()) && mapped.contains(paths.get(2).toString()),
        "the file read since it was mapped stays, the one never read goes: " + mapped);
    checkRead(cold, 1, 100, 10); // mapped again
    hot.close();
    cold.close();
    third.close();
  }

  @Test
  void aReadAfterCloseFailsWithAnIoExceptionWhetherMappedOrNot() throws IOException {
    List<Path> paths = writeFiles();
    MappingBudget budget = new MappingBudget(1);
    ReadableFile evicted = DiskFileSystem.INSTANCE.openImmutable(paths.get(0), budget);
    ReadableFile mapped = DiskFileSystem.INSTANCE.openImmutable(paths.get(1), budget);
    evicted.close();
    mapped.close();
    assertThrows(IOException.class, () -> evicted.readFully(0, new byte[1], 0, 1));
    assertThrows(IOException.class, () -> mapped.readFully(0, new byte[1], 0, 1));
    assertEquals(0, budget.mappedFiles());
  }

  @Test
  void concurrentReadersOfManyFilesUnderATinyBudgetAlwaysReadTheRightBytes() throws Exception {
    List<Path> paths = writeFiles();
    MappingBudget budget = new MappingBudget(2);
    List<ReadableFile> files = new ArrayList<>();
    for (Path p : paths) {
      files.add(DiskFileSystem.INSTANCE.openImmutable(p, budget));
    }
    long seed = TestHarness.seed("MappingBudgetTest.concurrentReaders");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        SplittableRandom rnd = new SplittableRandom(seed + t);
        done.add(pool.submit(() -> {
          for (int i = 0; i < 3000; i++) {
            int f = rnd.nextInt(FILES);
            int len = 1 + rnd.nextInt(4096);
            long pos = rnd.nextInt(FILE_BYTES - len + 1);
            checkRead(files.get(f), f, pos, len);
          }
          return null;
        }));
      }
      for (Future<?> d : done) {
        d.get();
      }
    } finally {
      pool.shutdown();
    }
    assertTrue(budget.mappedFiles() <= 2, budget + ", seed " + seed);
    if (Files.isReadable(Path.of("/proc/self/maps"))) {
      assertTrue(mappedFilesUnder(dir).size() <= 2, "no reader holds a mapping now: " + mappedFilesUnder(dir));
    }
    for (ReadableFile file : files) {
      file.close();
    }
  }

  @Test
  void aBudgetBelowOneIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MappingBudget(0));
    assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
  }
}
