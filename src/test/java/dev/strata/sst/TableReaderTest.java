package dev.strata.sst;

import static dev.strata.sst.SstTestHarness.Entry;
import static dev.strata.sst.SstTestHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Compression;
import dev.strata.CorruptionException;
import dev.strata.StrataException;
import dev.strata.cache.BlockCache;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.iterator.InternalIterator;
import dev.strata.key.InternalKey;
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

class TableReaderTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private Path writeSingleValueTable(String name, String value, int entries) throws IOException {
    Path path = dir.resolve(name);
    List<Entry> list = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      list.add(new Entry(SstTestHarness.key(i), 1, ValueKind.PUT, bytes(value + i)));
    }
    SstTestHarness.writeTable(path, list, new TableOptions(256, 10));
    return path;
  }

  /** As above, with LZ4 blocks: values padded so that every block compresses, and is cached. */
  private Path writeCompressedTable(String name, String value, int entries) throws IOException {
    Path path = dir.resolve(name);
    List<Entry> list = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      list.add(new Entry(SstTestHarness.key(i), 1, ValueKind.PUT, bytes(value + i + "-".repeat(60))));
    }
    TableProperties p = SstTestHarness.writeTable(path, list, new TableOptions(256, 10).withCompression(Compression.LZ4));
    assertEquals(p.dataBlockCount(), p.compressedDataBlockCount(), "every block of the test table compressed");
    return path;
  }

  @Test
  void tablesSharingACacheNeverSeeEachOthersBlocks() throws IOException {
    // Same keys and value lengths: the two files have blocks at identical offsets.
    Path a = writeCompressedTable("a.sst", "alpha", 500);
    Path b = writeCompressedTable("b.sst", "bravo", 500);
    BlockCache cache = new BlockCache(1 << 20);
    try (TableReader ra = TableReader.open(DiskFileSystem.INSTANCE.openReadable(a), 1, "a.sst", cache);
        TableReader rb = TableReader.open(DiskFileSystem.INSTANCE.openReadable(b), 1, "a.sst", cache)) {
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 500; i++) {
          assertArrayEquals(bytes("alpha" + i + "-".repeat(60)), ra.get(SstTestHarness.key(i), 5).value());
          assertArrayEquals(bytes("bravo" + i + "-".repeat(60)), rb.get(SstTestHarness.key(i), 5).value());
        }
      }
      assertTrue(cache.hits() > 0);
    }
  }

  @Test
  void aCorruptedDataBlockIsNeverCachedSoEveryReadOfItFails() throws IOException {
    Path path = writeCompressedTable("t.sst", "v", 500);
    SstTestHarness.flipByte(path, 20, 0x01); // inside the first data block
    BlockCache cache = new BlockCache(1 << 20);
    try (TableReader r = SstTestHarness.open(path, cache)) {
      for (int attempt = 0; attempt < 3; attempt++) {
        CorruptionException e = assertThrows(CorruptionException.class, () -> r.get(SstTestHarness.key(0), 5));
        assertTrue(e.getMessage().contains("t.sst: data block at offset 0"), e.getMessage());
        InternalIterator it = r.iterator();
        assertThrows(CorruptionException.class, it::seekToFirst);
      }
      assertEquals(0, cache.hits(), "no read was served the bad block from the cache");
      assertEquals(0, cache.usedBytes());
      assertArrayEquals(bytes("v499" + "-".repeat(60)), r.get(SstTestHarness.key(499), 5).value(),
          "the sound blocks still read");
      assertTrue(cache.usedBytes() > 0, "and are cached");
    }
  }

  @Test
  void closingATableDropsItsBlocksFromTheSharedCache() throws IOException {
    Path a = writeCompressedTable("a.sst", "alpha", 500);
    Path b = writeCompressedTable("b.sst", "bravo", 500);
    BlockCache cache = new BlockCache(1 << 20);
    try (TableReader ra = SstTestHarness.open(a, cache)) {
      for (int i = 0; i < 500; i++) {
        ra.get(SstTestHarness.key(i), 5);
      }
      long aloneBytes = cache.usedBytes();
      assertTrue(aloneBytes > 0);
      TableReader rb = SstTestHarness.open(b, cache);
      for (int i = 0; i < 500; i++) {
        rb.get(SstTestHarness.key(i), 5);
      }
      assertTrue(cache.usedBytes() > aloneBytes);
      rb.close();
      assertEquals(aloneBytes, cache.usedBytes(), "b's blocks left with b");
      long hits = cache.hits();
      assertArrayEquals(bytes("alpha7" + "-".repeat(60)), ra.get(SstTestHarness.key(7), 5).value());
      assertEquals(hits + 1, cache.hits(), "a's blocks stayed");
    }
    assertEquals(0, cache.usedBytes());
  }

  @Test
  void rawBlocksAreReadFromTheFileWithoutTheCache() throws IOException {
    Path path = writeSingleValueTable("t.sst", "v", 500);
    BlockCache cache = new BlockCache(1 << 20);
    try (TableReader r = SstTestHarness.open(path, cache)) {
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 500; i++) {
          assertArrayEquals(bytes("v" + i), r.get(SstTestHarness.key(i), 5).value());
        }
      }
      assertEquals(0, cache.hits() + cache.misses(), "an uncompressed table never looks in the cache");
      assertEquals(0, cache.usedBytes());
    }
  }

  @Test
  void aReadFailureInsideTheIteratorBecomesAStrataExceptionWithTheCause() throws IOException {
    Path path = writeSingleValueTable("t.sst", "v", 500);
    FailingFile file = new FailingFile(DiskFileSystem.INSTANCE.openReadable(path));
    try (TableReader r = TableReader.open(file, 3, "t.sst", null)) {
      InternalIterator it = r.iterator();
      it.seekToFirst();
      file.failing = true;
      StrataException e = assertThrows(StrataException.class, () -> {
        while (it.isValid()) {
          it.next();
        }
      });
      assertInstanceOf(IOException.class, e.getCause());
      assertTrue(e.getMessage().contains("t.sst"), e.getMessage());
    }
  }

  @Test
  void getPassesReadFailuresOnAsIoException() throws IOException {
    Path path = writeSingleValueTable("t.sst", "v", 500);
    FailingFile file = new FailingFile(DiskFileSystem.INSTANCE.openReadable(path));
    try (TableReader r = TableReader.open(file, 3, "t.sst", null)) {
      file.failing = true;
      assertThrows(IOException.class, () -> r.get(SstTestHarness.key(10), 5));
    }
  }

  @Test
  void aFailedOpenClosesTheFile() throws IOException {
    Path path = writeSingleValueTable("t.sst", "v", 10);
    SstTestHarness.flipByte(path, Files.size(path) - 1, 0x20);
    FailingFile file = new FailingFile(DiskFileSystem.INSTANCE.openReadable(path));
    assertThrows(CorruptionException.class, () -> TableReader.open(file, 3, "t.sst", null));
    assertTrue(file.closed);
  }

  @Test
  void aTableWithoutAFilterMayContainEveryKey() throws IOException {
    Path path = dir.resolve("t.sst");
    SstTestHarness.writeTable(path, SstTestHarness.generate(new Random(3), 1000), new TableOptions(4096, 0));
    try (TableReader r = SstTestHarness.open(path, null)) {
      assertEquals(0, r.footer().filter().size());
      assertTrue(r.mayContain(bytes("anything")));
      assertEquals(null, r.get(bytes("anything"), InternalKey.MAX_SEQUENCE));
    }
  }

  @Test
  void iteratorArraysStayValidAfterTheIteratorMovesOn() throws IOException {
    Path path = writeSingleValueTable("t.sst", "v", 300);
    try (TableReader r = SstTestHarness.open(path, new BlockCache(1 << 20))) {
      InternalIterator it = r.iterator();
      it.seekToFirst();
      byte[] key = it.userKey();
      byte[] value = it.value();
      for (int i = 0; i < 299; i++) {
        it.next();
      }
      assertArrayEquals(SstTestHarness.key(0), key);
      assertArrayEquals(bytes("v0"), value);
    }
  }

  @Test
  void aNullFileNameIsReplacedByTheFileNumber() throws IOException {
    Path path = writeSingleValueTable("t.sst", "v", 3);
    try (TableReader r = TableReader.open(DiskFileSystem.INSTANCE.openReadable(path), 42, null, null)) {
      assertEquals("SST #42", r.fileName());
    }
  }

  /** A file whose reads start failing on demand, and that records whether it was closed. */
  private static final class FailingFile implements ReadableFile {
    private final ReadableFile delegate;
    volatile boolean failing;
    boolean closed;

    FailingFile(ReadableFile delegate) {
      this.delegate = delegate;
    }

    @Override
    public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
      if (failing) {
        throw new IOException("injected read failure at " + position);
      }
      delegate.readFully(position, dst, offset, length);
    }

    @Override
    public long size() throws IOException {
      return delegate.size();
    }

    @Override
    public void close() throws IOException {
      closed = true;
      delegate.close();
    }
  }
}
