package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.cli.CliTestHarness.Capture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A small bench against the real engine. Depends on the engine: it fails while Strata.open is a stub. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BenchEndToEndTest {
  @TempDir
  Path dir;
  private final CliContext context = CliContext.withDefaults();
  private final Capture out = new Capture();
  private final Capture err = new Capture();

  @AfterEach
  void closeContext() {
    context.close();
  }

  private int bench(String... args) {
    return BenchCommand.run(List.of(args), context, out.stream, err.stream, null);
  }

  /** Every workload of the default run (all but fillsync, which has its own test) printed its line. */
  private void assertEveryWorkloadLinePrinted() {
    String text = out.text();
    for (Workload w : Workload.defaults()) {
      assertTrue(out.lines().stream().anyMatch(l -> l.startsWith(String.format("%-12s :", w.benchName()))
          && l.contains("ops/s")), w.benchName() + " missing from:\n" + text);
    }
    assertFalse(text.contains("WARNING"), text);
    assertTrue(text.contains("Stats:"), text);
  }

  @Test
  void everyWorkloadRunsAndReportsOnTheEngine() {
    assertEquals(0, bench("--num", "2000", "--memtable-size", "64KiB"), err.text());
    assertEveryWorkloadLinePrinted();
    assertTrue(out.lines().stream().anyMatch(l -> l.startsWith("readrandom") && l.endsWith("found 2000")), out.text());
    assertTrue(out.lines().stream().anyMatch(l -> l.startsWith("readmissing") && l.endsWith("found 0")), out.text());
  }

  @Test
  void fillsyncReportsItsFsyncsAndSharesThemAcrossThreads() {
    assertEquals(0, bench("--num", "400", "--threads", "8", "--workloads", "fillsync,readrandom"), err.text());
    String line = out.lines().stream().filter(l -> l.startsWith("fillsync")).findFirst().orElseThrow();
    assertTrue(line.contains("fsyncs"), line);
    assertTrue(out.lines().stream().anyMatch(l -> l.startsWith("readrandom") && l.endsWith("found 400")), out.text());
  }

  @Test
  void syncfloorReportsItsFsyncsBesideFillsyncAndLeavesNoFileBehind() throws Exception {
    Path store = dir.resolve("floor");
    assertEquals(0, bench("--num", "400", "--threads", "8", "--dir", store.toString(),
        "--workloads", "syncfloor,fillsync,readrandom"), err.text());
    String floor = out.lines().stream().filter(l -> l.startsWith("syncfloor")).findFirst().orElseThrow();
    assertTrue(floor.contains("400 ops") && floor.contains("fsyncs"), floor);
    assertTrue(out.lines().stream().anyMatch(l -> l.startsWith("fillsync") && l.contains("fsyncs")), out.text());
    assertTrue(out.lines().stream().anyMatch(l -> l.startsWith("readrandom") && l.endsWith("found 400")), out.text());
    try (var files = Files.list(store)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("syncfloor")), "the floor's file is deleted");
    }
  }

  @Test
  void compactLeavesOneSortedRunThatTheReadsAfterItFindEveryKeyIn() {
    assertEquals(0, bench("--num", "3000", "--threads", "2", "--memtable-size", "64KiB",
        "--workloads", "fillrandom,compact,readrandom"), err.text());
    String compact = out.lines().stream().filter(l -> l.startsWith("compact ")).findFirst().orElseThrow();
    assertTrue(compact.contains(" 1 ops"), compact);
    assertTrue(out.lines().stream().anyMatch(l -> l.startsWith("readrandom") && l.endsWith("found 3000")), out.text());
    assertTrue(out.lines().contains("L0: 0 files, 0 B"), out.text());
    assertEquals(1, out.lines().stream().filter(l -> l.matches("L[1-9]: [1-9].*")).count(),
        "one level holds every file:\n" + out.text());
  }

  @Test
  void severalThreadsShareTheWorkloads() {
    assertEquals(0, bench("--num", "2000", "--threads", "4", "--memtable-size", "64KiB", "--compaction", "tiered"),
        err.text());
    assertEveryWorkloadLinePrinted();
  }

  @Test
  void aGivenDirectoryKeepsTheLastStore() throws Exception {
    Path store = dir.resolve("bench");
    assertEquals(0, bench("--num", "500", "--dir", store.toString(), "--workloads", "fillrandom,readrandom"),
        err.text());
    try (var files = Files.list(store)) {
      assertTrue(files.findAny().isPresent(), "the store stays in --dir");
    }
  }

  @Test
  void ingestWritesTheFillBothWaysAndPrintsTheRatio() throws Exception {
    Path stores = dir.resolve("ingest");
    assertEquals(0, bench("ingest", "--num", "3000", "--batch-size", "100", "--rounds", "3", "--dir", stores.toString()),
        err.text());
    List<String> lines = out.lines();
    // A line per round for each fill, then their medians.
    assertEquals(4, lines.stream().filter(l -> l.startsWith("sync API (put)   :") && l.contains("3000 elements")).count(),
        out.text());
    assertEquals(4, lines.stream().filter(l -> l.startsWith("StrataFlow       :") && l.contains("elements/s")).count(),
        out.text());
    assertTrue(lines.stream().anyMatch(l -> l.matches("ratio +: \\d+\\.\\d\\dx .*")), out.text());
    try (var files = Files.list(stores)) {
      assertEquals(List.of(), files.toList(), "each store is deleted after its fill");
    }
  }
}
