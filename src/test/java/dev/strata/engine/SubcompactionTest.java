package dev.strata.engine;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import dev.strata.WriteBatch;
import dev.strata.fs.FaultInjectingFileSystem;
import dev.strata.fs.FileSystem;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.iterator.InternalIterator;
import dev.strata.manifest.ManifestLog;
import dev.strata.manifest.ManifestRecord;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.SstFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sub-compactions: one compaction split into key ranges merged on several threads writes exactly
 * what the unsplit compaction writes, in outputs that never straddle a range, installed in one
 * manifest record; a failure of any part leaves the store as it was, with no file left behind.
 * The engine is driven as the writer actor drives it, on an in-memory file system.
 */
class SubcompactionTest {
  private static final Path DIR = Path.of("/sub");
  private static final int THREADS = 4;

  private final ExecutorService helpers = Executors.newFixedThreadPool(THREADS - 1);
  private final List<StoreEngine> engines = new ArrayList<>();

  @AfterEach
  void shutDown() {
    helpers.shutdownNow();
    engines.forEach(StoreEngine::releaseResources);
  }

  @Test
  void aSplitCompactionWritesExactlyWhatTheUnsplitOneWrites() {
    long seed = TestHarness.seed("aSplitCompactionWritesExactlyWhatTheUnsplitOneWrites");
    Store whole = Store.filled(new InMemoryFileSystem(), seed, engines);
    Store split = Store.filled(new InMemoryFileSystem(), seed, engines);
    List<List<String>> viewsBefore = split.snapshotViews();
    CompactionPlan wholePlan = whole.control.planCompaction(true);
    CompactionPlan splitPlan = split.control.planCompaction(true);
    assertEquals(THREADS, split.control.compactionThreads(splitPlan, THREADS), "a full compaction is worth splitting");

    List<SstFile> wholeOut = whole.control.runCompaction(wholePlan, Runnable::run, 1);
    List<SstFile> splitOut = split.control.runCompaction(splitPlan, helpers, THREADS);

    assertSameEntries(entries(wholeOut), entries(splitOut));
    // Each range cuts its own outputs, so the split compaction writes at least as many files; more
    // only when a range's end falls inside a file the whole compaction would have cut on, which
    // depends on the seed's data (that no output straddles a range is the next test's).
    assertTrue(splitOut.size() >= wholeOut.size(), "each range cuts its own outputs: " + splitOut.size()
        + " against " + wholeOut.size() + " (seed " + seed + ")");
    whole.control.installCompaction(wholePlan, wholeOut);
    split.control.installCompaction(splitPlan, splitOut);
    assertEquals(viewsBefore, split.snapshotViews(), "no snapshot sees a change");
    assertEquals(whole.snapshotViews(), split.snapshotViews());
  }

  @Test
  void theRangesAreDisjointCoverTheInputAndHoldAboutEqualBytes() {
    long seed = TestHarness.seed("theRangesAreDisjointCoverTheInputAndHoldAboutEqualBytes");
    Store store = Store.filled(new InMemoryFileSystem(), seed, engines);
    CompactionPlan plan = store.control.planCompaction(true);
    List<byte[]> splits = SubcompactionRanges.splitKeys(plan.inputs(), THREADS);
    assertEquals(THREADS - 1, splits.size(), "enough samples for " + THREADS + " ranges");
    for (int i = 1; i < splits.size(); i++) {
      assertTrue(Arrays.compareUnsigned(splits.get(i - 1), splits.get(i)) < 0, "split keys strictly increase");
    }
    long[] perRange = new long[THREADS];
    long total = 0;
    for (SstFile f : plan.inputs()) {
      try (InternalIterator it = f.reader().iterator()) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          perRange[rangeOf(it.userKey(), splits)]++;
          total++;
        }
      }
    }
    for (int r = 0; r < THREADS; r++) {
      assertTrue(perRange[r] > total / (2 * THREADS) && perRange[r] < 2 * total / THREADS,
          "range " + r + " holds " + perRange[r] + " of " + total + " input entries: " + Arrays.toString(perRange));
    }

    List<SstFile> outputs = store.control.runCompaction(plan, helpers, THREADS);
    for (int i = 0; i < outputs.size(); i++) {
      SstFile f = outputs.get(i);
      assertEquals(rangeOf(f.smallestUserKey(), splits), rangeOf(f.largestUserKey(), splits),
          f + " lies in one range");
      if (i > 0) {
        assertTrue(Arrays.compareUnsigned(outputs.get(i - 1).largestUserKey(), f.smallestUserKey()) < 0,
            "outputs are disjoint and in key order");
      }
    }
    store.control.installCompaction(plan, outputs);
  }

  @Test
  void aSplitCompactionIsInstalledInOneManifestRecord() throws Exception {
    long seed = TestHarness.seed("aSplitCompactionIsInstalledInOneManifestRecord");
    InMemoryFileSystem fs = new InMemoryFileSystem();
    Store store = Store.filled(fs, seed, engines);
    Path manifest = manifest(fs);
    int before = ManifestLog.read(fs, manifest).records().size();
    CompactionPlan plan = store.control.planCompaction(true);
    List<SstFile> outputs = store.control.runCompaction(plan, helpers, THREADS);
    store.control.installCompaction(plan, outputs);

    List<ManifestRecord> records = ManifestLog.read(fs, manifest).records();
    assertEquals(before + 1, records.size(), "one record for the whole compaction");
    ManifestRecord.CompactionCompleted edit = assertInstanceOf(ManifestRecord.CompactionCompleted.class,
        records.get(records.size() - 1));
    assertEquals(outputs.stream().map(SstFile::number).toList(),
        edit.added().stream().map(dev.strata.manifest.FileMeta::number).toList(), "every part's outputs");
    assertEquals(plan.inputs().size(), edit.removed().size());
  }

  @Test
  void aFailedPartLeavesTheStoreAsBeforeWithNoFileBehind() {
    long seed = TestHarness.seed("aFailedPartLeavesTheStoreAsBeforeWithNoFileBehind");
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(new InMemoryFileSystem());
    Store store = Store.filled(fs, seed, engines);
    Set<String> filesBefore = files(fs);
    List<List<String>> viewsBefore = store.snapshotViews();
    CompactionPlan plan = store.control.planCompaction(true);
    // The third SST any part finishes fails as it is renamed into place: others are done by then.
    fs.failAt(FaultInjectingFileSystem.Op.RENAME, 3, FaultInjectingFileSystem.Kind.IO_EXCEPTION,
        p -> p.toString().endsWith(FileNames.SST_SUFFIX));

    StrataException e = assertThrows(StrataException.class, () -> store.control.runCompaction(plan, helpers, THREADS));
    assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
    store.control.abandonCompaction(plan);
    store.control.deleteObsoleteFiles();

    assertEquals(filesBefore, files(fs), "every part's outputs are deleted");
    assertEquals(viewsBefore, store.snapshotViews());
  }

  @Test
  void aCrashBetweenPartsLeavesOrphansThatTheNextOpenDeletes() {
    long seed = TestHarness.seed("aCrashBetweenPartsLeavesOrphansThatTheNextOpenDeletes");
    InMemoryFileSystem mem = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    Store store = Store.filled(fs, seed, engines);
    store.control.syncWal();
    Set<String> filesBefore = files(fs);
    List<String> latestBefore = drain(store.engine.scan(Bound.unbounded(), Bound.unbounded()));
    CompactionPlan plan = store.control.planCompaction(true);
    fs.failAt(FaultInjectingFileSystem.Op.RENAME, 3, FaultInjectingFileSystem.Kind.IO_EXCEPTION,
        p -> p.toString().endsWith(FileNames.SST_SUFFIX));
    assertThrows(StrataException.class, () -> store.control.runCompaction(plan, helpers, THREADS));
    // The process dies before the writer deletes the finished parts' outputs.
    mem.crash();
    engines.remove(store.engine); // a dead process closes nothing
    Set<String> orphans = new TreeSet<>(files(mem));
    orphans.removeAll(filesBefore);
    assertFalse(orphans.isEmpty(), "finished parts left their synced outputs");

    StoreEngine reopened = StoreEngine.open(DIR, Store.OPTIONS, mem);
    engines.add(reopened);
    assertEquals(latestBefore, drain(reopened.scan(Bound.unbounded(), Bound.unbounded())));
    for (String orphan : orphans) {
      assertFalse(mem.exists(DIR.resolve(orphan)), orphan + " is deleted by the open");
    }
  }

  @Test
  void compactionsOnlyWorthSplittingTakeMoreThanOneThread() {
    Store store = Store.filled(new InMemoryFileSystem(), 7, engines);
    CompactionPlan full = store.control.planCompaction(true);
    assertEquals(THREADS, store.control.compactionThreads(full, THREADS));
    assertEquals(2, store.control.compactionThreads(full, 2), "no more than the free threads");
    assertEquals(1, store.control.compactionThreads(full, 0), "one thread at least");
    StoreEngine one = StoreEngine.open(Path.of("/one"), StrataOptions.builder().maxSubcompactions(1)
        .compaction(CompactionOptions.none()).build(), new InMemoryFileSystem());
    engines.add(one);
    assertEquals(1, one.writerControl().compactionThreads(full, THREADS), "maxSubcompactions 1: never split");
  }

  /** Every key, sequence, kind and value, tombstones included; a failure names the first difference. */
  private static void assertSameEntries(List<String> expected, List<String> actual) {
    int n = Math.min(expected.size(), actual.size());
    for (int i = 0; i < n; i++) {
      assertEquals(expected.get(i), actual.get(i), "entry " + i + " of " + expected.size() + " unsplit, "
          + actual.size() + " split");
    }
    assertEquals(expected.size(), actual.size(), "entries unsplit and split");
  }

  private static int rangeOf(byte[] key, List<byte[]> splits) {
    int r = 0;
    while (r < splits.size() && Arrays.compareUnsigned(key, splits.get(r)) >= 0) {
      r++;
    }
    return r;
  }

  private static List<String> entries(List<SstFile> files) {
    List<String> out = new ArrayList<>();
    for (SstFile f : files) {
      try (InternalIterator it = f.reader().iterator()) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          out.add(new String(it.userKey()) + "@" + it.sequence() + " " + it.kind() + " "
              + HexFormat.of().formatHex(it.value()));
        }
      }
    }
    return out;
  }

  private static Set<String> files(FileSystem fs) {
    try {
      return new TreeSet<>(fs.list(DIR));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path manifest(FileSystem fs) {
    return files(fs).stream().filter(n -> n.startsWith(FileNames.MANIFEST_PREFIX)).map(DIR::resolve)
        .reduce((a, z) -> z).orElseThrow();
  }

  /**
   * A store filled from a seed: six flushed L0 files of random puts, overwrites and deletes over
   * 3000 keys, with snapshots held after some rounds, so that the compaction must keep versions
   * and tombstones for them and may drop the rest.
   */
  private static final class Store {
    static final StrataOptions OPTIONS = StrataOptions.builder().targetSstSizeBytes(16 * 1024).blockSizeBytes(512)
        .maxSubcompactions(THREADS).compaction(CompactionOptions.none()).build();

    final StoreEngine engine;
    final WriterControl control;
    final List<Long> snapshots = new ArrayList<>();

    private Store(StoreEngine engine) {
      this.engine = engine;
      this.control = engine.writerControl();
    }

    static Store filled(FileSystem fs, long seed, List<StoreEngine> opened) {
      StoreEngine engine = StoreEngine.open(DIR, OPTIONS, fs);
      opened.add(engine);
      Store s = new Store(engine);
      Random rnd = new Random(seed);
      for (int round = 0; round < 6; round++) {
        for (int op = 0; op < 1500; op++) {
          byte[] key = b(String.format("key%05d", rnd.nextInt(3000)));
          WriteBatch batch = new WriteBatch();
          if (rnd.nextInt(100) < 15) {
            batch.delete(key);
          } else {
            byte[] value = new byte[10 + rnd.nextInt(90)];
            rnd.nextBytes(value);
            batch.put(key, value);
          }
          assertTrue(engine.tryWrite(batch), "the fast path takes every write of a small store");
        }
        if (rnd.nextBoolean()) {
          s.snapshots.add(engine.acquireSnapshot());
        }
        Memtable frozen = s.control.rotate();
        s.control.installFlush(frozen, s.control.writeSst(frozen));
      }
      return s;
    }

    /** What every held snapshot reads, then the latest state. */
    List<List<String>> snapshotViews() {
      List<List<String>> views = new ArrayList<>();
      for (long seq : snapshots) {
        views.add(drain(engine.scan(Bound.unbounded(), Bound.unbounded(), seq)));
      }
      views.add(drain(engine.scan(Bound.unbounded(), Bound.unbounded())));
      return views;
    }
  }
}
