package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code strata bench cluster}'s command line, its table, and the result line a node answers with.
 * (Running it takes minutes of child JVMs; ClusterKillTest drives the same harness.)
 */
class ClusterBenchCommandTest {

  @Test
  void withoutOptionsItRunsOneThreeAndFiveNodesAtReplicationFactorOneAndThree() throws Exception {
    ClusterBenchCommand.Config config = ClusterBenchCommand.parse(List.of());
    assertEquals(List.of(1, 3, 5), config.nodes());
    assertEquals(List.of(1, 3), config.replicationFactors());
    assertEquals(20_000, config.ops());
    assertEquals(16, config.concurrency());
    assertEquals(false, config.sync());
  }

  @Test
  void optionsTakeTheirValueAfterASpaceOrAnEqualsSign() throws Exception {
    ClusterBenchCommand.Config config = ClusterBenchCommand.parse(List.of("--nodes", "3", "--replication=3",
        "--ops", "1_000", "--value-size=1KiB", "--sync", "--dir", "/tmp/x", "--shards=8"));
    assertEquals(List.of(3), config.nodes());
    assertEquals(List.of(3), config.replicationFactors());
    assertEquals(1000, config.ops());
    assertEquals(1024, config.valueBytes());
    assertEquals(8, config.shards());
    assertTrue(config.sync());
    assertEquals(Path.of("/tmp/x"), config.dir());
  }

  @Test
  void aBadOptionIsRefusedSayingWhatWasWrong() {
    assertTrue(assertThrows(UsageException.class, () -> ClusterBenchCommand.parse(List.of("--nodes", "3,3")))
        .getMessage().contains("listed twice"));
    assertTrue(assertThrows(UsageException.class, () -> ClusterBenchCommand.parse(List.of("--nodes", "0")))
        .getMessage().contains("--nodes must be between 1 and 9"));
    assertTrue(assertThrows(UsageException.class, () -> ClusterBenchCommand.parse(List.of("--ops")))
        .getMessage().contains("--ops needs a value"));
    assertTrue(assertThrows(UsageException.class, () -> ClusterBenchCommand.parse(List.of("--frobnicate")))
        .getMessage().contains("unknown option --frobnicate"));
  }

  @Test
  void aBadCommandLineExitsWithTheUsageCodeAndPrintsTheUsage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BenchCommand.run(List.of("cluster", "--ops", "none"), null, new PrintStream(out), new PrintStream(err),
        null);
    assertEquals(Main.EXIT_USAGE, code);
    String errors = err.toString(StandardCharsets.UTF_8);
    assertTrue(errors.contains("strata bench cluster: --ops: 'none' is not a whole number"), errors);
    assertTrue(errors.contains("Usage: strata bench cluster"), errors);
  }

  @Test
  void aNodesResultLineReadsBackAsItWasWritten() {
    ClusterBenchLoad.Result result = new ClusterBenchLoad.Result("put", 3000, 1_500_000_000L, 2_000_000, 9_000_000, 1);
    assertEquals("bench-result put 3000 1500000000 2000000 9000000 1", result.line());
    assertEquals(result, ClusterBenchLoad.Result.parse(result.line()));
    assertEquals(2000.0, result.opsPerSecond(), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> ClusterBenchLoad.Result.parse("error no keyspace"));
  }

  @Test
  void theTableHasOneLinePerSetupWithMicrosecondsOrMilliseconds() {
    ClusterBenchLoad.Result put = new ClusterBenchLoad.Result("put", 1000, 1_000_000_000L, 15_000, 12_000_000, 0);
    ClusterBenchLoad.Result get = new ClusterBenchLoad.Result("get", 1000, 500_000_000L, 4_000, 40_000, 0);
    String table = ClusterBenchCommand.table(List.of(new ClusterBenchCommand.Row("embedded store", put, get, ""),
        new ClusterBenchCommand.Row("3 nodes, RF 3", null, null, "node 1 exited")));
    List<String> lines = table.lines().toList();
    assertEquals(3, lines.size(), table);
    assertTrue(lines.get(1).matches("embedded store\\s+1000\\s+15 us\\s+12 ms\\s+2000\\s+4 us\\s+40 us 0"), table);
    assertEquals("3 nodes, RF 3      failed: node 1 exited", lines.get(2));
  }
}
