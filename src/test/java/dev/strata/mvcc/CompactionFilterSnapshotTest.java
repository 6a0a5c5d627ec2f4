package dev.strata.mvcc;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.drain;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.CompactionFilter;
import dev.strata.CompactionOptions;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import dev.strata.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction filters decide per version, against the snapshots and transactions open when the
 * compaction starts: a version an open reader sees is kept even when a filter selects its key, so
 * no reader sees a key vanish because a filter was added after it began; a version no open reader
 * sees is dropped, so a long-lived reader does not hold the filters back from newer data.
 */
@Timeout(120)
class CompactionFilterSnapshotTest {
  @TempDir Path dir;

  private Strata open() {
    return Strata.open(dir, StrataOptions.builder()
        .memtableSizeBytes(64 * 1024)
        .blockSizeBytes(1024)
        .maxImmutableMemtables(2)
        .compaction(CompactionOptions.none())
        .serializable(true)
        .build());
  }

  private static List<String> scanAll(Snapshot snap) {
    return drain(snap.scan(Bound.unbounded(), Bound.unbounded()));
  }

  @Test
  void aSnapshotOpenedBeforeAFilterWasAddedReadsItsKeysThroughFlushAndCompactionAndThenTheyGo() {
    try (Strata db = open()) {
      db.put(b("tmp/a"), b("1"));
      db.flush();
      db.put(b("tmp/b"), b("2")); // still in the memtable when the snapshot opens
      db.put(b("keep/c"), b("3"));
      Snapshot snap = db.snapshot();
      db.addCompactionFilter(CompactionFilter.prefix(b("tmp/")));
      db.flush();
      db.compact();
      assertEquals(List.of("keep/c=3", "tmp/a=1", "tmp/b=2"), scanAll(snap));
      assertEquals("1", s(snap.get(b("tmp/a"))));
      assertEquals("2", s(snap.get(b("tmp/b"))));

      snap.close();
      db.compact();
      assertEquals(List.of("keep/c=3"), TestHarness.scanAll(db));
      assertNull(db.get(b("tmp/a")));
    }
  }

  @Test
  void aLongLivedSnapshotDoesNotHoldTheFilterBackFromKeysWrittenAfterIt() {
    try (Strata db = open()) {
      db.put(b("tmp/old"), b("seen"));
      try (Snapshot snap = db.snapshot()) {
        db.put(b("tmp/new"), b("unseen"));
        db.put(b("keep/new"), b("kept"));
        db.addCompactionFilter(CompactionFilter.prefix(b("tmp/")));
        db.compact();
        // tmp/old's only version is the snapshot's: kept, for everyone, until the snapshot closes.
        assertEquals(List.of("keep/new=kept", "tmp/old=seen"), TestHarness.scanAll(db));
        assertEquals(List.of("tmp/old=seen"), scanAll(snap));
      }
      db.compact();
      assertEquals(List.of("keep/new=kept"), TestHarness.scanAll(db));
    }
  }

  @Test
  void eachOpenSnapshotKeepsTheVersionItReadsWhileLaterReadersSeeTheKeyFiltered() {
    try (Strata db = open()) {
      db.put(b("tmp/k"), b("v1"));
      Snapshot first = db.snapshot();
      db.put(b("tmp/k"), b("v2"));
      Snapshot second = db.snapshot();
      db.put(b("tmp/k"), b("v3"));
      db.addCompactionFilter(CompactionFilter.prefix(b("tmp/")));
      db.compact();
      assertEquals("v1", s(first.get(b("tmp/k"))));
      assertEquals("v2", s(second.get(b("tmp/k"))));
      assertNull(db.get(b("tmp/k")), "v3 no open reader sees: filtered");

      second.close();
      db.compact();
      assertEquals("v1", s(first.get(b("tmp/k"))));
      assertEquals(List.of("tmp/k=v1"), scanAll(first));
      assertNull(db.get(b("tmp/k")));

      first.close();
      db.compact();
      assertEquals(List.of(), TestHarness.scanAll(db));
    }
  }

  @Test
  void aTransactionBegunBeforeTheFilterReadsScansAndCommitsAsIfNoFilterHadRun() {
    try (Strata db = open()) {
      db.put(b("tmp/a"), b("1"));
      db.put(b("tmp/b"), b("2"));
      Transaction t = db.begin();
      assertEquals("1", s(t.get(b("tmp/a"))));
      db.addCompactionFilter(CompactionFilter.prefix(b("tmp/")));
      db.compact();
      assertEquals("2", s(t.get(b("tmp/b"))));
      assertEquals(List.of("tmp/a=1", "tmp/b=2"), drain(t.scan(Bound.included(b("tmp/")), Bound.excluded(b("tmp0")))));
      t.put(b("keep/sum"), b("3"));
      t.commit(); // serializable: what it read is unchanged, so no conflict

      db.compact();
      assertEquals(List.of("keep/sum=3"), TestHarness.scanAll(db));
    }
  }

  /**
   * Random puts, deletes, snapshots opened and closed, filters added, flushes and compactions:
   * every open snapshot reads, after every step, exactly what it read when it opened; and keys no
   * filter selects always read as the model says.
   */
  @Test
  void noSnapshotEverSeesAnyChangeWhateverFiltersAndCompactionsDo() {
    long seed = TestHarness.seed("CompactionFilterSnapshotTest.noSnapshotEverSeesAnyChange");
    SplittableRandom rnd = new SplittableRandom(seed);
    String[] prefixes = {"a/", "b/", "c/", "keep/"};
    List<String> filtered = new ArrayList<>();
    Map<Snapshot, List<String>> open = new LinkedHashMap<>();
    TreeMap<String, String> model = new TreeMap<>();
    try (Strata db = open()) {
      for (int step = 0; step < 400; step++) {
        int op = rnd.nextInt(100);
        String key = prefixes[rnd.nextInt(prefixes.length)] + rnd.nextInt(30);
        String what;
        if (op < 50) {
          String value = "v" + step;
          db.put(b(key), b(value));
          model.put(key, value);
          what = "put " + key;
        } else if (op < 60) {
          db.delete(b(key));
          model.remove(key);
          what = "delete " + key;
        } else if (op < 70) {
          Snapshot snap = db.snapshot();
          open.put(snap, scanAll(snap));
          what = "snapshot";
        } else if (op < 78 && !open.isEmpty()) {
          Snapshot snap = new ArrayList<>(open.keySet()).get(rnd.nextInt(open.size()));
          open.remove(snap);
          snap.close();
          what = "close snapshot";
        } else if (op < 81 && filtered.size() < 3) {
          String prefix = prefixes[filtered.size()];
          filtered.add(prefix);
          db.addCompactionFilter(CompactionFilter.prefix(b(prefix)));
          what = "filter " + prefix;
        } else if (op < 90) {
          db.flush();
          what = "flush";
        } else {
          db.compact();
          what = "compact";
        }
        String at = "seed " + seed + ", step " + step + " (" + what + ")";
        for (Map.Entry<Snapshot, List<String>> e : open.entrySet()) {
          assertEquals(e.getValue(), scanAll(e.getKey()), "snapshot at " + e.getKey().sequence() + ", " + at);
        }
        for (int i = 0; i < 30; i++) {
          String k = "keep/" + i;
          assertEquals(model.get(k), s(db.get(b(k))), k + ", " + at);
        }
        for (String prefix : filtered) {
          for (int i = 0; i < 30; i++) {
            String k = prefix + i;
            String got = s(db.get(b(k)));
            assertTrue(got == null || got.equals(model.get(k)), k + " reads " + got + ", " + at);
          }
        }
      }
      open.keySet().forEach(Snapshot::close);
      db.compact();
      for (String prefix : filtered) {
        assertEquals(List.of(), drain(db.scan(Bound.included(b(prefix)), Bound.excluded(b(prefix + "~")))),
            "once every snapshot closed, a compaction drops every key " + prefix + " selects; seed " + seed);
      }
    }
  }
}
