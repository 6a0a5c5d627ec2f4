package dev.strata.fs;

import static dev.strata.fs.FsTestHarness.bytes;
import static dev.strata.fs.FsTestHarness.concat;
import static dev.strata.fs.FsTestHarness.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileSystem#createPreallocated} on the real file system: the WAL of stores with synced writes. */
class PreallocatedWritableFileTest {
  private static final int SEGMENT = 4096;

  private final FileSystem fs = DiskFileSystem.INSTANCE;
  private final ExecutorService preparer = Executors.newSingleThreadExecutor();
  @TempDir Path dir;

  @AfterEach
  void stopPreparer() throws InterruptedException {
    preparer.shutdown();
    assertTrue(preparer.awaitTermination(60, TimeUnit.SECONDS));
  }

  @Test
  void appendsWaitInTheProcessUntilASyncWritesThemIntoSpaceClaimedAhead() throws Exception {
    Path path = dir.resolve("log");
    ArrayDeque<Runnable> held = new ArrayDeque<>();
    try (WritableFile out = fs.createPreallocated(path, SEGMENT, held::add)) {
      assertEquals(1, held.size(), "the first segment is asked for at once");
      held.poll().run();
      assertEquals(SEGMENT, Files.size(path), "claimed with zeros");
      out.append(bytes(100, 1));
      assertEquals(100, out.size());
      assertArrayEquals(new byte[SEGMENT], readAll(fs, path), "not written before a sync");
      out.sync();
      byte[] onDisk = readAll(fs, path);
      assertEquals(SEGMENT, onDisk.length, "the sync wrote into claimed space: the length did not change");
      assertArrayEquals(bytes(100, 1), Arrays.copyOf(onDisk, 100));
      assertArrayEquals(new byte[SEGMENT - 100], Arrays.copyOfRange(onDisk, 100, SEGMENT), "a zero-filled tail");
      out.append(bytes(SEGMENT / 2, 2));
      assertEquals(1, held.size(), "within half a segment of the claimed end, the next segment is asked for");
      held.poll().run();
      assertEquals(2 * SEGMENT, Files.size(path));
    }
    assertArrayEquals(concat(bytes(100, 1), bytes(SEGMENT / 2, 2)), readAll(fs, path), "close writes out and cuts the tail");
  }

  @Test
  void aWriteOutLargerThanItsDirectBufferAndHugeAppendsArriveWholeAndInOrder() throws Exception {
    // Write-outs copy through a 256 KiB direct buffer; a 3 MiB group takes twelve copies, and the
    // buffer that grew for it is not kept for the next.
    Path path = dir.resolve("log");
    byte[] huge = bytes(3 << 20, 8);
    try (WritableFile out = fs.createPreallocated(path, SEGMENT, preparer)) {
      out.append(bytes(10, 9));
      out.append(huge);
      out.sync();
      out.append(bytes(20, 10));
      out.sync();
    }
    assertArrayEquals(concat(bytes(10, 9), huge, bytes(20, 10)), readAll(fs, path));
  }

  @Test
  void flushHandsAppendsToTheOperatingSystemWithoutASync() throws Exception {
    Path path = dir.resolve("log");
    try (WritableFile out = fs.createPreallocated(path, SEGMENT, preparer)) {
      out.append(bytes(300, 3));
      out.flush();
      assertArrayEquals(bytes(300, 3), Arrays.copyOf(readAll(fs, path), 300));
    }
  }

  @Test
  void appendsFarPastTheClaimedSpaceAreWrittenWholeWhenThePreparerRefusesWork() throws Exception {
    Path path = dir.resolve("log");
    try (WritableFile out = fs.createPreallocated(path, SEGMENT, task -> {
      throw new RejectedExecutionException("shutting down");
    })) {
      out.append(bytes(5 * SEGMENT + 7, 4));
      out.sync();
      out.append(bytes(10, 5));
    }
    assertArrayEquals(concat(bytes(5 * SEGMENT + 7, 4), bytes(10, 5)), readAll(fs, path));
  }

  @Test
  void syncsOnAnotherThreadWhileAppendingLoseNothingAndKeepTheOrder() throws Exception {
    Path path = dir.resolve("log");
    byte[] expected;
    try (WritableFile out = fs.createPreallocated(path, SEGMENT, preparer)) {
      expected = FsTestHarness.appendWhileAnotherThreadSyncs(out);
    }
    assertArrayEquals(expected, readAll(fs, path));
  }

  @Test
  void aReopenedFileContinuesAtTheOffsetAndWhatLayPastItIsGone() throws Exception {
    Path path = dir.resolve("log");
    try (WritableFile out = fs.createPreallocated(path, SEGMENT, preparer)) {
      out.append(bytes(300, 6));
    }
    try (WritableFile out = fs.openPreallocated(path, 200, SEGMENT, preparer)) {
      assertEquals(200, out.size());
      out.append(bytes(50, 7));
      out.sync();
    }
    assertArrayEquals(concat(Arrays.copyOf(bytes(300, 6), 200), bytes(50, 7)), readAll(fs, path));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fs.openPreallocated(path, 251, SEGMENT, preparer));
    assertEquals("cannot append to " + path + " from offset 251: it holds 250 bytes", e.getMessage());
  }

  @Test
  void aFailedWriteOutIsFinalAndNoLaterWriteOutLeavesAHoleBeforeItsBytes() throws Exception {
    Path path = dir.resolve("log");
    WritableFile out = fs.createPreallocated(path, SEGMENT, preparer);
    out.append(bytes(100, 1));
    out.sync();
    out.append(bytes(50, 2));
    // An interrupted thread's write closes the channel (ClosedByInterruptException): the 50 bytes
    // it took from the buffer never reach the file.
    Throwable[] thrown = new Throwable[1];
    Thread interrupted = new Thread(() -> {
      Thread.currentThread().interrupt();
      try {
        out.flush();
      } catch (Throwable t) {
        thrown[0] = t;
      }
    });
    interrupted.start();
    interrupted.join();
    assertTrue(thrown[0] instanceof IOException, "the write-out failed: " + thrown[0]);
    out.append(bytes(10, 3));
    IOException later = assertThrows(IOException.class, out::sync);
    assertTrue(later.getMessage().startsWith("an earlier write to " + path + " failed"), later.getMessage());
    assertThrows(IOException.class, out::flush);
    assertThrows(IOException.class, out::close, "the channel is gone: the claimed tail cannot be cut");
    byte[] onDisk = readAll(fs, path);
    assertArrayEquals(bytes(100, 1), Arrays.copyOf(onDisk, 100), "what was synced stays");
    assertArrayEquals(new byte[onDisk.length - 100], Arrays.copyOfRange(onDisk, 100, onDisk.length),
        "nothing past it: the later bytes were not written after the lost ones");
  }

  @Test
  void aClosedFileRefusesAppendsAndSyncsAndAnExistingFileIsNotCreatedAgain() throws Exception {
    Path path = dir.resolve("log");
    WritableFile out = fs.createPreallocated(path, SEGMENT, preparer);
    out.close();
    out.close();
    assertThrows(IOException.class, () -> out.append(bytes(1, 1)));
    assertThrows(IOException.class, out::sync);
    assertEquals(0, Files.size(path));
    assertThrows(FileAlreadyExistsException.class, () -> fs.createPreallocated(path, SEGMENT, preparer));
    assertThrows(IllegalArgumentException.class, () -> fs.createPreallocated(dir.resolve("other"), 0, preparer));
  }
}
