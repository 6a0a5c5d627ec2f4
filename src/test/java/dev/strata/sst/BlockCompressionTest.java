package dev.strata.sst;

import static dev.strata.sst.SstTestHarness.Entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Compression;
import dev.strata.CorruptionException;
import dev.strata.cache.BlockCache;
import dev.strata.iterator.InternalIterator;
import dev.strata.key.Lookup;
import dev.strata.util.ByteBuilder;
import dev.strata.util.Bytes;
import dev.strata.util.Crc32c;
import dev.strata.util.Varint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Data blocks are stored under the table's codec when that shrinks them by at least 1/8, raw
 * otherwise, each block saying which in its trailer's type byte; every codec reads back exactly
 * what was written, through the cache or not; a damaged compressed block is a
 * {@link CorruptionException}, never garbage.
 */
class BlockCompressionTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  /** The harness's entries, with values half random and half a repeated byte (LZ4 halves them). */
  private static List<Entry> compressible(long seed, int keys) {
    Random rnd = new Random(seed);
    List<Entry> out = new ArrayList<>();
    for (Entry e : SstTestHarness.generate(rnd, keys)) {
      byte[] v = e.value();
      if (v.length > 0) {
        v = new byte[100];
        rnd.nextBytes(v);
        java.util.Arrays.fill(v, 50, 100, (byte) 'x');
      }
      out.add(new Entry(e.userKey(), e.sequence(), e.kind(), v));
    }
    return out;
  }

  /** The harness's entries with values of random bytes, which no codec shrinks. */
  private static List<Entry> incompressible(long seed, int keys) {
    Random rnd = new Random(seed);
    List<Entry> out = new ArrayList<>();
    for (Entry e : SstTestHarness.generate(rnd, keys)) {
      byte[] v = new byte[e.value().length == 0 ? 0 : 200];
      rnd.nextBytes(v);
      out.add(new Entry(e.userKey(), e.sequence(), e.kind(), v));
    }
    return out;
  }

  /** The type byte of every data block, read from the file's bytes at the end of each block. */
  private static int[] blockTypes(Path path) throws IOException {
    byte[] file = Files.readAllBytes(path);
    try (TableReader r = SstTestHarness.open(path, null)) {
      TableIndex index = r.index();
      int[] types = new int[index.blockCount()];
      for (int i = 0; i < types.length; i++) {
        types[i] = file[(int) (index.offset(i) + index.size(i))] & 0xff;
      }
      return types;
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void everyCodecReadsBackEveryEntryThroughTheCacheAndWithout(Compression c) throws IOException {
    long seed = SstTestHarness.seed("everyCodecReadsBackEveryEntry " + c);
    List<Entry> entries = compressible(seed, 5000);
    Path path = dir.resolve(c + ".sst");
    TableProperties written = SstTestHarness.writeTable(path, entries, new TableOptions(4096, 10).withCompression(c));
    assertEquals(Files.size(path), written.fileSize());
    for (int run = 0; run < 4; run++) {
      BlockCache cache = run % 2 == 0 ? null : new BlockCache(64L << 20);
      boolean mapped = run >= 2; // a channel's reads copy each block; a mapping lends its memory
      try (TableReader r = mapped ? SstTestHarness.openMapped(path, cache) : SstTestHarness.open(path, cache)) {
        for (int pass = 0; pass < 2; pass++) { // the second pass reads from the cache, when there is one
          for (Entry e : entries) {
            Lookup l = r.get(e.userKey(), e.sequence());
            assertTrue(SstTestHarness.matches(e, l), c + " seed " + seed + ": " + e.describe() + " read as "
                + SstTestHarness.describe(l));
          }
        }
        int i = 0;
        try (InternalIterator it = r.iterator()) {
          for (it.seekToFirst(); it.isValid(); it.next(), i++) {
            Entry e = entries.get(i);
            assertArrayEquals(e.userKey(), it.userKey());
            assertEquals(e.sequence(), it.sequence());
            assertArrayEquals(e.value(), it.value(), "value of " + e.describe());
          }
        }
        assertEquals(entries.size(), i);
        assertTrue(TableVerifier.verify(r).sound(), TableVerifier.verify(r).problems().toString());
        if (cache != null && c != Compression.NONE) {
          assertTrue(cache.hits() > 0, "the second pass hits the cache");
        } else if (cache != null) {
          assertEquals(0, cache.hits() + cache.misses(), "raw blocks are read from the file, not cached");
        }
      }
    }
  }

  @Test
  void compressibleBlocksAreStoredAsLz4AndThePropertiesCountTheSaving() throws IOException {
    Path path = dir.resolve("lz4.sst");
    TableProperties p = SstTestHarness.writeTable(path, compressible(1, 5000),
        TableOptions.defaults().withCompression(Compression.LZ4));
    for (int type : blockTypes(path)) {
      assertEquals(BlockCodec.TYPE_LZ4, type);
    }
    assertEquals(Compression.LZ4, p.compression());
    assertEquals(p.dataBlockCount(), p.compressedDataBlockCount());
    double ratio = (double) p.uncompressedDataBytes() / p.storedDataBytes();
    assertTrue(ratio > 1.5, "ratio " + ratio + " for values half made of one repeated byte: " + p);
    try (TableReader r = SstTestHarness.open(path, null)) {
      assertEquals(r.index().dataBytes(), r.properties().storedDataBytes(), "the index's sizes are the stored ones");
      assertEquals(p.uncompressedDataBytes(), r.properties().uncompressedDataBytes());
      assertEquals(Compression.LZ4, r.properties().compression());
    }
  }

  @Test
  void aBlockThatDoesNotShrinkByAnEighthIsStoredRaw() throws IOException {
    Path path = dir.resolve("random.sst");
    TableProperties p = SstTestHarness.writeTable(path, incompressible(2, 3000),
        TableOptions.defaults().withCompression(Compression.LZ4));
    int[] types = blockTypes(path);
    assertTrue(types.length > 10);
    for (int type : types) {
      assertEquals(BlockTrailer.TYPE_UNCOMPRESSED, type);
    }
    assertEquals(Compression.LZ4, p.compression(), "the setting is recorded even when no block took it");
    assertEquals(0, p.compressedDataBlockCount());
    assertEquals(p.uncompressedDataBytes(), p.storedDataBytes());
  }

  @Test
  void theOneEighthRuleIsStrict() {
    assertTrue(BlockCodec.worthKeeping(3583, 4096));
    assertFalse(BlockCodec.worthKeeping(3584, 4096), "4096 - 4096/8 = 3584 saves exactly an eighth: not enough");
    assertFalse(BlockCodec.worthKeeping(100, 100));
  }

  @Test
  void aFlippedByteInACompressedBlockIsCorruptionOnEveryRead() throws IOException {
    List<Entry> entries = compressible(3, 3000);
    Path path = dir.resolve("flip.sst");
    SstTestHarness.writeTable(path, entries, TableOptions.defaults().withCompression(Compression.LZ4));
    long offset;
    try (TableReader r = SstTestHarness.open(path, null)) {
      offset = r.index().offset(1);
    }
    SstTestHarness.flipByte(path, offset + 10, 0x40);
    try (TableReader r = SstTestHarness.open(path, null); TableReader mapped = SstTestHarness.openMapped(path, null)) {
      CorruptionException fromMapping = assertThrows(CorruptionException.class, () -> mapped.readDataBlock(1));
      assertTrue(fromMapping.getMessage().contains("data block at offset " + offset + ": checksum"),
          fromMapping.getMessage());
      CorruptionException e = assertThrows(CorruptionException.class, () -> r.readDataBlock(1));
      assertTrue(e.getMessage().contains("data block at offset " + offset) && e.getMessage().contains("checksum"),
          e.getMessage());
      assertThrows(CorruptionException.class, () -> {
        try (InternalIterator it = r.iterator()) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            it.value();
          }
        }
      });
      assertFalse(TableVerifier.verify(r).sound());
    }
  }

  @Test
  void aCompressedBlockWhoseContentsDoNotDecodeIsCorruptionEvenWithAValidChecksum() throws IOException {
    Path path = dir.resolve("lie.sst");
    SstTestHarness.writeTable(path, compressible(4, 3000), TableOptions.defaults().withCompression(Compression.LZ4));
    long offset;
    int size;
    try (TableReader r = SstTestHarness.open(path, null)) {
      offset = r.index().offset(0);
      size = r.index().size(0);
    }
    byte[] file = Files.readAllBytes(path);
    long packed = Varint.decode32(file, (int) offset, (int) offset + size);
    int recorded = Varint.value(packed);
    int lengthBytes = Varint.position(packed) - (int) offset;
    // One byte short of what the LZ4 bytes hold, in as many varint bytes: only the codec can tell.
    ByteBuilder shorter = new ByteBuilder().putVarint32(recorded - 1);
    assertEquals(lengthBytes, shorter.size());
    System.arraycopy(shorter.array(), 0, file, (int) offset, lengthBytes);
    Bytes.putIntLE(file, (int) offset + size + 1, Crc32c.maskedOf(file, (int) offset, size + 1));
    Files.write(path, file);
    for (boolean mapped : new boolean[] {false, true}) {
      try (TableReader r = mapped ? SstTestHarness.openMapped(path, null) : SstTestHarness.open(path, null)) {
        CorruptionException e = assertThrows(CorruptionException.class, () -> r.readDataBlock(0));
        assertTrue(e.getMessage().contains("lie.sst: data block at offset " + offset + ": lz4 block"), e.getMessage());
        assertThrows(CorruptionException.class, () -> r.get(SstTestHarness.key(0), Long.MAX_VALUE >>> 8));
      }
    }
  }

  @Test
  void theCodecRejectsTruncatedOverlongAndUnknownContents() {
    byte[] raw = new byte[4096];
    new Random(5).nextBytes(raw);
    java.util.Arrays.fill(raw, 2048, 4096, (byte) 7);
    ByteBuilder stored = new BlockCodec(Compression.LZ4).compress(raw, raw.length);
    byte[] bytes = stored.toByteArray();
    assertArrayEquals(raw, BlockCodec.decompress(BlockCodec.TYPE_LZ4, bytes, bytes.length, raw.length));
    assertThrows(CorruptionException.class,
        () -> BlockCodec.decompress(BlockCodec.TYPE_LZ4, bytes, bytes.length - 5, raw.length), "truncated");
    CorruptionException big = assertThrows(CorruptionException.class,
        () -> BlockCodec.decompress(BlockCodec.TYPE_LZ4, bytes, bytes.length, raw.length - 1));
    assertTrue(big.getMessage().contains("4096 uncompressed bytes"), big.getMessage());
    assertThrows(CorruptionException.class, () -> BlockCodec.decompress(BlockCodec.TYPE_LZ4, bytes, 0, raw.length),
        "no length at all");
    byte[] huge = new ByteBuilder().putVarint32(1_000_000_000).putBytes(new byte[10]).toByteArray();
    CorruptionException claim = assertThrows(CorruptionException.class, () -> BlockCodec.decompress(
        BlockCodec.TYPE_LZ4, huge, huge.length, BlockCodec.maxUncompressedLength(huge.length)));
    assertTrue(claim.getMessage().contains("claims 1000000000 uncompressed bytes"), claim.getMessage());
    CorruptionException unknown = assertThrows(CorruptionException.class,
        () -> BlockCodec.decompress(9, bytes, bytes.length, raw.length));
    assertTrue(unknown.getMessage().contains("unknown block type 9"), unknown.getMessage());
  }

  @Test
  void noNativeLibraryIsLoaded() throws IOException {
    SstTestHarness.writeTable(dir.resolve("n.sst"), compressible(6, 500),
        TableOptions.defaults().withCompression(Compression.LZ4));
    try (TableReader r = SstTestHarness.open(dir.resolve("n.sst"), null)) {
      r.readDataBlock(0);
    }
    assertFalse(net.jpountz.util.Native.isLoaded(), "lz4-java's JNI library was loaded");
  }
}
