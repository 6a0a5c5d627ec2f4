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
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileSystem#createMapped} on the real file system. */
class MappedWritableFileTest {
  private static final int SEGMENT = 4096;

  private final FileSystem fs = DiskFileSystem.INSTANCE;
  @TempDir Path dir;

  @Test
  void appendsAreReadableAfterCloseAtExactlyTheirSize() throws Exception {
    Path path = dir.resolve("000001.log");
    try (WritableFile out = fs.createMapped(path, SEGMENT)) {
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
    try (WritableFile out = fs.createMapped(path, SEGMENT)) {
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
    try (WritableFile out = fs.createMapped(path, SEGMENT)) {
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
    try (WritableFile out = fs.createMapped(path, SEGMENT)) {
      out.append(bytes(100, 1));
      byte[] onDisk = readAll(fs, path);
      assertEquals(SEGMENT, onDisk.length);
      assertArrayEquals(bytes(100, 1), Arrays.copyOf(onDisk, 100));
      assertArrayEquals(new byte[SEGMENT - 100], Arrays.copyOfRange(onDisk, 100, SEGMENT));
    }
  }

  @Test
  void syncsOnAnotherThreadWhileAppendingLoseNothing() throws Exception {
    Path path = dir.resolve("log");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (WritableFile out = fs.createMapped(path, SEGMENT)) {
      AtomicBoolean appending = new AtomicBoolean(true);
      CompletableFuture<Integer> syncer = CompletableFuture.supplyAsync(() -> {
        int syncs = 0;
        while (appending.get()) {
          try {
            out.sync();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          syncs++;
        }
        return syncs;
      });
      for (int i = 0; i < 20_000; i++) {
        byte[] record = bytes(1 + i % 97, i);
        out.append(record);
        expected.write(record);
      }
      appending.set(false);
      assertTrue(syncer.get(60, TimeUnit.SECONDS) > 0);
    }
    assertArrayEquals(expected.toByteArray(), readAll(fs, path));
  }

  @Test
  void closeWhileAnotherThreadSyncsMakesTheSyncsFailCleanly() throws Exception {
    WritableFile out = fs.createMapped(dir.resolve("log"), SEGMENT);
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
    WritableFile out = fs.createMapped(dir.resolve("log"), SEGMENT);
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
    fs.createMapped(path, SEGMENT).close();
    assertThrows(FileAlreadyExistsException.class, () -> fs.createMapped(path, SEGMENT));
  }

  @Test
  void aNonPositiveSegmentSizeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> fs.createMapped(dir.resolve("log"), 0));
    assertFalse(Files.exists(dir.resolve("log")));
  }

  @Test
  void aClosedAndDeletedMappedFileLeavesNothingBehind() throws Exception {
    Path path = dir.resolve("000007.log");
    try (WritableFile out = fs.createMapped(path, SEGMENT)) {
      for (int i = 0; i < 10; i++) {
        out.append(bytes(SEGMENT / 3, i));
      }
      out.sync();
      out.append(bytes(SEGMENT, 1));
    }
    fs.delete(path);
    assertFalse(Files.exists(path));
    assertEquals(List.of(), fs.list(dir));
    // A mapping the GC has not yet collected would still be listed, "(deleted)", holding the space.
    Path maps = Path.of("/proc/self/maps");
    assumeTrue(Files.isReadable(maps), "no /proc/self/maps on this system");
    List<String> stillMapped = Files.readAllLines(maps).stream().filter(l -> l.contains(path.toString())).toList();
    assertEquals(List.of(), stillMapped);
  }
}
