package dev.strata.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import dev.strata.CorruptionException;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import dev.strata.WalRecoveryMode;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.util.Crc32c;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The OPTIONS file: what a store was opened with, versioned, checksummed, only the newest kept. */
class OptionsFileTest {
  private static final Path DIR = Path.of("/store");

  @Test
  void everyOptionRoundTripsThroughTheFile() {
    long seed = TestHarness.seed("everyOptionRoundTripsThroughTheFile");
    Random rnd = new Random(seed);
    for (int i = 0; i < 200; i++) {
      StrataOptions o = randomOptions(rnd);
      StrataOptions back = OptionsFile.decode("OPTIONS", OptionsFile.encode(o));
      assertSameOptions(o, back, "seed " + seed + ", case " + i);
    }
  }

  @Test
  void theFileIsTextWithAVersionHeaderAndATrailingChecksumLine() {
    String text = new String(OptionsFile.encode(StrataOptions.defaults()), StandardCharsets.US_ASCII);
    List<String> lines = text.lines().toList();
    assertEquals("strata-options 1", lines.get(0));
    assertTrue(lines.contains("memtable-size = 16777216"), text);
    assertTrue(lines.contains("memtables-per-flush = 2"), text);
    assertTrue(lines.contains("compaction.strategy = leveled"), text);
    assertTrue(lines.contains("wal-recovery-mode = point-in-time"), text);
    assertTrue(lines.contains("create-if-missing = true"), text);
    assertTrue(lines.get(lines.size() - 1).matches("crc32c = [0-9a-f]{8}"), text);
    assertTrue(text.endsWith("\n"), "every line ends with a line break");
  }

  @Test
  void openingAStoreWritesTheOptionsItWasOpenedWith() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    StrataOptions options = StrataOptions.builder().memtableSizeBytes(1 << 20).bloomBitsPerKey(7)
        .compaction(CompactionOptions.tiered().numTiers(5)).build();
    StoreEngine.open(DIR, options, fs).releaseResources();
    assertEquals(1, optionsFiles(fs).size(), "one OPTIONS file: " + fs.list(DIR));
    assertSameOptions(options, OptionsFile.read(fs, DIR).orElseThrow(), "as opened");
  }

  @Test
  void reopeningKeepsOnlyTheNewestOptionsFile() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    StoreEngine.open(DIR, StrataOptions.builder().bloomBitsPerKey(3).build(), fs).releaseResources();
    String first = optionsFiles(fs).get(0);
    StrataOptions second = StrataOptions.builder().bloomBitsPerKey(9).build();
    StoreEngine.open(DIR, second, fs).releaseResources();
    List<String> after = optionsFiles(fs);
    assertEquals(1, after.size(), "the older OPTIONS file is deleted: " + fs.list(DIR));
    assertTrue(after.get(0).compareTo(first) > 0, after.get(0) + " is newer than " + first);
    assertEquals(9, OptionsFile.read(fs, DIR).orElseThrow().bloomBitsPerKey(), "the newest options are read");
  }

  @Test
  void writingDeletesOlderOptionsFilesOnlyAfterTheNewOneIsInPlace() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(DIR);
    OptionsFile.write(fs, DIR, 3, StrataOptions.builder().maxImmutableMemtables(2).build());
    OptionsFile.write(fs, DIR, 7, StrataOptions.builder().maxImmutableMemtables(6).build());
    assertEquals(List.of("OPTIONS-000007"), optionsFiles(fs));
    assertFalse(fs.list(DIR).stream().anyMatch(n -> n.endsWith(FileNames.TEMP_SUFFIX)), "no temporary file left");
    assertEquals(6, OptionsFile.read(fs, DIR).orElseThrow().maxImmutableMemtables());
  }

  @Test
  void aStoreWithoutAnOptionsFileReadsAsEmpty() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    assertTrue(OptionsFile.read(fs, DIR).isEmpty(), "no directory");
    fs.createDirectories(DIR);
    assertTrue(OptionsFile.read(fs, DIR).isEmpty(), "an empty directory");
  }

  @Test
  void everyFlippedBitIsACorruptionException() {
    byte[] good = OptionsFile.encode(StrataOptions.defaults());
    for (int pos = 0; pos < good.length; pos++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = good.clone();
        bad[pos] ^= (byte) (1 << bit);
        int at = pos;
        assertThrows(CorruptionException.class, () -> OptionsFile.decode("OPTIONS", bad),
            "bit " + bit + " of byte " + at + " flipped");
      }
    }
  }

  @Test
  void aCutShortFileIsACorruptionException() {
    byte[] good = OptionsFile.encode(StrataOptions.defaults());
    for (int len = 0; len < good.length; len++) {
      byte[] cut = java.util.Arrays.copyOf(good, len);
      assertThrows(CorruptionException.class, () -> OptionsFile.decode("OPTIONS", cut), len + " bytes");
    }
  }

  @Test
  void anUnknownFormatVersionIsAClearError() {
    String text = new String(OptionsFile.encode(StrataOptions.defaults()), StandardCharsets.US_ASCII)
        .replaceFirst("^strata-options 1\n", "strata-options 2\n");
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> OptionsFile.decode("OPTIONS-000009", withChecksum(text)));
    assertTrue(e.getMessage().contains("OPTIONS-000009") && e.getMessage().contains("version '2'")
        && e.getMessage().contains("reads 1"), e.getMessage());
  }

  @Test
  void anOptionThisBuildDoesNotKnowIsACorruptionException() {
    String good = new String(OptionsFile.encode(StrataOptions.defaults()), StandardCharsets.US_ASCII);
    String text = good.substring(0, good.lastIndexOf("crc32c = ")) + "warp-speed = 9\n";
    CorruptionException e = assertThrows(CorruptionException.class, () -> OptionsFile.decode("O", withChecksum(text)));
    assertTrue(e.getMessage().contains("warp-speed"), e.getMessage());
  }

  @Test
  void anInvalidValueUnderAValidChecksumIsACorruptionException() {
    String text = new String(OptionsFile.encode(StrataOptions.defaults()), StandardCharsets.US_ASCII)
        .replace("block-size = 4096\n", "block-size = 7\n");
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> OptionsFile.decode("O", withChecksum(text.substring(0, text.lastIndexOf("crc32c = ")))));
    assertTrue(e.getMessage().contains("blockSizeBytes"), e.getMessage());
  }

  @Test
  void encodingIsDeterministic() {
    StrataOptions o = StrataOptions.builder().serializable(true).build();
    assertArrayEquals(OptionsFile.encode(o), OptionsFile.encode(o.toBuilder().build()));
  }

  /** The body (header and option lines) with its checksum line appended; the body may end in crc32c already. */
  private static byte[] withChecksum(String text) {
    int crc = text.lastIndexOf("crc32c = ");
    String body = crc >= 0 ? text.substring(0, crc) : text;
    byte[] b = body.getBytes(StandardCharsets.US_ASCII);
    return (body + "crc32c = " + String.format("%08x", Crc32c.maskedOf(b, 0, b.length)) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static List<String> optionsFiles(InMemoryFileSystem fs) throws IOException {
    return fs.list(DIR).stream().filter(n -> n.startsWith(FileNames.OPTIONS_PREFIX)).sorted().toList();
  }

  private static StrataOptions randomOptions(Random rnd) {
    boolean wal = rnd.nextBoolean();
    CompactionOptions c = switch (rnd.nextInt(4)) {
      case 0 -> CompactionOptions.leveled().levelSizeMultiplier(2 + rnd.nextInt(20))
          .baseLevelBytes(1 + rnd.nextInt(1 << 30)).level0FileTrigger(1 + rnd.nextInt(10))
          .maxLevels(1 + rnd.nextInt(32));
      case 1 -> CompactionOptions.tiered().numTiers(2 + rnd.nextInt(20))
          .maxSizeAmplificationPercent(1 + rnd.nextInt(500)).sizeRatioPercent(1 + rnd.nextInt(50))
          .maxMergeWidth(2 + rnd.nextInt(100)).minMergeWidth(2);
      case 2 -> CompactionOptions.simpleLeveled().sizeRatioPercent(1 + rnd.nextInt(400))
          .level0FileTrigger(1 + rnd.nextInt(10)).maxLevels(1 + rnd.nextInt(32));
      default -> CompactionOptions.none();
    };
    c = c.level0StopWritesTrigger(100 + rnd.nextInt(100)).level0SlowdownWritesTrigger(1 + rnd.nextInt(100));
    return StrataOptions.builder()
        .memtableSizeBytes(4096 + rnd.nextInt(1 << 30))
        .targetSstSizeBytes(4096 + (rnd.nextLong() & 0xffffffffffL))
        .blockSizeBytes(256 + rnd.nextInt((4 << 20) - 255))
        .maxImmutableMemtables(1 + rnd.nextInt(64))
        .memtablesPerFlush(1 + rnd.nextInt(64))
        .blockCacheBytes(rnd.nextLong() & 0xffffffffffL)
        .bloomBitsPerKey(rnd.nextInt(33))
        .walEnabled(wal)
        .syncWrites(wal && rnd.nextBoolean())
        .serializable(rnd.nextBoolean())
        .maxMappedFiles(1 + rnd.nextInt(100000))
        .walRecoveryMode(WalRecoveryMode.values()[rnd.nextInt(WalRecoveryMode.values().length)])
        .createIfMissing(rnd.nextBoolean())
        .errorIfExists(rnd.nextBoolean())
        .jmxEnabled(rnd.nextBoolean())
        .compaction(c)
        .build();
  }

  /** StrataOptions has no equals: compare every option it has. */
  static void assertSameOptions(StrataOptions want, StrataOptions got, String what) {
    assertEquals(want.toString(), got.toString(), what);
    assertEquals(want.createIfMissing(), got.createIfMissing(), what);
    assertEquals(want.errorIfExists(), got.errorIfExists(), what);
    assertEquals(want.jmxEnabled(), got.jmxEnabled(), what);
    CompactionOptions w = want.compaction();
    CompactionOptions g = got.compaction();
    assertEquals(List.of(w.strategy(), w.sizeRatioPercent(), w.level0FileTrigger(), w.maxLevels(), w.numTiers(),
            w.maxSizeAmplificationPercent(), w.minMergeWidth(), w.maxMergeWidth(), w.levelSizeMultiplier(),
            w.baseLevelBytes(), w.level0SlowdownWritesTrigger(), w.level0StopWritesTrigger()),
        List.of(g.strategy(), g.sizeRatioPercent(), g.level0FileTrigger(), g.maxLevels(), g.numTiers(),
            g.maxSizeAmplificationPercent(), g.minMergeWidth(), g.maxMergeWidth(), g.levelSizeMultiplier(),
            g.baseLevelBytes(), g.level0SlowdownWritesTrigger(), g.level0StopWritesTrigger()), what);
  }
}
