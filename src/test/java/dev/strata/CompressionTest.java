package dev.strata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.fs.DiskFileSystem;
import dev.strata.sst.TableProperties;
import dev.strata.sst.TableReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compression through the public API: the options choose a codec per level (flushes write level
 * 0's, compactions their output level's), files written under different settings mix in one store,
 * and stats() reports the ratio the live tables achieve.
 */
class CompressionTest {
  @TempDir Path dir;

  private static StrataOptions options(Compression everywhereElse, List<Compression> perLevel) {
    return StrataOptions.builder()
        .memtableSizeBytes(1 << 20)
        .blockSizeBytes(4096)
        .compaction(CompactionOptions.leveled())
        .compression(everywhereElse)
        .compressionPerLevel(perLevel)
        .build();
  }

  /** 100-byte values: 50 random bytes, then 50 copies of one byte (db_bench's 50% compressible). */
  private static byte[] compressibleValue(Random rnd) {
    byte[] v = new byte[100];
    rnd.nextBytes(v);
    java.util.Arrays.fill(v, 50, 100, (byte) 'z');
    return v;
  }

  private static byte[] randomValue(Random rnd) {
    byte[] v = new byte[100];
    rnd.nextBytes(v);
    return v;
  }

  private static void write(Strata db, int from, int count, java.util.function.Supplier<byte[]> values,
      List<byte[]> written) {
    for (int i = from; i < from + count; i++) {
      byte[] v = values.get();
      db.put(TestHarness.key(i), v);
      written.add(v);
    }
  }

  private static void assertReadsEverything(Strata db, List<byte[]> written) {
    for (int i = 0; i < written.size(); i++) {
      assertArrayEquals(written.get(i), db.get(TestHarness.key(i)), "key " + i);
    }
    int n = 0;
    try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
      for (; it.isValid(); it.next(), n++) {
        assertArrayEquals(written.get(n), it.value(), "scanned key " + n);
      }
    }
    assertEquals(written.size(), n);
  }

  /** The properties of every SST in the store's directory, read from the files. */
  private List<TableProperties> tables() throws IOException {
    List<TableProperties> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".sst")).sorted().toList()) {
        try (TableReader r = TableReader.open(DiskFileSystem.INSTANCE.openReadable(p), 0, p.toString(), null)) {
          out.add(r.properties());
        }
      }
    }
    return out;
  }

  @Test
  void aStoreWrittenWithoutCompressionReopenedWithLz4ReadsEveryFileBeforeAndAfterCompaction() throws IOException {
    Random rnd = new Random(1);
    List<byte[]> written = new ArrayList<>();
    try (Strata db = Strata.open(dir, options(Compression.NONE, List.of()))) {
      write(db, 0, 3000, () -> compressibleValue(rnd), written);
      db.flush();
    }
    assertEquals(List.of(Compression.NONE), tables().stream().map(TableProperties::compression).toList());
    try (Strata db = Strata.open(dir, options(Compression.LZ4, List.of()))) {
      write(db, 3000, 3000, () -> compressibleValue(rnd), written);
      db.flush();
      assertEquals(List.of(Compression.NONE, Compression.LZ4),
          tables().stream().map(TableProperties::compression).toList(), "one file of each setting");
      assertReadsEverything(db, written);
      db.compact();
      for (TableProperties t : tables()) {
        assertEquals(Compression.LZ4, t.compression(), t.toString());
        assertTrue(t.compressedDataBlockCount() > 0, t.toString());
      }
      assertReadsEverything(db, written);
    }
    try (Strata db = Strata.open(dir, options(Compression.NONE, List.of()))) {
      assertReadsEverything(db, written);
    }
  }

  @Test
  void flushesWriteLevelZerosSettingAndCompactionsTheirOutputLevels() throws IOException {
    Random rnd = new Random(2);
    List<byte[]> written = new ArrayList<>();
    try (Strata db = Strata.open(dir, options(Compression.LZ4, List.of(Compression.NONE)))) {
      write(db, 0, 3000, () -> compressibleValue(rnd), written);
      db.flush();
      assertEquals(List.of(Compression.NONE), tables().stream().map(TableProperties::compression).toList());
      db.compact();
      assertEquals(0, db.stats().levelFileCounts()[0], "the compaction left L0 empty");
      assertFalse(tables().isEmpty());
      for (TableProperties t : tables()) {
        assertEquals(Compression.LZ4, t.compression(), "below L0: " + t);
      }
    }
  }

  @Test
  void theSameDataUnderTheOppositeSettingComesOutTheOtherWayRound() throws IOException {
    Random rnd = new Random(3);
    List<byte[]> written = new ArrayList<>();
    try (Strata db = Strata.open(dir, options(Compression.NONE, List.of(Compression.LZ4)))) {
      write(db, 0, 3000, () -> compressibleValue(rnd), written);
      db.flush();
      assertEquals(List.of(Compression.LZ4), tables().stream().map(TableProperties::compression).toList());
      db.compact();
      for (TableProperties t : tables()) {
        assertEquals(Compression.NONE, t.compression(), "below L0: " + t);
        assertEquals(0, t.compressedDataBlockCount());
      }
      assertReadsEverything(db, written);
    }
  }

  @Test
  void theCompressionRatioIsHighForCompressibleDataAndAboutOneForRandomData() {
    Random rnd = new Random(4);
    try (Strata db = Strata.open(dir.resolve("compressible"), options(Compression.LZ4, List.of()))) {
      write(db, 0, 5000, () -> compressibleValue(rnd), new ArrayList<>());
      db.flush();
      double ratio = db.stats().compressionRatio();
      assertTrue(ratio > 1.5, "ratio " + ratio + " for values half made of one repeated byte");
      assertTrue(db.stats().toString().contains(String.format("compression ratio: %.2f", ratio)), db.stats().toString());
    }
    try (Strata db = Strata.open(dir.resolve("random"), options(Compression.LZ4, List.of()))) {
      write(db, 0, 5000, () -> randomValue(rnd), new ArrayList<>());
      db.flush();
      double ratio = db.stats().compressionRatio();
      assertTrue(ratio > 0.95 && ratio < 1.05, "ratio " + ratio + " for random values");
    }
    try (Strata db = Strata.open(dir.resolve("off"), options(Compression.NONE, List.of()))) {
      assertEquals(1.0, db.stats().compressionRatio(), "no tables yet");
      write(db, 0, 5000, () -> compressibleValue(rnd), new ArrayList<>());
      db.flush();
      assertEquals(1.0, db.stats().compressionRatio(), "compression off");
    }
  }

  @Test
  void compressionIsOffByDefaultTheUsualSettingIsOneOptionAwayAndConfigReadsListsAndStrings() {
    StrataOptions defaults = StrataOptions.defaults();
    for (int level = 0; level <= 7; level++) {
      assertEquals(Compression.NONE, defaults.compressionForLevel(level), "level " + level);
    }
    StrataOptions usual = StrataOptions.fromConfig(ConfigFactory.parseString("strata.compression = lz4"));
    assertEquals(Compression.NONE, usual.compressionForLevel(0));
    assertEquals(Compression.NONE, usual.compressionForLevel(1));
    assertEquals(Compression.LZ4, usual.compressionForLevel(2));
    assertEquals(Compression.LZ4, usual.compressionForLevel(6));
    assertEquals(defaults.compressionPerLevel(), StrataOptions.builder().build().compressionPerLevel());
    assertEquals(defaults.compression(), StrataOptions.builder().build().compression());

    StrataOptions fromList = StrataOptions.fromConfig(ConfigFactory.parseString(
        "strata { compression = none, compression-per-level = [lz4, none, LZ4] }"));
    assertEquals(List.of(Compression.LZ4, Compression.NONE, Compression.LZ4), fromList.compressionPerLevel());
    assertEquals(Compression.NONE, fromList.compressionForLevel(3));
    StrataOptions fromString = StrataOptions.fromConfig(ConfigFactory.parseString(
        "strata { compression-per-level = \"none, lz4\" }"));
    assertEquals(List.of(Compression.NONE, Compression.LZ4), fromString.compressionPerLevel());
    StrataOptions empty = StrataOptions.fromConfig(ConfigFactory.parseString(
        "strata { compression = lz4, compression-per-level = [] }"));
    assertEquals(Compression.LZ4, empty.compressionForLevel(0));
  }

  @Test
  void anUnknownCodecIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StrataOptions.fromConfig(ConfigFactory.parseString("strata.compression-per-level = [none, zstd]")));
    assertTrue(e.getMessage().contains("compression-per-level[1]") && e.getMessage().contains("'zstd'")
        && e.getMessage().contains("none, lz4"), e.getMessage());
    IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
        () -> StrataOptions.fromConfig(ConfigFactory.parseString("strata.compression = snappy")));
    assertTrue(f.getMessage().contains("strata.compression") && f.getMessage().contains("'snappy'"), f.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> StrataOptions.builder().compressionPerLevel(java.util.Arrays.asList(Compression.LZ4, null)));
    assertThrows(IllegalArgumentException.class, () -> StrataOptions.defaults().compressionForLevel(-1));
  }
}
