package dev.strata.sst;

import static dev.strata.sst.SstTestHarness.Entry;
import static dev.strata.sst.SstTestHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.ForwardingWritableFile;
import dev.strata.fs.WritableFile;
import dev.strata.key.InternalKey;
import dev.strata.key.Lookup;
import dev.strata.key.ValueKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

class TableBuilderTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private TableBuilder builder(String name, TableOptions options) throws IOException {
    return new TableBuilder(DiskFileSystem.INSTANCE.create(dir.resolve(name)), options);
  }

  @Test
  void aKeyBelowThePreviousOneIsRejectedNamingBothKeys() throws IOException {
    TableBuilder b = builder("t.sst", TableOptions.defaults());
    b.add(bytes("m"), 5, ValueKind.PUT, bytes("x"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.add(bytes("a"), 9, ValueKind.PUT, bytes("y")));
    assertTrue(e.getMessage().contains("a@9:PUT") && e.getMessage().contains("m@5:PUT"), e.getMessage());
  }

  @Test
  void anOlderVersionMustComeAfterANewerOne() throws IOException {
    TableBuilder b = builder("t.sst", TableOptions.defaults());
    b.add(bytes("k"), 5, ValueKind.PUT, bytes("x"));
    assertThrows(IllegalArgumentException.class, () -> b.add(bytes("k"), 6, ValueKind.PUT, bytes("y")));
    assertThrows(IllegalArgumentException.class, () -> b.add(bytes("k"), 5, ValueKind.PUT, bytes("y")));
    b.add(bytes("k"), 4, ValueKind.PUT, bytes("z"));
  }

  @Test
  void aSequenceOutside56BitsIsRejected() throws IOException {
    TableBuilder b = builder("t.sst", TableOptions.defaults());
    assertThrows(IllegalArgumentException.class, () -> b.add(bytes("k"), -1, ValueKind.PUT, bytes("x")));
    assertThrows(IllegalArgumentException.class,
        () -> b.add(bytes("k"), InternalKey.MAX_SEQUENCE + 1, ValueKind.PUT, bytes("x")));
  }

  @Test
  void noEntryMayBeAddedAfterFinishOrAbandon() throws IOException {
    TableBuilder finished = builder("a.sst", TableOptions.defaults());
    finished.finish();
    assertThrows(IllegalStateException.class, () -> finished.add(bytes("k"), 1, ValueKind.PUT, bytes("x")));
    assertThrows(IllegalStateException.class, finished::finish);
    TableBuilder abandoned = builder("b.sst", TableOptions.defaults());
    abandoned.abandon();
    assertThrows(IllegalStateException.class, () -> abandoned.add(bytes("k"), 1, ValueKind.PUT, bytes("x")));
  }

  @Test
  void finishSyncsTheFileAndLeavesItOpenForTheCaller() throws IOException {
    RecordingFile file = new RecordingFile(DiskFileSystem.INSTANCE.create(dir.resolve("t.sst")));
    TableBuilder b = new TableBuilder(file, TableOptions.defaults());
    b.add(bytes("k"), 1, ValueKind.PUT, bytes("v"));
    TableProperties p = b.finish();
    assertTrue(file.synced, "finish must sync");
    assertFalse(file.closed, "finish must not close");
    file.close();
    assertEquals(Files.size(dir.resolve("t.sst")), p.fileSize());
  }

  @Test
  void anEmptyTableCanBeWrittenAndRead() throws IOException {
    TableBuilder b = builder("t.sst", TableOptions.defaults());
    TableProperties written = b.finish();
    assertEquals(0, written.entryCount());
    try (TableReader r = SstTestHarness.open(dir.resolve("t.sst"), null)) {
      assertEquals(0, r.properties().entryCount());
      assertNull(r.properties().smallestUserKey());
      assertNull(r.get(bytes("k"), InternalKey.MAX_SEQUENCE));
      var it = r.iterator();
      it.seekToFirst();
      assertFalse(it.isValid());
    }
  }

  @Test
  void aTombstoneIsStoredWithAnEmptyValue() throws IOException {
    TableBuilder b = builder("t.sst", TableOptions.defaults());
    b.add(bytes("k"), 3, ValueKind.DELETE, bytes("ignored"));
    b.finish();
    try (TableReader r = SstTestHarness.open(dir.resolve("t.sst"), null)) {
      Lookup l = r.get(bytes("k"), 10);
      assertTrue(l.isDelete());
      assertEquals(0, l.value().length);
      assertEquals(1, r.properties().tombstoneCount());
    }
  }

  @Test
  void versionsOfOneKeySpanningManyBlocksAreEachFound() throws IOException {
    List<Entry> entries = new ArrayList<>();
    entries.add(new Entry(bytes("a"), 1000, ValueKind.PUT, bytes("before")));
    for (long s = 500; s >= 100; s -= 2) {
      entries.add(new Entry(bytes("hot"), s, s % 10 == 0 ? ValueKind.DELETE : ValueKind.PUT,
          s % 10 == 0 ? new byte[0] : bytes("hot@" + s)));
    }
    entries.add(new Entry(bytes("z"), 1, ValueKind.PUT, bytes("after")));
    Path path = dir.resolve("t.sst");
    SstTestHarness.writeTable(path, entries, new TableOptions(64, 10, 2));
    try (TableReader r = SstTestHarness.open(path, null)) {
      assertTrue(r.properties().dataBlockCount() > 20, "the versions must span many blocks");
      for (long probe = 0; probe <= 600; probe++) {
        Entry expected = SstTestHarness.expectedGet(entries, bytes("hot"), probe);
        Lookup actual = r.get(bytes("hot"), probe);
        assertTrue(SstTestHarness.matches(expected, actual),
            "get(hot, " + probe + ") = " + SstTestHarness.describe(actual) + ", expected " + SstTestHarness.describe(expected));
      }
    }
  }

  @Test
  void blocksAreCutAtTheTargetSizeAndOneLargeEntryMakesOneLargeBlock() throws IOException {
    Path path = dir.resolve("t.sst");
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      int size = i == 500 ? 20_000 : 30;
      entries.add(new Entry(SstTestHarness.key(i), 1, ValueKind.PUT, new byte[size]));
    }
    SstTestHarness.writeTable(path, entries, new TableOptions(1024, 10));
    try (TableReader r = SstTestHarness.open(path, null)) {
      TableIndex index = r.index();
      int large = 0;
      for (int i = 0; i < index.blockCount(); i++) {
        int size = index.size(i);
        if (size > 20_000) {
          large++;
        } else {
          // Cut as soon as the size reaches the target, so at most one entry (under 80 bytes) over.
          assertTrue(size < 1024 + 80, "block " + i + " is " + size + " bytes");
          if (i < index.blockCount() - 1) {
            assertTrue(size >= 1024, "block " + i + " was cut early at " + size + " bytes");
          }
        }
      }
      assertEquals(1, large);
    }
  }

  @Test
  void estimatedSizeTracksTheFinalFileSize() throws IOException {
    List<Entry> entries = SstTestHarness.generate(new Random(1), 20_000);
    TableBuilder b = builder("t.sst", TableOptions.defaults());
    long previous = 0;
    for (Entry e : entries) {
      b.add(e.userKey(), e.sequence(), e.kind(), e.value());
      long estimate = b.estimatedSize();
      assertTrue(estimate >= previous, "the estimate went back from " + previous + " to " + estimate);
      previous = estimate;
    }
    long fileSize = b.finish().fileSize();
    assertTrue(Math.abs(fileSize - previous) < fileSize / 100,
        "estimate " + previous + " is more than 1% from the file size " + fileSize);
  }

  @Test
  void tablesWrittenTwiceFromTheSameEntriesAreIdentical() throws IOException {
    List<Entry> entries = SstTestHarness.generate(new Random(2), 5_000);
    SstTestHarness.writeTable(dir.resolve("a.sst"), entries, TableOptions.defaults());
    SstTestHarness.writeTable(dir.resolve("b.sst"), entries, TableOptions.defaults());
    assertArrayEquals(Files.readAllBytes(dir.resolve("a.sst")), Files.readAllBytes(dir.resolve("b.sst")));
  }

  /** Passes writes through and records whether the builder synced or closed. */
  private static final class RecordingFile extends ForwardingWritableFile {
    boolean synced;
    boolean closed;

    RecordingFile(WritableFile delegate) {
      super(delegate);
    }

    @Override
    public void sync() throws IOException {
      synced = true;
      delegate.sync();
    }

    @Override
    public void close() throws IOException {
      closed = true;
      delegate.close();
    }
  }

}
