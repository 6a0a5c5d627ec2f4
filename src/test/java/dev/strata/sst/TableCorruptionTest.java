package dev.strata.sst;

import static dev.strata.sst.SstTestHarness.Entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.CorruptionException;
import dev.strata.iterator.InternalIterator;
import dev.strata.key.InternalKey;
import dev.strata.key.Lookup;
import dev.strata.util.Bytes;
import dev.strata.util.Crc32c;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage anywhere in a table must surface as {@link CorruptionException}, at open or at the read
 * that touches the damaged block: never as a wrong value, and never as a present key reported
 * absent.
 */
class TableCorruptionTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;
  private List<Entry> entries;
  private byte[] original;
  private Footer footer;
  private long[] blockOffsets;
  private int[] blockSizes;
  private int copies;

  @BeforeEach
  void writeTable() throws IOException {
    entries = SstTestHarness.generate(new Random(11), 3000);
    Path path = dir.resolve("t.sst");
    SstTestHarness.writeTable(path, entries, new TableOptions(1024, 10));
    original = Files.readAllBytes(path);
    try (TableReader r = SstTestHarness.open(path, null)) {
      footer = r.footer();
      TableIndex index = r.index();
      blockOffsets = new long[index.blockCount()];
      blockSizes = new int[index.blockCount()];
      for (int i = 0; i < index.blockCount(); i++) {
        blockOffsets[i] = index.offset(i);
        blockSizes[i] = index.size(i);
      }
    }
    assertTrue(blockOffsets.length > 10 && footer.hasFilter());
  }

  /** A copy of the table with {@code data[position] ^= mask}. */
  private Path flipped(long position, int mask) throws IOException {
    byte[] copy = original.clone();
    copy[(int) position] ^= (byte) mask;
    return write(copy);
  }

  private Path write(byte[] bytes) throws IOException {
    Path path = dir.resolve("copy-" + (copies++) + ".sst");
    Files.write(path, bytes);
    return path;
  }

  /** The CorruptionException that reading everything must end in. */
  private CorruptionException assertDetected(Path path, String what) throws IOException {
    CorruptionException e = readEverything(path, what);
    return e != null ? e : fail(what + ": the damage went unnoticed");
  }

  /**
   * Opens the table and reads every entry by get and by a scan; returns the CorruptionException
   * met on the way, or null. Fails the test if any read returns a wrong answer.
   */
  private CorruptionException readEverything(Path path, String what) throws IOException {
    try (TableReader r = SstTestHarness.open(path, null)) {
      for (Entry e : entries) {
        Lookup l = r.get(e.userKey(), e.sequence());
        if (!SstTestHarness.matches(e, l)) {
          fail(what + ": get(" + e.describe() + ") returned " + SstTestHarness.describe(l) + " instead of failing");
        }
      }
      try (InternalIterator it = r.iterator()) {
        it.seekToFirst();
        for (Entry e : entries) {
          if (!it.isValid() || !e.describe().equals(InternalKey.describe(it.userKey(), it.sequence(), it.kind()))
              || !Arrays.equals(e.value(), it.value())) {
            fail(what + ": the scan returned something other than " + e.describe() + " instead of failing");
          }
          it.next();
        }
      }
    } catch (CorruptionException e) {
      return e;
    }
    return null;
  }

  @Test
  void theUndamagedTableReadsCleanly() throws IOException {
    Path path = write(original);
    assertEquals(null, readEverything(path, "clean table"));
  }

  @Test
  void aFlippedByteInADataBlockIsDetectedWhenTheBlockIsRead() throws IOException {
    for (int block : new int[] {0, blockOffsets.length / 2, blockOffsets.length - 1}) {
      long start = blockOffsets[block];
      int size = blockSizes[block];
      // First byte, middle, last content byte, the type byte, a checksum byte.
      for (long pos : new long[] {start, start + size / 2, start + size - 1, start + size, start + size + 3}) {
        Path path = flipped(pos, 0x10);
        try (TableReader r = SstTestHarness.open(path, null)) {
          // The damage is in a data block, which open does not read.
          assertEquals(entries.size(), r.properties().entryCount());
        }
        CorruptionException e = assertDetected(path, "data block " + block + " byte " + pos);
        assertTrue(e.getMessage().contains("data block at offset " + start), e.getMessage());
        assertTrue(e.getMessage().startsWith(path.getFileName() + ": "), e.getMessage());
      }
    }
  }

  @Test
  void aFlippedByteInTheIndexIsDetectedAtOpen() throws IOException {
    assertMetadataDamageDetectedAtOpen(footer.index(), "index block");
  }

  @Test
  void aFlippedByteInTheFilterIsDetectedAtOpen() throws IOException {
    assertMetadataDamageDetectedAtOpen(footer.filter(), "filter block");
  }

  @Test
  void aFlippedByteInThePropertiesIsDetectedAtOpen() throws IOException {
    assertMetadataDamageDetectedAtOpen(footer.properties(), "properties block");
  }

  private void assertMetadataDamageDetectedAtOpen(BlockHandle h, String kind) throws IOException {
    for (long pos = h.offset(); pos < h.end(); pos += Math.max(1, h.size() / 40)) {
      Path path = flipped(pos, 0x04);
      CorruptionException e = assertThrows(CorruptionException.class, () -> SstTestHarness.open(path, null).close(),
          kind + " byte " + pos);
      assertTrue(e.getMessage().contains(kind + " at offset " + h.offset()), e.getMessage());
    }
    Path lastTrailerByte = flipped(h.end() - 1, 0x80);
    assertThrows(CorruptionException.class, () -> SstTestHarness.open(lastTrailerByte, null).close());
  }

  @Test
  void aFlippedByteInTheFooterIsDetectedAtOpen() throws IOException {
    long footerStart = original.length - Footer.BYTES;
    for (int i = 0; i < Footer.BYTES - Footer.MAGIC.length; i++) {
      Path path = flipped(footerStart + i, 0x01);
      CorruptionException e = assertThrows(CorruptionException.class, () -> SstTestHarness.open(path, null).close(),
          "footer byte " + i);
      assertTrue(e.getMessage().contains("footer"), e.getMessage());
    }
  }

  @Test
  void aFlippedByteInTheMagicNumberMeansNotAStrataTable() throws IOException {
    for (int i = Footer.BYTES - Footer.MAGIC.length; i < Footer.BYTES; i++) {
      Path path = flipped(original.length - Footer.BYTES + i, 0x40);
      CorruptionException e = assertThrows(CorruptionException.class, () -> SstTestHarness.open(path, null).close());
      assertTrue(e.getMessage().contains("not a Strata SST"), e.getMessage());
    }
  }

  @Test
  void aTruncatedFileIsNotAStrataTable() throws IOException {
    int n = original.length;
    for (int length : new int[] {0, 1, Footer.BYTES - 1, Footer.BYTES, 1000, n / 2, n - 8, n - 1}) {
      Path path = write(Arrays.copyOf(original, length));
      CorruptionException e = assertThrows(CorruptionException.class, () -> SstTestHarness.open(path, null).close(),
          "truncated to " + length);
      assertTrue(e.getMessage().contains("not a Strata SST"), e.getMessage());
    }
  }

  @Test
  void bytesAppendedAfterTheFooterMeanNotAStrataTable() throws IOException {
    Path path = write(Arrays.copyOf(original, original.length + 100));
    assertThrows(CorruptionException.class, () -> SstTestHarness.open(path, null).close());
  }

  @Test
  void anUnknownFormatVersionIsNamed() throws IOException {
    byte[] copy = original.clone();
    int footerStart = copy.length - Footer.BYTES;
    Bytes.putIntLE(copy, footerStart + 48, 7);
    Bytes.putIntLE(copy, footerStart + 52, Crc32c.maskedOf(copy, footerStart, 52));
    Path path = write(copy);
    CorruptionException e = assertThrows(CorruptionException.class, () -> SstTestHarness.open(path, null).close());
    assertTrue(e.getMessage().contains("unknown SST format version 7"), e.getMessage());
  }

  @Test
  void everySingleByteFlipInASmallTableIsDetected() throws IOException {
    entries = SstTestHarness.generate(new Random(12), 40);
    Path path = dir.resolve("small.sst");
    SstTestHarness.writeTable(path, entries, new TableOptions(256, 10, 4));
    original = Files.readAllBytes(path);
    for (int pos = 0; pos < original.length; pos++) {
      Path copy = flipped(pos, 1 << (pos % 8));
      assertDetected(copy, "byte " + pos + " of " + original.length);
      Files.delete(copy);
    }
  }
}
