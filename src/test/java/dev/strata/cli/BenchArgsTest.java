package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.CompactionOptions;
import dev.strata.StrataOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchArgsTest {
  private static final StrataOptions BASE = StrataOptions.defaults();

  private static BenchConfig parse(String... args) throws UsageException {
    return BenchArgs.parse(List.of(args), BASE);
  }

  private static String error(String... args) {
    return assertThrows(UsageException.class, () -> parse(args)).getMessage();
  }

  @Test
  void noArgumentsGiveTheDbBenchDefaults() throws UsageException {
    BenchConfig c = parse();
    assertEquals(1_000_000, c.num());
    assertEquals(301, c.seed());
    assertEquals(1, c.threads());
    assertNull(c.dir());
    assertEquals(16, c.keySize());
    assertEquals(100, c.valueSize());
    assertEquals(100, c.seekNexts());
    assertEquals(List.of(Workload.FILLSEQ, Workload.FILLRANDOM, Workload.OVERWRITE, Workload.READRANDOM,
        Workload.READMISSING, Workload.READSEQ, Workload.SEEKRANDOM, Workload.DELETERANDOM), c.workloads());
    assertEquals(BASE.toString(), c.options().toString());
  }

  @Test
  void everyOptionIsParsed() throws UsageException {
    BenchConfig c = parse("--num", "5000", "--seed", "-7", "--threads", "4", "--dir", "/tmp/strata-x",
        "--value-size", "50", "--key-size", "20", "--workloads", "readrandom,fillseq", "--seek-nexts", "3",
        "--memtable-size", "4MiB", "--block-cache", "0", "--bloom-bits", "0", "--compaction", "tiered", "--no-wal");
    assertEquals(5000, c.num());
    assertEquals(-7, c.seed());
    assertEquals(4, c.threads());
    assertEquals(Path.of("/tmp/strata-x"), c.dir());
    assertEquals(50, c.valueSize());
    assertEquals(20, c.keySize());
    assertEquals(3, c.seekNexts());
    assertEquals(List.of(Workload.READRANDOM, Workload.FILLSEQ), c.workloads());
    assertEquals(4 << 20, c.options().memtableSizeBytes());
    assertEquals(0, c.options().blockCacheBytes());
    assertEquals(0, c.options().bloomBitsPerKey());
    assertEquals(CompactionOptions.Strategy.TIERED, c.options().compaction().strategy());
    assertFalse(c.options().walEnabled());
  }

  @Test
  void valuesMayFollowAnEqualsSign() throws UsageException {
    assertEquals(1000, parse("--num=1000").num());
    assertEquals(List.of(Workload.READSEQ), parse("--workloads=readseq").workloads());
  }

  @Test
  void numbersMayUseUnderscoresAndSizesUnits() throws UsageException {
    assertEquals(1_000_000, parse("--num", "1_000_000").num());
    assertEquals(65536, parse("--memtable-size", "64KiB").options().memtableSizeBytes());
    assertEquals(1 << 20, parse("--block-cache", "1 MiB").options().blockCacheBytes());
    assertEquals(8192, parse("--memtable-size", "8192").options().memtableSizeBytes());
  }

  @Test
  void workloadNamesAreCaseInsensitiveAndMayRepeat() throws UsageException {
    assertEquals(List.of(Workload.READRANDOM, Workload.READRANDOM), parse("--workloads", "ReadRandom, readrandom").workloads());
  }

  @Test
  void syncTurnsOnTheWalAndFsync() throws UsageException {
    StrataOptions o = parse("--sync").options();
    assertTrue(o.walEnabled());
    assertTrue(o.syncWrites());
  }

  @Test
  void theLastOfARepeatedOptionWins() throws UsageException {
    assertEquals(20, parse("--num", "10", "--num", "20").num());
  }

  @Test
  void flagsOverrideTheConfigurationAndKeepTheRest() throws UsageException {
    StrataOptions base = StrataOptions.fromConfig(ConfigFactory.parseString(
        "strata { bloom-bits-per-key = 5, compaction { strategy = tiered, num-tiers = 5 } }"));
    BenchConfig c = BenchArgs.parse(List.of("--compaction", "tiered", "--block-cache", "1MiB"), base);
    assertEquals(5, c.options().bloomBitsPerKey());
    assertEquals(5, c.options().compaction().numTiers(), "naming the configured strategy keeps its tuning");
    assertEquals(1 << 20, c.options().blockCacheBytes());
    BenchConfig other = BenchArgs.parse(List.of("--compaction", "leveled"), base);
    assertEquals(CompactionOptions.Strategy.LEVELED, other.options().compaction().strategy());
  }

  @Test
  void unknownOptionsAreNamed() {
    assertEquals("unknown option --frobnicate", error("--frobnicate", "3"));
  }

  @Test
  void positionalArgumentsAreRejected() {
    assertEquals("unexpected argument 'fillseq': bench takes only options", error("fillseq"));
  }

  @Test
  void aMissingValueIsNamed() {
    assertEquals("--num needs a value", error("--num"));
  }

  @Test
  void switchesTakeNoValue() {
    assertEquals("--no-wal takes no value", error("--no-wal=true"));
  }

  @Test
  void malformedNumbersAreNamed() {
    assertEquals("--num: 'lots' is not a whole number", error("--num", "lots"));
    assertEquals("--threads: '1.5' is not a whole number", error("--threads", "1.5"));
  }

  @Test
  void outOfRangeNumbersGiveTheRange() {
    assertEquals("--threads must be between 1 and 1024, got 0", error("--threads", "0"));
    assertEquals("--num must be between 1 and 1000000000000, got -3", error("--num", "-3"));
    assertEquals("--bloom-bits must be between 0 and 32, got 33", error("--bloom-bits", "33"));
    assertEquals("--value-size must be between 0 and 16777216, got 16777217", error("--value-size", "16777217"));
  }

  @Test
  void malformedSizesAreNamed() {
    assertTrue(error("--memtable-size", "12XB").startsWith("--memtable-size: '12XB' is not a size"));
    assertEquals("--memtable-size must be between 4096 and 9223372036854775807, got 100",
        error("--memtable-size", "100"));
  }

  @Test
  void unknownWorkloadsListTheKnownOnes() {
    assertEquals("--workloads: unknown workload 'fillasync'; known: fillseq, fillrandom, fillsync, syncfloor, "
        + "compact, overwrite, readrandom, readsnapshot, readmissing, readseq, seekrandom, txnrmw, readwhilewriting, "
        + "ycsba, ycsbb, ycsbc, ycsbe, ycsbf, deleterandom",
        error("--workloads", "fillseq,fillasync"));
    assertEquals("--workloads: empty workload name in 'fillseq,'", error("--workloads", "fillseq,"));
  }

  @Test
  void unknownCompactionStrategiesListTheKnownOnes() {
    assertEquals("--compaction: unknown strategy 'universal'; known: leveled, tiered, simple-leveled, none",
        error("--compaction", "universal"));
  }

  @Test
  void syncWithoutTheWalIsRejected() {
    assertEquals("--sync needs the write-ahead log: drop --no-wal or --sync", error("--sync", "--no-wal"));
  }

  @Test
  void keysMustBeWideEnoughForTheKeySpace() {
    assertEquals("--key-size 4 is too small for --num 1000000: keys are 7-digit numbers, so they need at "
        + "least 7 bytes", error("--key-size", "4"));
  }

  @Test
  void anEmptyDirIsRejected() {
    assertEquals("--dir needs a directory", error("--dir", ""));
  }

  @Test
  void aPlainRunBenchmarksStrataAlone() throws UsageException {
    BenchConfig c = parse();
    assertEquals(Engine.STRATA, c.engine());
    assertFalse(c.comparing());
    assertNull(c.resultsFile());
  }

  @Test
  void compareRunsEveryEngineByDefault() throws UsageException {
    BenchConfig c = parse("--compare", "--num", "1000", "--threads", "2");
    assertTrue(c.comparing());
    assertEquals(List.of(Engine.STRATA, Engine.ROCKSDB, Engine.LEVELDB), c.compare());
    assertEquals(2, c.threads());
  }

  @Test
  void enginesChooseAndOrderTheComparedEngines() throws UsageException {
    assertEquals(List.of(Engine.LEVELDB, Engine.STRATA), parse("--compare", "--engines", "LevelDB, strata").compare());
  }

  @Test
  void enginesWithoutCompareIsRejected() {
    assertEquals("--engines chooses the engines of --compare: add --compare", error("--engines", "strata"));
  }

  @Test
  void unknownOrRepeatedEnginesAreNamed() {
    assertEquals("--engines: unknown engine 'sqlite'; known: strata, rocksdb, leveldb",
        error("--compare", "--engines", "strata,sqlite"));
    assertEquals("--engines: rocksdb is named twice", error("--compare", "--engines", "rocksdb,rocksdb"));
    assertEquals("--engine: unknown engine 'lmdb'; known: strata, rocksdb, leveldb", error("--engine", "lmdb"));
  }

  @Test
  void compareRefusesTheFlagsThatTuneStrataAlone() {
    assertEquals("--no-wal tunes Strata alone; --compare runs every engine with its default options "
        + "(WAL on, no sync): drop --no-wal", error("--compare", "--no-wal"));
    assertEquals("--bloom-bits tunes Strata alone; --compare runs every engine with its default options "
        + "(WAL on, no sync): drop --bloom-bits", error("--bloom-bits", "5", "--compare"));
    assertEquals("--memtable-size tunes Strata alone; --engine rocksdb runs with its default options "
        + "(WAL on, no sync): drop --memtable-size", error("--engine", "rocksdb", "--memtable-size", "1MiB"));
  }

  @Test
  void compareTakesTheWorkloadsEveryEngineCanRun() throws UsageException {
    assertEquals("--workloads: txnrmw runs on Strata alone; --compare takes: fillseq,fillrandom,fillsync,syncfloor,"
        + "overwrite,readrandom,readmissing,readseq,seekrandom,readwhilewriting,ycsba,ycsbb,ycsbc,ycsbe,ycsbf,"
        + "deleterandom",
        error("--compare", "--workloads", "fillrandom,txnrmw"));
    assertEquals(List.of(Workload.FILLRANDOM, Workload.READRANDOM),
        parse("--compare", "--workloads", "fillrandom,readrandom").workloads());
    assertEquals(List.of(Workload.FILLSYNC, Workload.SYNCFLOOR, Workload.FILLRANDOM, Workload.READWHILEWRITING,
        Workload.YCSBA, Workload.YCSBB, Workload.YCSBC, Workload.YCSBE, Workload.YCSBF),
        parse("--compare", "--workloads", "fillsync,syncfloor,fillrandom,readwhilewriting,ycsba,ycsb-b,YCSBC,ycsbe,ycsbf")
            .workloads());
  }

  @Test
  void theNewMixesAreAskedForByName() {
    for (Workload w : List.of(Workload.READWHILEWRITING, Workload.YCSBA, Workload.YCSBB, Workload.YCSBC,
        Workload.YCSBE, Workload.YCSBF)) {
      assertFalse(Workload.defaults().contains(w), w.benchName());
    }
  }

  @Test
  void compareAndEngineExcludeEachOther() {
    assertEquals("--engine runs one engine, --compare several: give one of them",
        error("--compare", "--engine", "strata"));
  }

  @Test
  void aChildRunNamesItsEngineAndResultsFile() throws UsageException {
    BenchConfig c = parse("--engine", "leveldb", "--results-file", "/tmp/r.txt");
    assertEquals(Engine.LEVELDB, c.engine());
    assertEquals(Path.of("/tmp/r.txt"), c.resultsFile());
    assertFalse(c.comparing());
  }

  @Test
  void valuesAreHalfCompressibleUnlessTheRatioSaysOtherwise() throws UsageException {
    assertEquals(0.5, parse().compressionRatio());
    assertEquals(0.25, parse("--compression-ratio", "0.25").compressionRatio());
    assertEquals(1.0, parse("--compression-ratio=1").compressionRatio());
    assertTrue(error("--compression-ratio", "0").contains("not in (0, 1]"));
    assertTrue(error("--compression-ratio", "1.5").contains("not in (0, 1]"));
    assertTrue(error("--compression-ratio", "half").contains("'half' is not a number"));
  }

  @Test
  void compressionSetsTheCodecOfEveryLevelAndIsRefusedWithCompare() throws UsageException {
    StrataOptions off = parse("--compression", "none").options();
    assertEquals(dev.strata.Compression.NONE, off.compressionForLevel(0));
    assertEquals(dev.strata.Compression.NONE, off.compressionForLevel(5));
    StrataOptions on = parse("--compression", "LZ4").options();
    assertEquals(dev.strata.Compression.LZ4, on.compressionForLevel(0));
    assertEquals(dev.strata.Compression.LZ4, on.compressionForLevel(5));
    assertEquals(BASE.compressionPerLevel(), parse().options().compressionPerLevel(), "without the flag, the config's");
    assertTrue(error("--compression", "zstd").contains("--compression: unknown compression 'zstd'"));
    assertTrue(error("--compare", "--compression", "lz4").contains("--compression tunes Strata alone"));
    assertEquals(0.25, parse("--compare", "--compression-ratio", "0.25").compressionRatio(),
        "the ratio shapes the values, which every engine gets alike");
  }
}
