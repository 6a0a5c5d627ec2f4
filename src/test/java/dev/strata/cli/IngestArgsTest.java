package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.StrataOptions;
import dev.strata.akka.stream.StrataWriteSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngestArgsTest {
  private static final StrataOptions BASE = StrataOptions.defaults();
  private static final StrataWriteSettings SETTINGS = StrataWriteSettings.create();

  private static IngestConfig parse(String... args) throws UsageException {
    return IngestArgs.parse(List.of(args), BASE, SETTINGS);
  }

  private static String error(String... args) {
    return assertThrows(UsageException.class, () -> parse(args)).getMessage();
  }

  @Test
  void noArgumentsGiveFillrandomsDefaultsAndTheConfiguredStream() throws UsageException {
    IngestConfig c = parse();
    assertEquals(1_000_000, c.bench().num());
    assertEquals(301, c.bench().seed());
    assertEquals(16, c.bench().keySize());
    assertEquals(100, c.bench().valueSize());
    assertEquals(1, c.bench().threads());
    assertNull(c.bench().dir());
    assertEquals(List.of(Workload.FILLRANDOM), c.bench().workloads());
    assertTrue(c.bench().options().walEnabled());
    assertEquals(SETTINGS, c.settings());
    assertFalse(c.streamFirst());
    assertEquals(3, c.rounds());
  }

  @Test
  void everyOptionIsParsed() throws UsageException {
    IngestConfig c = parse("--num", "5000", "--seed=9", "--dir", "/tmp/strata-i", "--key-size", "20",
        "--value-size", "50", "--memtable-size", "4MiB", "--sync", "--batch-size", "250", "--batch-window", "250us",
        "--max-batch-bytes", "64KiB", "--parallelism=8", "--rounds", "5", "--stream-first");
    assertEquals(5000, c.bench().num());
    assertEquals(9, c.bench().seed());
    assertEquals(Path.of("/tmp/strata-i"), c.bench().dir());
    assertEquals(20, c.bench().keySize());
    assertEquals(50, c.bench().valueSize());
    assertEquals(4 << 20, c.bench().options().memtableSizeBytes());
    assertTrue(c.bench().options().syncWrites());
    assertEquals(SETTINGS.withBatchSize(250).withBatchWindow(Duration.ofNanos(250_000)).withMaxBatchBytes(65536)
        .withParallelism(8), c.settings());
    assertEquals(5, c.rounds());
    assertTrue(c.streamFirst());
  }

  @Test
  void aBareNumberForTheWindowIsMilliseconds() throws UsageException {
    assertEquals(Duration.ofMillis(3), parse("--batch-window", "3").settings().batchWindow());
  }

  @Test
  void optionsThatMakeNoSenseForIngestAreRefusedWithTheReason() {
    assertEquals("--threads does not apply to bench ingest: ingest compares one stream with one thread of "
        + "synchronous puts", error("--threads", "4"));
    assertTrue(error("--workloads=fillseq").startsWith("--workloads does not apply to bench ingest"));
    assertTrue(error("--no-wal").startsWith("--no-wal does not apply to bench ingest"));
    assertTrue(error("--seek-nexts", "3").startsWith("--seek-nexts does not apply to bench ingest"));
  }

  @Test
  void aConfigurationWithoutTheWalIsRefused() {
    StrataOptions noWal = StrataOptions.fromConfig(ConfigFactory.parseString("strata.wal-enabled = off"));
    String message = assertThrows(UsageException.class, () -> IngestArgs.parse(List.of(), noWal, SETTINGS)).getMessage();
    assertTrue(message.startsWith("bench ingest measures writes with the WAL on"), message);
  }

  @Test
  void badStreamValuesAreNamed() {
    assertEquals("--batch-size must be between 1 and 10000000, got 0", error("--batch-size", "0"));
    assertEquals("--parallelism: 'many' is not a whole number", error("--parallelism", "many"));
    assertEquals("--batch-window: 'soon' is not a duration (examples: 5ms, 250us, 1s)", error("--batch-window", "soon"));
    assertEquals("--batch-window: batchWindow must be positive, got PT0S", error("--batch-window", "0ms"));
    assertEquals("--max-batch-bytes: maxBatchBytes must be between 1 and 268435456 (the store's limit on a write "
        + "batch), got 1073741824", error("--max-batch-bytes", "1GiB"));
    assertEquals("--rounds must be between 1 and 100, got 0", error("--rounds", "0"));
    assertEquals("--parallelism needs a value", error("--parallelism"));
    assertEquals("--stream-first takes no value", error("--stream-first=yes"));
  }

  @Test
  void benchOptionsKeepBenchsMessages() {
    assertEquals("unknown option --frobnicate", error("--frobnicate", "3"));
    assertEquals("--num: 'lots' is not a whole number", error("--num", "lots"));
  }

  @Test
  void theValuesCompressibilityAndTheCodecPassThroughToTheFills() throws UsageException {
    assertEquals(0.5, parse().bench().compressionRatio());
    IngestConfig c = parse("--compression-ratio", "0.3", "--compression", "none");
    assertEquals(0.3, c.bench().compressionRatio());
    assertEquals(dev.strata.Compression.NONE, c.bench().options().compressionForLevel(4));
  }
}
