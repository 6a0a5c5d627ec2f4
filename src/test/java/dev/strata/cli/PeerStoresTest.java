package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.Bound;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.cli.CliTestHarness.Capture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The peers' adapters behave as the workloads assume: point operations, scans honouring both
 * kinds of bound, db_bench's eight workloads finding what they should, and fillsync (synced),
 * readwhilewriting and the YCSB mixes running on them. Runs only in a build
 * with the peers ({@code mvn -B test -Ppeers}); skipped otherwise.
 */
class PeerStoresTest {
  @TempDir
  Path dir;

  private static KeyValueStore.Factory factory(Engine engine) {
    try {
      return engine.peerFactory();
    } catch (Engine.Unavailable e) {
      assumeTrue(false, "built without -Ppeers: " + e.getMessage());
      throw new AssertionError(e);
    }
  }

  private static byte[] key(int i) {
    return new KeyGenerator(16).key(i);
  }

  private static List<Integer> scan(KeyValueStore store, Bound lower, Bound upper) {
    List<Integer> seen = new ArrayList<>();
    try (StrataIterator it = store.scan(lower, upper)) {
      for (; it.isValid(); it.next()) {
        seen.add(Integer.parseInt(new String(it.key(), java.nio.charset.StandardCharsets.US_ASCII)) / 2);
      }
    }
    return seen;
  }

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"ROCKSDB", "LEVELDB"})
  void pointOperationsAndBoundedScansWork(Engine engine) {
    try (KeyValueStore store = factory(engine).open(dir)) {
      for (int i = 0; i < 10; i++) {
        store.put(key(i), new byte[] {(byte) i});
      }
      store.delete(key(5));
      assertArrayEquals(new byte[] {3}, store.get(key(3)));
      assertNull(store.get(key(5)));
      assertEquals(List.of(2, 3, 4, 6), scan(store, Bound.included(key(2)), Bound.excluded(key(7))));
      assertEquals(List.of(3, 4, 6, 7), scan(store, Bound.excluded(key(2)), Bound.included(key(7))));
      assertEquals(List.of(0, 1, 2, 3, 4, 6, 7, 8, 9), scan(store, Bound.unbounded(), Bound.unbounded()));
      store.flush();
      assertArrayEquals(new byte[] {9}, store.get(key(9)));
    }
  }

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"ROCKSDB", "LEVELDB"})
  void theEightWorkloadsFindWhatTheyShould(Engine engine) throws Exception {
    BenchConfig config = new BenchConfig(3000, 301, 2, null, 16, 100, 10, Workload.defaults(), StrataOptions.defaults());
    Capture out = new Capture();
    List<WorkloadResult> results = new BenchRunner(config, factory(engine), dir, out.stream, null).run();
    assertEquals(3000, results.get(Workload.defaults().indexOf(Workload.READRANDOM)).found());
    assertEquals(0, results.get(Workload.defaults().indexOf(Workload.READMISSING)).found());
    assertEquals(3000, results.get(Workload.defaults().indexOf(Workload.READSEQ)).ops());
    assertFalse(out.text().contains("WARNING"), out.text());
  }

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"ROCKSDB", "LEVELDB"})
  void fillsyncReadwhilewritingAndTheYcsbMixesRunOnThePeer(Engine engine) throws Exception {
    List<Workload> workloads = List.of(Workload.FILLSYNC, Workload.SYNCFLOOR, Workload.READWHILEWRITING,
        Workload.YCSBA, Workload.YCSBB, Workload.YCSBC, Workload.YCSBE, Workload.YCSBF, Workload.READRANDOM);
    BenchConfig config = new BenchConfig(1000, 301, 4, null, 16, 100, 10, workloads, StrataOptions.defaults());
    Capture out = new Capture();
    KeyValueStore.Factory synced;
    try {
      synced = engine.peerFactory(true);
    } catch (Engine.Unavailable e) {
      assumeTrue(false, "built without -Ppeers: " + e.getMessage());
      throw new AssertionError(e);
    }
    List<WorkloadResult> results = new BenchRunner(config, factory(engine), synced, dir, out.stream, null).run();
    assertFalse(out.text().contains("WARNING"), out.text());
    assertEquals(-1, results.get(0).syncs(), "a peer's fsyncs are not counted");
    assertEquals(1000, results.get(2).found());
    for (int i = 3; i <= 7; i++) {
      assertEquals(1000, results.get(i).ops(), results.get(i).workload().benchName());
    }
    assertEquals(results.get(5).counts().reads(), results.get(5).found());
    assertTrue(results.get(6).counts().scanEntries() > results.get(6).counts().scans(), "ycsbe's scans read entries");
    assertEquals(1000, results.get(8).found());
  }
}
