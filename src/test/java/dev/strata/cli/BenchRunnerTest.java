package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.StrataOptions;
import dev.strata.cli.CliTestHarness.Capture;
import dev.strata.cli.CliTestHarness.MemoryStore;
import dev.strata.cli.CliTestHarness.MemoryStoreFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's logic on the in-memory store, so it runs without the engine. */
class BenchRunnerTest {
  @TempDir
  Path dir;
  private final Capture out = new Capture();

  private static BenchConfig config(long num, int threads, Workload... workloads) {
    List<Workload> list = workloads.length == 0 ? List.of(Workload.values()) : List.of(workloads);
    return new BenchConfig(num, 301, threads, null, 16, 100, 10, list, StrataOptions.defaults());
  }

  private List<WorkloadResult> run(BenchConfig config, KeyValueStore.Factory factory)
      throws IOException, InterruptedException {
    return new BenchRunner(config, factory, dir, out.stream, null).run();
  }

  @Test
  void everyWorkloadPrintsOneLineInOrder() throws Exception {
    run(config(2000, 1), new MemoryStoreFactory());
    List<String> lines = out.lines();
    Workload[] all = Workload.values();
    for (int i = 0; i < all.length; i++) {
      assertTrue(lines.get(i).startsWith(String.format("%-12s :", all[i].benchName())), lines.get(i));
      assertTrue(lines.get(i).contains("ops/s") && lines.get(i).contains("MB/s") && lines.get(i).contains("p99"));
    }
    assertTrue(lines.contains("Stats:"));
    assertFalse(out.text().contains("WARNING"), out.text());
  }

  @Test
  void readsFindEveryKeyAfterAFillAndNoMissingKey() throws Exception {
    List<WorkloadResult> results = run(config(2000, 1), new MemoryStoreFactory());
    assertEquals(2000, results.get(Workload.READRANDOM.ordinal()).found());
    assertEquals(2000, results.get(Workload.READSNAPSHOT.ordinal()).found());
    assertEquals(0, results.get(Workload.READMISSING.ordinal()).found());
    assertEquals(2000, results.get(Workload.READSEQ.ordinal()).ops());
    assertEquals(2000, results.get(Workload.SEEKRANDOM.ordinal()).found());
    assertTrue(out.lines().get(Workload.READRANDOM.ordinal()).endsWith("found 2000"));
  }

  @Test
  void fillsRunOnAFreshStoreAndTheRestOnWhatTheyLeft() throws Exception {
    MemoryStoreFactory factory = new MemoryStoreFactory();
    Files.writeString(dir.resolve("left-by-fillseq"), "x");
    run(config(500, 1, Workload.FILLSEQ, Workload.READRANDOM, Workload.FILLRANDOM, Workload.READRANDOM), factory);
    assertEquals(2, factory.opened.size());
    assertTrue(factory.opened.get(0).closed);
    assertTrue(factory.opened.get(1).closed);
    assertFalse(Files.exists(dir.resolve("left-by-fillseq")), "a fresh store starts from an empty directory");
  }

  @Test
  void fillrandomWritesEveryKeyExactlyOnceAcrossThreads() throws Exception {
    MemoryStoreFactory factory = new MemoryStoreFactory();
    List<WorkloadResult> results = run(config(3001, 7, Workload.FILLRANDOM), factory);
    assertEquals(3001, results.get(0).ops());
    MemoryStore store = factory.last();
    assertEquals(3001, store.map.size());
    KeyGenerator keys = new KeyGenerator(16);
    for (long i = 0; i < 3001; i++) {
      assertTrue(store.map.containsKey(keys.key(i)), "key " + i);
    }
  }

  @Test
  void threadsShareTheOperations() throws Exception {
    List<WorkloadResult> results = run(config(2000, 3), new MemoryStoreFactory());
    for (WorkloadResult r : results) {
      if (r.workload() != Workload.READSEQ) {
        assertEquals(r.workload() == Workload.COMPACT ? 1 : 2000, r.ops(), r.workload().benchName());
      }
    }
    assertEquals(2000, results.get(Workload.READRANDOM.ordinal()).found());
    assertEquals(2000, results.get(Workload.READSNAPSHOT.ordinal()).found());
    assertEquals(2000, results.get(Workload.READSEQ.ordinal()).ops(), "each thread scans its share");
  }

  @Test
  void theSameSeedGivesTheSameStore() throws Exception {
    MemoryStoreFactory a = new MemoryStoreFactory();
    MemoryStoreFactory b = new MemoryStoreFactory();
    // Every workload but readwhilewriting, whose writer puts for as long as the readers take.
    Workload[] deterministic = java.util.Arrays.stream(Workload.values())
        .filter(w -> !w.hasBackgroundWriter()).toArray(Workload[]::new);
    run(config(1000, 1, deterministic), a);
    run(config(1000, 1, deterministic), b);
    assertEquals(a.last().map.size(), b.last().map.size());
    a.last().map.forEach((k, v) -> assertTrue(Arrays.equals(v, b.last().map.get(k))));
  }

  @Test
  void aSubsetWithoutAFillReadsAnEmptyStoreWithoutWarning() throws Exception {
    List<WorkloadResult> results = run(config(100, 1, Workload.READRANDOM), new MemoryStoreFactory());
    assertEquals(0, results.get(0).found());
    assertFalse(out.text().contains("WARNING"));
  }

  @Test
  void readrandomAfterDeletesDoesNotWarn() throws Exception {
    run(config(1000, 1, Workload.FILLRANDOM, Workload.DELETERANDOM, Workload.READRANDOM), new MemoryStoreFactory());
    assertFalse(out.text().contains("WARNING"));
  }

  @Test
  void aStoreThatLosesKeysGetsAWarning() throws Exception {
    KeyValueStore.Factory lossy = d -> new MemoryStore() {
      @Override
      public void put(byte[] key, byte[] value) {}
    };
    run(config(100, 1, Workload.FILLSEQ, Workload.READRANDOM), lossy);
    assertTrue(out.text().contains("WARNING: readrandom found 0 of 100 keys, but every key was present"), out.text());
  }

  @Test
  void aStoreThatInventsKeysGetsAWarning() throws Exception {
    KeyValueStore.Factory inventive = d -> new MemoryStore() {
      @Override
      public byte[] get(byte[] key) {
        return new byte[1];
      }
    };
    run(config(100, 1, Workload.READMISSING), inventive);
    assertTrue(out.text().contains("WARNING: readmissing found 100 keys that were never written"), out.text());
  }

  @Test
  void compactRunsOnceWhateverTheThreadsAndCountsAsOneOperation() throws Exception {
    MemoryStoreFactory factory = new MemoryStoreFactory();
    List<WorkloadResult> results = run(config(1000, 3, Workload.FILLRANDOM, Workload.COMPACT, Workload.READRANDOM),
        factory);
    assertEquals(1, factory.opened.get(0).compactions.get());
    assertEquals(1, results.get(1).ops());
    assertEquals(1000, results.get(2).found(), "the reads after it find every key of the fill");
  }

  @Test
  void aFailingOperationNamesTheWorkloadAndClosesTheStore() {
    MemoryStore failing = new MemoryStore() {
      @Override
      public byte[] get(byte[] key) {
        throw new IllegalStateException("disk on fire");
      }
    };
    BenchRunner.BenchFailure e = assertThrows(BenchRunner.BenchFailure.class,
        () -> run(config(100, 2, Workload.FILLSEQ, Workload.READRANDOM), d -> failing));
    assertEquals("readrandom failed: java.lang.IllegalStateException: disk on fire", e.getMessage());
    assertTrue(failing.closed);
  }
}
