package dev.strata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wal-compression}: with LZ4 the log takes fewer bytes than the writes it holds, and a store
 * replays its log whichever setting wrote each record, since one log may hold both forms.
 */
class WalCompressionTest {
  @TempDir Path dir;

  /** A memtable large enough that nothing is flushed: every read after a reopen comes from the log. */
  private static StrataOptions options(Compression wal) {
    return StrataOptions.builder().memtableSizeBytes(64L << 20).walCompression(wal).build();
  }

  /** 100-byte values: 50 random bytes, then the same 50 again. */
  private static byte[] value(Random random) {
    byte[] half = new byte[50];
    random.nextBytes(half);
    byte[] v = Arrays.copyOf(half, 100);
    System.arraycopy(half, 0, v, 50, 50);
    return v;
  }

  private static long write(Strata db, int from, int count, Random random, List<byte[]> written) {
    long before = db.stats().walBytesWritten();
    for (int i = from; i < from + count; i++) {
      byte[] v = value(random);
      db.put(TestHarness.key(i), v);
      written.add(v);
    }
    return db.stats().walBytesWritten() - before;
  }

  private static void assertHolds(Strata db, List<byte[]> written, String when) {
    for (int i = 0; i < written.size(); i++) {
      assertArrayEquals(written.get(i), db.get(TestHarness.key(i)), when + ": key " + i);
    }
  }

  private List<String> files(String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
    }
  }

  @Test
  void oneLogHoldsRecordsOfBothSettingsAndReplaysWholeUnderEither() throws IOException {
    Random random = new Random(41);
    List<byte[]> written = new ArrayList<>();
    long userBytes = 2_000L * (TestHarness.key(0).length + 100);
    long compressedLog;
    try (Strata db = Strata.open(dir, options(Compression.LZ4))) {
      compressedLog = write(db, 0, 2_000, random, written);
    }
    long plainLog;
    try (Strata db = Strata.open(dir, options(Compression.NONE))) {
      assertHolds(db, written, "LZ4 records replayed with the setting off");
      plainLog = write(db, 2_000, 2_000, random, written);
    }
    try (Strata db = Strata.open(dir, options(Compression.LZ4))) {
      assertHolds(db, written, "both forms replayed with the setting on");
    }
    assertEquals(List.of(), files(".sst"), "nothing was flushed: the reads came from the log");
    assertEquals(1, files(".wal").size(), "one log, appended to by both settings: " + files(".wal"));
    // Half of each value repeats: a compressed record is about 86 bytes, a plain one about 128.
    assertTrue(plainLog > userBytes, plainLog + " log bytes for " + userBytes + " user bytes");
    assertTrue(compressedLog < plainLog * 3 / 4, compressedLog + " log bytes compressed, " + plainLog + " plain");
  }

  @Test
  void syncedBatchesAndDeletesReplayFromACompressedLog() throws IOException {
    Random random = new Random(43);
    StrataOptions synced = options(Compression.LZ4).toBuilder().syncWrites(true).build();
    byte[][] expected = new byte[1_000][];
    try (Strata db = Strata.open(dir, synced)) {
      for (int b = 0; b < 200; b++) {
        WriteBatch batch = new WriteBatch();
        for (int i = b * 5; i < b * 5 + 5; i++) {
          expected[i] = value(random);
          batch.put(TestHarness.key(i), expected[i]);
        }
        db.write(batch);
      }
      for (int i = 0; i < 1_000; i += 7) {
        db.delete(TestHarness.key(i));
        expected[i] = null;
      }
    }
    try (Strata db = Strata.open(dir, options(Compression.NONE))) {
      for (int i = 0; i < 1_000; i++) {
        assertArrayEquals(expected[i], db.get(TestHarness.key(i)), "key " + i);
      }
    }
    assertEquals(List.of(), files(".sst"), "nothing was flushed: the reads came from the log");
  }

  @Test
  void theSettingIsReadFromConfigurationAndNamedInTheOptions() {
    StrataOptions lz4 = StrataOptions.fromConfig(ConfigFactory.parseString("strata.wal-compression = lz4"));
    assertEquals(Compression.LZ4, lz4.walCompression());
    assertEquals(Compression.NONE, StrataOptions.defaults().walCompression());
    assertTrue(lz4.toString().contains("walCompression=lz4"), lz4.toString());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> StrataOptions.fromConfig(ConfigFactory.parseString("strata.wal-compression = zstd")));
    assertTrue(e.getMessage().startsWith("strata.wal-compression: "), e.getMessage());
  }
}
