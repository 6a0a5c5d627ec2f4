package dev.strata.fs;

import static dev.strata.fs.FsTestHarness.bytes;
import static dev.strata.fs.FsTestHarness.concat;
import static dev.strata.fs.FsTestHarness.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileSystem#createMapped} on the real file system. */
class MappedWritableFileTest {
  private static final int SEGMENT = 4096;

  private final FileSystem fs = DiskFileSystem.INSTANCE;
  /** Prepares segments on a thread of its own, as the WAL's dispatcher does. */
  private final ExecutorService preparer = Executors.newSingleThreadExecutor();
  @TempDir Path dir;

  @AfterEach
  void stopPreparer() throws InterruptedException {
    preparer.shutdown();
    assertTrue(preparer.awaitTermination(60, TimeUnit.SECONDS));
  }

  @Test
  void appendsAreReadableAfterCloseAtExactlyTheirSize() throws Exception {
    Path path = dir.resolve("000001.log");
    try (WritableFile out = fs.createMapped(path, SEGMENT, preparer)) {
      out.append(bytes(100, 1));
      out.append(bytes(23, 2));
      assertEquals(123, out.size());
    }
    assertEquals(123, Files.size(path));
    assertArrayEquals(concat(bytes(100, 1), bytes(23, 2)), readAll(fs, path));
  }

  @Test
  void appendsSpanningSegmentsArriveWhole() throws Exception {
    Path path = dir.resolve("log");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (WritableFile out = fs.createMapped(path, SEGMENT, preparer)) {
      for (int i = 0; i < 1000; i++) {
        byte[] record = bytes(37 + i % 50, i);
        out.append(record);
        expected.write(record);
      }
    }
    assertTrue(expected.size() > 10 * SEGMENT);
    assertArrayEquals(expected.toByteArray(), readAll(fs, path));
  }

  @Test
  void anAppendLargerThanASegmentSplitsAcrossSegments() throws Exception {
    Path path = dir.resolve("log");
    byte[] head = bytes(1000, 1);
    byte[] huge = bytes(5 * SEGMENT + 17, 2);
    try (WritableFile out = fs.createMapped(path, SEGMENT, preparer)) {
      out.append(head);
      out.append(huge, 0, huge.length);
      out.sync();
      out.append(head, 10, 20);
    }
    assertArrayEquals(concat(head, huge, Arrays.copyOfRange(head, 10, 30)), readAll(fs, path));
  }

  @Test
  void appendsAreVisibleBeforeCloseWithAZeroFilledTail() throws Exception {
    Path path = dir.resolve("log");
    try (WritableFile out = fs.createMapped(path, SEGMENT, preparer)) {
      out.append(bytes(100, 1));
      byte[] onDisk = readAll(fs, path);
      // The current segment only: the next is not prepared before half of this one is filled.
      assertEquals(SEGMENT, onDisk.length);
      assertArrayEquals(bytes(100, 1), Arrays.copyOf(onDisk, 100));
      assertArrayEquals(new byte[onDisk.length - 100], Arrays.copyOfRange(onDisk, 100, onDisk.length));
    }
  }

  @Test
  void syncsOnAnotherThreadWhileAppendingLoseNothing() throws Exception {
    Path path = dir.resolve("log");
    byte[] expected;
    try (WritableFile out = fs.createMapped(path, SEGMENT, preparer)) {
      expected = FsTestHarness.appendWhileAnotherThreadSyncs(out);
    }
    assertArrayEquals(expected, readAll(fs, path));
  }

  @Test
  void closeWhileAnotherThreadSyncsMakesTheSyncsFailCleanly() throws Exception {
    WritableFile out = fs.createMapped(dir.resolve("log"), SEGMENT, preparer);
    CountDownLatch syncing = new CountDownLatch(1);
    CompletableFuture<IOException> syncer = CompletableFuture.supplyAsync(() -> {
      try {
        while (true) {
          out.append(bytes(SEGMENT / 2, 1));
          out.sync();
          syncing.countDown();
        }
      } catch (IOException e) {
        return e;
      }
    });
    assertTrue(syncing.await(60, TimeUnit.SECONDS));
    out.close();
    assertTrue(syncer.get(60, TimeUnit.SECONDS).getMessage().contains("closed"));
  }

  @Test
  void aClosedMappedFileRefusesEveryCallThatWouldTouchTheMapping() throws Exception {
    WritableFile out = fs.createMapped(dir.resolve("log"), SEGMENT, preparer);
    out.append(bytes(10, 1));
    out.close();
    out.close();
    assertTrue(assertThrows(IOException.class, () -> out.append(bytes(1, 1))).getMessage().contains("closed"));
    assertTrue(assertThrows(IOException.class, out::sync).getMessage().contains("closed"));
    assertTrue(assertThrows(IOException.class, out::flush).getMessage().contains("closed"));
    assertEquals(10, out.size());
  }

  @Test
  void createMappedFailsWhenTheFileExists() throws Exception {
    Path path = dir.resolve("log");
    fs.createMapped(path, SEGMENT, preparer).close();
    assertThrows(FileAlreadyExistsException.class, () -> fs.createMapped(path, SEGMENT, preparer));
  }

  @Test
  void aNonPositiveSegmentSizeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> fs.createMapped(dir.resolve("log"), 0, preparer));
    assertFalse(Files.exists(dir.resolve("log")));
  }

  @Test
  void aClosedAndDeletedMappedFileLeavesNothingBehind() throws Exception {
    Path path = dir.resolve("000007.log");
    try (WritableFile out = fs.createMapped(path, SEGMENT, preparer)) {
      for (int i = 0; i < 10; i++) {
        out.append(bytes(SEGMENT / 3, i));
      }
      out.sync();
      out.append(bytes(SEGMENT, 1));
    }
    fs.delete(path);
    assertFalse(Files.exists(path));
    assertEquals(List.of(), fs.list(dir));
    assertNotMapped(path);
  }

  // ---------------------------------------------------------------- reopened for appends (openMapped)

  @Test
  void aReopenedFileContinuesAtTheOffsetAndWhatLayPastItIsGone() throws Exception {
    Path path = dir.resolve("log");
    try (WritableFile out = fs.createMapped(path, SEGMENT, preparer)) {
      out.append(bytes(300, 1));
    }
    // Stale bytes past the point to continue from: not zeros, so any that survived would show.
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes(3 * SEGMENT, 9)), 300);
    }
    try (WritableFile out = fs.openMapped(path, 200, SEGMENT, preparer)) {
      assertEquals(200, out.size());
      out.append(bytes(50, 2));
      assertEquals(250, out.size());
      byte[] open = readAll(fs, path);
      assertArrayEquals(concat(Arrays.copyOf(bytes(300, 1), 200), bytes(50, 2)), Arrays.copyOf(open, 250));
      assertArrayEquals(new byte[open.length - 250], Arrays.copyOfRange(open, 250, open.length),
          "while open: zeros past the appends, as for a new mapped file, not the stale bytes");
    }
    assertArrayEquals(concat(Arrays.copyOf(bytes(300, 1), 200), bytes(50, 2)), readAll(fs, path));
  }

  @Test
  void aReopenedFileTakesAppendsAcrossManySegmentsAndSyncs() throws Exception {
    Path path = dir.resolve("log");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (WritableFile out = fs.createMapped(path, SEGMENT, preparer)) {
      out.append(bytes(SEGMENT + 77, 1));
      expected.write(bytes(SEGMENT + 77, 1));
      out.sync(); // and then left unclosed: the zero-filled tail a crashed process leaves
    }
    for (int round = 0; round < 3; round++) {
      try (WritableFile out = fs.openMapped(path, expected.size(), SEGMENT, preparer)) {
        for (int i = 0; i < 200; i++) {
          byte[] record = bytes(29 + i % 61, round * 1000 + i);
          out.append(record);
          expected.write(record);
          if (i % 50 == 0) {
            out.sync();
          }
        }
      }
    }
    assertTrue(expected.size() > 4 * SEGMENT);
    assertArrayEquals(expected.toByteArray(), readAll(fs, path));
  }

  @Test
  void openMappedRefusesAMissingFileAndAnOffsetPastTheEnd() throws Exception {
    Path path = dir.resolve("log");
    assertThrows(java.nio.file.NoSuchFileException.class, () -> fs.openMapped(path, 0, SEGMENT, preparer));
    try (WritableFile out = fs.createMapped(path, SEGMENT, preparer)) {
      out.append(bytes(100, 1));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fs.openMapped(path, 101, SEGMENT, preparer));
    assertEquals("cannot append to " + path + " from offset 101: it holds 100 bytes", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> fs.openMapped(path, -1, SEGMENT, preparer));
    assertThrows(IllegalArgumentException.class, () -> fs.openMapped(path, 10, 0, preparer));
    assertArrayEquals(bytes(100, 1), readAll(fs, path), "a refused open changes nothing");
  }

  // ---------------------------------------------------------------- segments prepared ahead

  @Test
  void theNextSegmentIsPreparedOnThePreparerBeforeTheAppendsNeedIt() throws Exception {
    Path path = dir.resolve("log");
    HeldTasks held = new HeldTasks();
    try (WritableFile out = fs.createMapped(path, SEGMENT, held)) {
      assertEquals(1, held.size(), "the first segment is put in preparation at once");
      held.runAll();
      assertEquals(SEGMENT, Files.size(path));
      // Zeros written for a segment the file never reaches count as written all the same, so a
      // file that ends early in a segment must not have prepared the next one.
      out.append(bytes(SEGMENT / 2 - 1, 1));
      assertEquals(0, held.size(), "nothing more is prepared before half of the segment is filled");
      out.append(bytes(1, 2));
      assertEquals(1, held.size(), "at the half, the next segment is put in preparation");
      held.runAll();
      assertEquals(2 * SEGMENT, Files.size(path));
      out.append(bytes(SEGMENT, 3)); // to the half of the prepared segment: the third is asked for
      held.runAll();
      assertEquals(3 * SEGMENT, Files.size(path));
    }
    assertArrayEquals(concat(bytes(SEGMENT / 2 - 1, 1), bytes(1, 2), bytes(SEGMENT, 3)), readAll(fs, path));
  }

  @Test
  void appendsThatOutrunAPreparationStillInTheQueueMapTheSegmentThemselves() throws Exception {
    Path path = dir.resolve("log");
    HeldTasks held = new HeldTasks();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (WritableFile out = fs.createMapped(path, SEGMENT, held)) {
      for (int i = 0; i < 50; i++) {
        byte[] record = bytes(SEGMENT / 3, i);
        out.append(record);
        expected.write(record);
      }
      long length = Files.size(path);
      // Every task but the newest, for the segment after the current one, was claimed by an append
      // that mapped its segment itself: only the newest maps anything now.
      held.runAll();
      assertEquals(length + SEGMENT, Files.size(path));
    }
    assertArrayEquals(expected.toByteArray(), readAll(fs, path));
  }

  @Test
  void aPreparerThatRefusesWorkLeavesTheMappingToTheAppends() throws Exception {
    Path path = dir.resolve("log");
    try (WritableFile out = fs.createMapped(path, SEGMENT, task -> {
      throw new RejectedExecutionException("shutting down");
    })) {
      out.append(bytes(3 * SEGMENT + 5, 1));
      out.sync();
    }
    assertArrayEquals(bytes(3 * SEGMENT + 5, 1), readAll(fs, path));
  }

  @Test
  void aDirectPreparerMapsOneSegmentAheadOnTheAppendingThread() throws Exception {
    Path path = dir.resolve("log");
    try (WritableFile out = fs.createMapped(path, SEGMENT, Runnable::run)) {
      assertEquals(SEGMENT, Files.size(path));
      out.append(bytes(SEGMENT + SEGMENT / 2, 1));
      assertEquals(3 * SEGMENT, Files.size(path));
    }
    assertArrayEquals(bytes(SEGMENT + SEGMENT / 2, 1), readAll(fs, path));
  }

  @Test
  void closeReleasesAPreparedSegmentAndTruncatesItsSpace() throws Exception {
    Path path = dir.resolve("000009.log");
    HeldTasks held = new HeldTasks();
    WritableFile out = fs.createMapped(path, SEGMENT, held);
    held.runAll();
    out.append(bytes(SEGMENT / 2, 1));
    held.runAll(); // the second segment is mapped and waiting
    assertEquals(2 * SEGMENT, Files.size(path));
    out.close();
    assertEquals(SEGMENT / 2, Files.size(path));
    assertNotMapped(path);
  }

  @Test
  void aPreparationThatRunsAfterCloseDoesNothing() throws Exception {
    Path path = dir.resolve("log");
    HeldTasks held = new HeldTasks();
    WritableFile out = fs.createMapped(path, SEGMENT, held);
    out.close();
    held.runAll();
    assertEquals(0, Files.size(path));
    assertNotMapped(path);
  }

  @Test
  void closeRacingPreparationsOnAnotherThreadLeavesExactlyTheAppendedBytes() throws Exception {
    for (int round = 0; round < 50; round++) {
      Path path = dir.resolve("race-" + round);
      WritableFile out = fs.createMapped(path, SEGMENT, preparer);
      out.append(bytes(round * 100, round));
      out.close();
      assertEquals(round * 100, Files.size(path));
      fs.delete(path);
      assertNotMapped(path);
    }
  }

  /** A mapping the GC has not yet collected would still be listed, "(deleted)", holding the space. */
  private static void assertNotMapped(Path path) throws IOException {
    Path maps = Path.of("/proc/self/maps");
    assumeTrue(Files.isReadable(maps), "no /proc/self/maps on this system");
    List<String> stillMapped = Files.readAllLines(maps).stream().filter(l -> l.contains(path.toString())).toList();
    assertEquals(List.of(), stillMapped);
  }

  /** An executor that runs its tasks only when told to, on the test's thread. */
  private static final class HeldTasks implements java.util.concurrent.Executor {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    int size() {
      return tasks.size();
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
    }
  }
}
