package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sync floor: records appended back to back, each commit synced before it returns, the file
 * gone at close; one caller writes its own records, more hand them to an appender.
 */
@Timeout(60)
class SyncFloorTest {
  @TempDir
  Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void commitsLandBackToBackInAPreallocatedFileThatCloseDeletes() throws Exception {
    Path file;
    try (SyncFloor floor = SyncFloor.open(dir, 2)) {
      file = floor.path();
      assertEquals(SyncFloor.FILE_BYTES, Files.size(file), "filled with zeros before the first record");
      floor.commit(b("k1"), b("value-1"));
      floor.commit(b("k2"), b("value-2"));
      assertEquals(2, floor.syncs(), "one caller at a time: one fdatasync per commit");
      byte[] head = Arrays.copyOf(Files.readAllBytes(file), 20);
      assertArrayEquals(b("k1value-1k2value-2\0\0"), head);
      assertEquals(SyncFloor.FILE_BYTES, Files.size(file), "appends stay inside the file");
    }
    assertFalse(Files.exists(file));
  }

  @Test
  void oneCallerWritesAndSyncsItsOwnRecordsWithNoAppender() throws Exception {
    Path file;
    try (SyncFloor floor = SyncFloor.open(dir, 1)) {
      file = floor.path();
      assertFalse(floor.handsOff());
      floor.commit(b("k1"), b("value-1"));
      floor.commit(b("k2"), b("value-2"));
      assertEquals(2, floor.syncs(), "one fdatasync per commit");
      byte[] head = Arrays.copyOf(Files.readAllBytes(file), 20);
      assertArrayEquals(b("k1value-1k2value-2\0\0"), head);
    }
    assertFalse(Files.exists(file));
  }

  @Test
  void openedForOneCallerCommitsFromMoreStillAllLand() throws Exception {
    int threads = 4;
    int each = 50;
    try (SyncFloor floor = SyncFloor.open(dir, 1)) {
      List<Thread> running = new ArrayList<>();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      for (int t = 0; t < threads; t++) {
        Thread thread = new Thread(() -> {
          try {
            for (int i = 0; i < each; i++) {
              floor.commit(b("0123456789"), b("v"));
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        running.add(thread);
        thread.start();
      }
      for (Thread thread : running) {
        thread.join();
      }
      assertEquals(null, failure.get());
      assertEquals((long) threads * each, floor.syncs(), "one at a time, one fdatasync each");
      byte[] written = Arrays.copyOf(Files.readAllBytes(floor.path()), threads * each * 11 + 1);
      for (int i = 0; i < threads * each; i++) {
        assertArrayEquals(b("0123456789v"), Arrays.copyOfRange(written, i * 11, i * 11 + 11), "record " + i);
      }
      assertEquals(0, written[threads * each * 11], "nothing past the last record");
    }
  }

  @Test
  void noCallersIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SyncFloor.open(dir, 0));
    assertEquals("callers must be at least 1, got 0", e.getMessage());
  }

  @Test
  void appendsWrapAroundInsideTheFile() throws Exception {
    byte[] key = new byte[16];
    byte[] value = new byte[1 << 20];
    Arrays.fill(value, (byte) 7);
    try (SyncFloor floor = SyncFloor.open(dir, 1)) {
      long records = SyncFloor.FILE_BYTES / (key.length + value.length) + 2;
      for (int i = 0; i < records; i++) {
        floor.commit(key, value);
      }
      assertEquals(SyncFloor.FILE_BYTES, Files.size(floor.path()));
    }
  }

  @Test
  void everyCommitOfManyThreadsReturnsAndNoMoreSyncsThanCommits() throws Exception {
    int threads = 16;
    int each = 200;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (SyncFloor floor = SyncFloor.open(dir, threads)) {
      assertTrue(floor.handsOff());
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        byte[] key = b("key-" + t);
        Thread thread = new Thread(() -> {
          try {
            go.await();
            for (int i = 0; i < each; i++) {
              floor.commit(key, b("v" + i));
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        running.add(thread);
        thread.start();
      }
      go.countDown();
      for (Thread thread : running) {
        thread.join();
      }
      assertEquals(null, failure.get());
      long syncs = floor.syncs();
      assertTrue(syncs >= 1 && syncs <= (long) threads * each, "syncs: " + syncs);
    }
  }

  @Test
  void aRecordLargerThanTheFileIsRefused() throws Exception {
    try (SyncFloor floor = SyncFloor.open(dir, 1)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> floor.commit(new byte[16], new byte[SyncFloor.FILE_BYTES]));
      assertEquals("a record of " + (16 + SyncFloor.FILE_BYTES) + " bytes does not fit the sync floor's file of "
          + SyncFloor.FILE_BYTES + " bytes", e.getMessage());
    }
  }
}
