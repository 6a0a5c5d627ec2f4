package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bench --compare's parts that need no peer: the children's command lines, their reports, the table. */
class CompareTest {
  private static final List<Workload> TWO = List.of(Workload.FILLSEQ, Workload.READRANDOM);
  private static final List<Engine> ALL = List.of(Engine.STRATA, Engine.ROCKSDB, Engine.LEVELDB);

  private static EngineResult result(Engine engine, long fillseqNanos, long readNanos) {
    return new EngineResult(engine, List.of(new EngineResult.Timing(Workload.FILLSEQ, 1000, fillseqNanos),
        new EngineResult.Timing(Workload.READRANDOM, 1000, readNanos)), 116_000, 200_000,
        new ProcessIo(348_000, "write_bytes"), 64L << 20);
  }

  @Test
  void aChildGetsTheParentsOptionsWithItsOwnEngineResultsFileAndDirectory() {
    List<String> args = List.of("--compare", "--num", "1000", "--engines=strata,rocksdb", "--dir", "/tmp/cmp",
        "--workloads", "fillseq", "--threads=2");
    assertEquals(List.of("bench", "--num", "1000", "--workloads", "fillseq", "--threads=2", "--engine", "rocksdb",
        "--results-file", "/tmp/r.txt", "--dir", "/tmp/cmp/rocksdb"),
        CompareRunner.childArgs(args, Engine.ROCKSDB, Path.of("/tmp/r.txt"), Path.of("/tmp/cmp/rocksdb")));
  }

  @Test
  void withoutADirectoryEachChildPicksATemporaryOne() {
    assertEquals(List.of("bench", "--engine", "strata", "--results-file", "/tmp/r.txt"),
        CompareRunner.childArgs(List.of("--compare", "--dir=/x"), Engine.STRATA, Path.of("/tmp/r.txt"), null));
  }

  @Test
  void everyEngineGetsTheSameValueCompressibility() {
    for (Engine e : Engine.values()) {
      assertEquals(List.of("bench", "--compression-ratio", "0.25", "--engine", e.cliName(), "--results-file", "/tmp/r.txt"),
          CompareRunner.childArgs(List.of("--compare", "--compression-ratio", "0.25"), e, Path.of("/tmp/r.txt"), null));
    }
  }

  @Test
  void aChildRunsTheSameJavaWithTheSameFlagsAndClasspath() {
    assertEquals(List.of("/usr/bin/java", "-Xmx1g", "-XX:+UseG1GC", "-cp", "target/strata.jar", "dev.strata.cli.Main"),
        CompareRunner.javaCommand("/usr/bin/java", List.of("-Xmx1g", "-XX:+UseG1GC"), "target/strata.jar"));
  }

  @Test
  void resultsSurviveTheTripThroughTheirFile() {
    EngineResult r = result(Engine.LEVELDB, 2_000_000, 4_000_000);
    assertEquals(r, EngineResult.decode(r.encode()));
  }

  @Test
  void resultsCountUserBytesOfWritesOnly() {
    Worker writer = new Worker(null, new BenchConfig(10, 1, 1, null, 16, 100, 0, List.of(), dev.strata.StrataOptions.defaults()),
        null, null, null, 1, new java.util.concurrent.atomic.LongAdder());
    writer.read(new byte[16], new byte[100]);
    WorkloadResult read = WorkloadResult.of(Workload.READSEQ, 1000, List.of(writer));
    WorkloadResult fill = new WorkloadResult(Workload.FILLSEQ, 1000, 10, 0, 1160, new LatencyHistogram(), 0, 0);
    WorkloadResult delete = new WorkloadResult(Workload.DELETERANDOM, 1000, 10, 0, 160, new LatencyHistogram(), 0, 0);
    EngineResult r = EngineResult.of(Engine.STRATA, List.of(fill, read, delete), 1, new ProcessIo(2640, "wchar"), -1);
    assertEquals(1320, r.userBytes());
    assertEquals(2.0, r.writeAmplification());
  }

  @Test
  void malformedResultsAreRejected() {
    assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> EngineResult.decode("engine=strata\n")).getMessage().contains("userBytes"));
  }

  @Test
  void procIoPrefersWriteBytesAndFallsBackToWchar() {
    String io = "rchar: 10\nwchar: 5000\nsyscr: 1\nsyscw: 2\nread_bytes: 0\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n";
    assertEquals(new ProcessIo(4096, "write_bytes"), ProcessIo.parse(io));
    assertEquals(new ProcessIo(5000, "wchar"), ProcessIo.parse(io.replace("write_bytes: 4096", "write_bytes: 0")));
    assertEquals(new ProcessIo(-1, "n/a"), ProcessIo.parse(""));
  }

  @Test
  void theTableGivesOpsPerSecondAndStratasRatioToTheBestPeer() {
    String table = CompareTable.format(TWO, ALL, List.of(result(Engine.STRATA, 1_000_000, 2_000_000),
        result(Engine.ROCKSDB, 2_000_000, 1_000_000), result(Engine.LEVELDB, 4_000_000, 8_000_000)));
    assertEquals(List.of(
        "| ops/s      | strata    | rocksdb   | leveldb | strata / best peer |",
        "|------------|----------:|----------:|--------:|-------------------:|",
        "| fillseq    | 1,000,000 |   500,000 | 250,000 |    2.00x (rocksdb) |",
        "| readrandom |   500,000 | 1,000,000 | 125,000 |    0.50x (rocksdb) |"), table.lines().limit(4).toList());
  }

  @Test
  void theTableGivesDiskBytesAndWriteAmplificationPerEngine() {
    String table = CompareTable.format(TWO, ALL, List.of(result(Engine.STRATA, 1, 1), result(Engine.ROCKSDB, 1, 1),
        result(Engine.LEVELDB, 1, 1)));
    assertTrue(table.contains("| strata  |       200,000 |       348,000 |    116,000 |      3.00 |             64 MiB |"),
        table);
    assertTrue(table.contains("bytes written: write_bytes of /proc/self/io"), table);
    assertTrue(table.contains("peak heap after GC: the most heap in use right after a garbage collection"), table);
  }

  @Test
  void aFailedEngineShowsAsFailedAndTheRatioUsesThePeersThatRan() {
    String table = CompareTable.format(TWO, ALL, List.of(result(Engine.STRATA, 1_000_000, 1_000_000),
        result(Engine.LEVELDB, 3_000_000, 3_000_000)));
    assertTrue(table.contains("| fillseq    | 1,000,000 |  failed | 333,333 |    3.00x (leveldb) |"), table);
    assertTrue(table.contains("| rocksdb |        failed |"), table);
    assertEquals(List.of(Engine.ROCKSDB), CompareTable.missing(ALL, List.of(result(Engine.STRATA, 1, 1),
        result(Engine.LEVELDB, 1, 1))));
  }

  @Test
  void readwhilewritingsWriterHasItsOwnRowAndSurvivesTheFile() {
    List<Workload> rww = List.of(Workload.FILLRANDOM, Workload.READWHILEWRITING);
    java.util.function.BiFunction<Engine, Long, EngineResult> result = (engine, writerOps) -> new EngineResult(engine,
        List.of(new EngineResult.Timing(Workload.FILLRANDOM, 1000, 1_000_000),
            new EngineResult.Timing(Workload.READWHILEWRITING, 1000, 2_000_000, writerOps)), 1, 1,
        new ProcessIo(1, "write_bytes"), -1);
    EngineResult strata = result.apply(Engine.STRATA, 300L);
    assertEquals(strata, EngineResult.decode(strata.encode()));
    assertTrue(strata.encode().contains("workload.1=readwhilewriting 1000 2000000 300\n"), strata.encode());
    String table = CompareTable.format(rww, ALL, List.of(strata, result.apply(Engine.ROCKSDB, 100L),
        result.apply(Engine.LEVELDB, 200L)));
    assertEquals(List.of(
        "| readwhilewriting          |   500,000 |   500,000 |   500,000 |    1.00x (rocksdb) |",
        "| readwhilewriting (writer) |   150,000 |    50,000 |   100,000 |    1.50x (leveldb) |"),
        table.lines().skip(3).limit(2).toList());
  }

  @Test
  void fillsyncIsReadAgainstEachEnginesOwnSyncfloor() {
    List<Workload> synced = List.of(Workload.FILLSYNC, Workload.SYNCFLOOR);
    java.util.function.BiFunction<Engine, Long, EngineResult> result = (engine, fillsyncNanos) -> new EngineResult(
        engine, List.of(new EngineResult.Timing(Workload.FILLSYNC, 1000, fillsyncNanos),
            new EngineResult.Timing(Workload.SYNCFLOOR, 1000, 100_000_000)), 1, 1, new ProcessIo(1, "write_bytes"), -1);
    String table = CompareTable.format(synced, ALL, List.of(result.apply(Engine.STRATA, 125_000_000L),
        result.apply(Engine.ROCKSDB, 200_000_000L)));
    assertEquals(List.of(
        "| fillsync             |  8,000 |   5,000 |  failed |    1.60x (rocksdb) |",
        "| syncfloor            | 10,000 |  10,000 |  failed |    1.00x (rocksdb) |",
        "| fillsync / syncfloor |  0.80x |   0.50x |  failed |                    |"),
        table.lines().skip(2).limit(3).toList());
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 180, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void aTinyComparisonOfTheNewWorkloadsRunsInAChildJvm() {
    CliTestHarness.Capture out = new CliTestHarness.Capture();
    CliTestHarness.Capture err = new CliTestHarness.Capture();
    try (CliContext context = CliContext.withDefaults()) {
      int code = BenchCommand.run(List.of("--compare", "--engines", "strata", "--num", "300", "--threads", "2",
          "--workloads", "fillsync,syncfloor,fillrandom,readwhilewriting,ycsba,ycsbe,ycsbf"), context, out.stream,
          err.stream, null);
      assertEquals(0, code, out.text() + err.text());
    }
    String text = out.text();
    for (String row : List.of("| fillsync ", "| syncfloor ", "| fillsync / syncfloor ", "| readwhilewriting ",
        "| readwhilewriting (writer) ", "| ycsba ", "| ycsbe ", "| ycsbf ")) {
      assertTrue(text.lines().anyMatch(l -> l.startsWith(row)), row + " missing from:\n" + text);
    }
    assertFalse(text.contains("WARNING"), text);
  }

  @Test
  void withoutStrataOrWithoutPeersThereIsNoRatioColumn() {
    String table = CompareTable.format(TWO, List.of(Engine.ROCKSDB), List.of(result(Engine.ROCKSDB, 1_000_000, 1_000_000)));
    assertEquals("| ops/s      | rocksdb   |", table.lines().findFirst().orElseThrow());
  }
}
