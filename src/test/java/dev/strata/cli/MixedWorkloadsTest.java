package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.cli.CliTestHarness.Capture;
import dev.strata.cli.CliTestHarness.MemoryStore;
import dev.strata.cli.CliTestHarness.MemoryStoreFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * readwhilewriting and the YCSB mixes: each counts its operations by kind, finds what the store
 * holds, and leaves what it wrote; first on the in-memory store, then on the engine. The mixes are
 * seeded by the config's seed (301), so each run draws the same operations.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MixedWorkloadsTest {
  private static final int NUM = 4000;
  @TempDir
  Path dir;
  private final Capture out = new Capture();
  private final CliContext context = CliContext.withDefaults();

  @AfterEach
  void closeContext() {
    context.close();
  }

  private static BenchConfig config(long num, int threads, Workload... workloads) {
    return new BenchConfig(num, 301, threads, null, 16, 100, 10, List.of(workloads), StrataOptions.defaults());
  }

  private List<WorkloadResult> run(BenchConfig config, KeyValueStore.Factory factory) throws Exception {
    return new BenchRunner(config, factory, dir, out.stream, null).run();
  }

  private String line(Workload w) {
    return out.lines().stream().filter(l -> l.startsWith(String.format("%-12s :", w.benchName()))).findFirst()
        .orElseThrow(() -> new AssertionError(w.benchName() + " has no line in:\n" + out.text()));
  }

  /** The share {@code part} is of {@code whole} lies within 0.03 of {@code expected}. */
  private static void assertShare(double expected, long part, long whole) {
    assertEquals(expected, (double) part / whole, 0.03, part + " of " + whole);
  }

  @Test
  void ycsbAbcAndFDoTheirMixAndEveryReadFindsItsKey() throws Exception {
    List<WorkloadResult> r = run(config(NUM, 3, Workload.FILLRANDOM, Workload.YCSBA, Workload.YCSBB, Workload.YCSBC,
        Workload.YCSBF), new MemoryStoreFactory());
    OpCounts a = r.get(1).counts();
    assertEquals(NUM, r.get(1).ops());
    assertEquals(NUM, a.reads() + a.updates());
    assertShare(0.5, a.reads(), NUM);
    assertEquals(a.reads(), r.get(1).found());
    OpCounts b = r.get(2).counts();
    assertEquals(NUM, b.reads() + b.updates());
    assertShare(0.95, b.reads(), NUM);
    assertEquals(b.reads(), r.get(2).found());
    assertEquals(new OpCounts(NUM, 0, 0, 0, 0, 0), r.get(3).counts());
    assertEquals(NUM, r.get(3).found());
    OpCounts f = r.get(4).counts();
    assertEquals(NUM, f.reads() + f.readModifyWrites());
    assertShare(0.5, f.readModifyWrites(), NUM);
    assertEquals(NUM, r.get(4).found(), "a read-modify-write reads its key too");
    assertEquals(f.readModifyWrites() * 116, r.get(4).writtenBytes());
    assertEquals(a.updates() * 116, r.get(1).writtenBytes());
    assertEquals(0, r.get(3).writtenBytes());
    assertTrue(line(Workload.YCSBA).contains("read " + a.reads() + " (found " + a.reads() + "), update " + a.updates()),
        line(Workload.YCSBA));
    assertFalse(out.text().contains("WARNING"), out.text());
  }

  @Test
  void ycsbWritesGoToThePopularKeys() throws Exception {
    java.util.Map<String, Integer> putsPerKey = new java.util.concurrent.ConcurrentHashMap<>();
    List<WorkloadResult> r = run(config(NUM, 1, Workload.FILLRANDOM, Workload.YCSBA), d -> new MemoryStore() {
      @Override
      public void put(byte[] key, byte[] value) {
        putsPerKey.merge(new String(key, StandardCharsets.US_ASCII), 1, Integer::sum);
        super.put(key, value);
      }
    });
    long updates = r.get(1).counts().updates();
    assertEquals(NUM + updates, putsPerKey.values().stream().mapToLong(Integer::longValue).sum());
    assertEquals(NUM, putsPerKey.size(), "updates only overwrite filled keys");
    // Updates of uniform keys would touch about 1,600 distinct keys of 4,000; zipfian ones far fewer.
    long updated = putsPerKey.values().stream().filter(n -> n > 1).count();
    assertTrue(updated > 0 && updated < updates * 0.6, updated + " keys took " + updates + " updates");
  }

  /** A memory store that counts the entries its scans step over. */
  private static final class CountingStore extends MemoryStore {
    final AtomicLong stepped = new AtomicLong();

    @Override
    public StrataIterator scan(Bound lower, Bound upper) {
      StrataIterator it = super.scan(lower, upper);
      return new StrataIterator() {
        @Override
        public boolean isValid() {
          return it.isValid();
        }

        @Override
        public byte[] key() {
          return it.key();
        }

        @Override
        public byte[] value() {
          return it.value();
        }

        @Override
        public void next() {
          stepped.incrementAndGet();
          it.next();
        }

        @Override
        public void close() {
          it.close();
        }
      };
    }
  }

  @Test
  void ycsbEScansShortRangesAndItsInsertsAreVisibleAfterwards() throws Exception {
    CountingStore store = new CountingStore();
    List<WorkloadResult> r = run(config(NUM, 2, Workload.FILLRANDOM, Workload.YCSBE, Workload.READMISSING,
        Workload.READRANDOM), d -> store);
    OpCounts e = r.get(1).counts();
    assertEquals(NUM, r.get(1).ops());
    assertEquals(NUM, e.scans() + e.inserts());
    assertShare(0.05, e.inserts(), NUM);
    // The runner's two space reports at the end scan the whole store once each.
    assertEquals(store.stepped.get() - 2L * store.map.size(), e.scanEntries(),
        "each entry a scan read is one it stepped over");
    // Lengths are uniform in [1, 100]: about 50.5 entries a scan, fewer near the end of the keys.
    assertTrue(e.scanEntries() > e.scans() * 40 && e.scanEntries() <= e.scans() * 100L, e.toString());
    assertEquals(NUM + e.inserts(), store.map.size(), "every insert added a key");
    long odd = store.map.keySet().stream()
        .filter(k -> (k[k.length - 1] - '0') % 2 == 1).count();
    assertEquals(e.inserts(), odd, "inserted keys are the missing keys between the filled ones");
    assertEquals(e.inserts() * 116, r.get(1).writtenBytes());
    assertTrue(line(Workload.YCSBE).contains("insert " + e.inserts() + ", scan " + e.scans() + " ("
        + e.scanEntries() + " entries)"), line(Workload.YCSBE));
    assertEquals(NUM, r.get(3).found());
    assertFalse(out.text().contains("WARNING"), "readmissing finding YCSB E's inserts is no fault:\n" + out.text());
  }

  @Test
  void readwhilewritingReportsTheReadsAndTheWritersPuts() throws Exception {
    // Gets wait for the writer's first put, so the writer is seen to run while the readers read.
    CountDownLatch firstPut = new CountDownLatch(1);
    MemoryStore store = new MemoryStore() {
      @Override
      public void put(byte[] key, byte[] value) {
        super.put(key, value);
        firstPut.countDown();
      }

      @Override
      public byte[] get(byte[] key) {
        try {
          firstPut.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        return super.get(key);
      }
    };
    List<WorkloadResult> r = run(config(NUM, 2, Workload.READWHILEWRITING), d -> store);
    WorkloadResult rww = r.get(0);
    assertEquals(NUM, rww.ops());
    assertEquals(NUM, rww.counts().reads());
    assertTrue(rww.writerOps() >= 1, "writer ops " + rww.writerOps());
    assertTrue(store.map.size() >= 1 && store.map.size() <= rww.writerOps());
    assertEquals(rww.writerOps() * 116, rww.writtenBytes());
    String line = line(Workload.READWHILEWRITING);
    assertTrue(line.matches(".*ops/s .*found \\d+   writer " + rww.writerOps() + " ops \\d+ ops/s"), line);
  }

  @Test
  void theMixesRunOnTheEngine() throws Exception {
    Path store = dir.resolve("store");
    java.nio.file.Files.createDirectories(store);
    BenchConfig config = config(NUM, 4, Workload.FILLRANDOM, Workload.READWHILEWRITING, Workload.YCSBA,
        Workload.YCSBB, Workload.YCSBC, Workload.YCSBE, Workload.YCSBF, Workload.READRANDOM);
    StrataOptions options = StrataOptions.defaults().toBuilder().memtableSizeBytes(64 * 1024).build();
    List<WorkloadResult> r = new BenchRunner(config, context.factory(options), store, out.stream, null).run();
    assertFalse(out.text().contains("WARNING"), out.text());
    WorkloadResult rww = r.get(1);
    assertEquals(NUM, rww.found(), "the writer only overwrites: every read finds its key");
    assertTrue(rww.writerOps() >= 0);
    for (int i = 2; i <= 6; i++) {
      assertEquals(NUM, r.get(i).ops(), r.get(i).workload().benchName());
    }
    assertEquals(r.get(4).counts().reads(), r.get(4).found());
    long inserts = r.get(5).counts().inserts();
    assertTrue(inserts > 0);
    assertTrue(r.get(5).counts().scanEntries() > r.get(5).counts().scans());
    assertEquals(NUM, r.get(7).found());
    // The store the run left holds every filled key and every insert.
    try (KeyValueStore reopened = context.factory(options).open(store);
        StrataIterator it = reopened.scan(Bound.unbounded(), Bound.unbounded())) {
      long keys = 0;
      for (; it.isValid(); it.next()) {
        keys++;
      }
      assertEquals(NUM + inserts, keys);
    }
  }

  @Test
  void fillsyncAndItsSyncfloorRunAtSixtyFourThreads() throws Exception {
    int code = BenchCommand.run(List.of("--num", "640", "--threads", "64", "--workloads", "fillsync,syncfloor,readrandom"),
        context, out.stream, new Capture().stream, null);
    assertEquals(0, code, out.text());
    assertTrue(line(Workload.FILLSYNC).contains(" 640 ops") && line(Workload.FILLSYNC).contains("fsyncs"),
        line(Workload.FILLSYNC));
    assertTrue(line(Workload.SYNCFLOOR).contains(" 640 ops") && line(Workload.SYNCFLOOR).contains("fsyncs"),
        line(Workload.SYNCFLOOR));
    assertTrue(line(Workload.READRANDOM).endsWith("found 640"), line(Workload.READRANDOM));
  }
}
