package dev.strata.mvcc;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.drain;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot is a frozen read view: its gets and scans return the store exactly as it was when
 * {@code snapshot()} returned, whatever is put, overwritten, deleted, flushed or compacted (by
 * {@code compact()} or in the background) afterwards. Misuse (a closed snapshot, a closed store)
 * throws {@link IllegalStateException}.
 */
@Timeout(60)
class SnapshotTest {
  private static final int KEYS = 2_000;
  /** Pads values to about 100 bytes, so that {@link #KEYS} keys fill a 64 KiB memtable three times. */
  private static final String PAD = "x".repeat(80);

  @TempDir Path dir;

  /** A 64 KiB memtable and a leveled tree that compacts in the background after two L0 files. */
  static StrataOptions options() {
    return StrataOptions.builder()
        .memtableSizeBytes(64 * 1024)
        .targetSstSizeBytes(64 * 1024)
        .blockSizeBytes(1024)
        .blockCacheBytes(256 * 1024)
        .maxImmutableMemtables(2)
        .compaction(CompactionOptions.leveled().baseLevelBytes(256 * 1024).levelSizeMultiplier(4).maxLevels(4)
            .level0FileTrigger(2))
        .build();
  }

  private static String key(int i) {
    return String.format("key%08d", i);
  }

  private static String value(int i, int version) {
    return "v" + version + "-" + i + "-" + PAD;
  }

  /** A store and a model of what it holds, written together. */
  private static final class Model {
    final Strata db;
    final NavigableMap<String, String> live = new TreeMap<>();
    /** Every key ever written or deleted, so that reads of absent keys are checked too. */
    final TreeSet<String> touched = new TreeSet<>();

    Model(Strata db) {
      this.db = db;
    }

    void put(String k, String v) {
      db.put(b(k), b(v));
      live.put(k, v);
      touched.add(k);
    }

    void delete(String k) {
      db.delete(b(k));
      live.remove(k);
      touched.add(k);
    }
  }

  /** Every key the model ever touched reads as {@code expected} says, by get and by scans. */
  private static void assertSees(String stage, Snapshot snap, NavigableMap<String, String> expected,
      TreeSet<String> universe) {
    for (String k : universe) {
      assertEquals(expected.get(k), s(snap.get(b(k))), stage + ": get(" + k + ")");
    }
    assertEquals(lines(expected), drain(snap.scan(Bound.unbounded(), Bound.unbounded())), stage + ": full scan");
    String lo = key(100);
    String hi = key(300);
    assertEquals(lines(expected.subMap(lo, true, hi, false)),
        drain(snap.scan(Bound.included(b(lo)), Bound.excluded(b(hi)))), stage + ": scan [" + lo + ", " + hi + ")");
    assertEquals(lines(expected.subMap(lo, false, hi, true)),
        drain(snap.scan(Bound.excluded(b(lo)), Bound.included(b(hi)))), stage + ": scan (" + lo + ", " + hi + "]");
  }

  private static List<String> lines(Map<String, String> m) {
    List<String> out = new ArrayList<>();
    m.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  @Test
  void snapshotReadsStayAsOfCreationThroughWritesFlushesAndCompactions() {
    try (Strata db = Strata.open(dir, options())) {
      Model m = new Model(db);
      for (int i = 0; i < KEYS; i++) {
        m.put(key(i), value(i, 0));
      }
      for (int i = 9; i < KEYS; i += 10) {
        m.delete(key(i));
      }
      NavigableMap<String, String> frozen = new TreeMap<>(m.live);
      Snapshot snap = db.snapshot();
      StrataIterator openedAtCreation = snap.scan(Bound.unbounded(), Bound.unbounded());
      assertSees("at creation", snap, frozen, m.touched);

      for (int i = 0; i < KEYS; i += 3) {
        m.put(key(i), value(i, 1)); // overwrites
      }
      for (int i = 0; i < KEYS; i += 5) {
        m.delete(key(i)); // deletes after the snapshot
      }
      for (int i = 9; i < KEYS; i += 10) {
        m.put(key(i), value(i, 1)); // keys deleted before the snapshot come back
      }
      for (int i = 0; i < 500; i++) {
        m.put(key(KEYS + i), value(KEYS + i, 1)); // new keys past the end
        m.put(key(2 * i) + "+", value(2 * i, 1)); // new keys between existing ones
      }
      assertSees("after writes", snap, frozen, m.touched);
      db.flush();
      assertSees("after flush", snap, frozen, m.touched);
      db.compact();
      assertSees("after compact", snap, frozen, m.touched);

      long compactionsBefore = db.stats().compactions();
      for (int version = 2; version <= 5; version++) {
        for (int i = 0; i < KEYS; i++) {
          if (i % 7 == version) {
            m.delete(key(i));
          } else {
            m.put(key(i), value(i, version));
          }
        }
      }
      db.waitForCompactions();
      assertTrue(db.stats().compactions() > compactionsBefore,
          "the overwrites should have caused background compactions: " + db.stats());
      assertSees("after background compactions", snap, frozen, m.touched);
      db.compact();
      assertSees("after a second compact", snap, frozen, m.touched);

      assertEquals(lines(frozen), drain(openedAtCreation), "an iterator opened on the snapshot before the changes");
      // The store itself moved on: the snapshot's stability is not an absence of writes.
      assertEquals(lines(m.live), drain(db.scan(Bound.unbounded(), Bound.unbounded())), "the live store");
      snap.close();
    }
  }

  @Test
  void keyWrittenAfterTheSnapshotIsInvisibleToIt() {
    try (Strata db = Strata.open(dir, options())) {
      db.put(b("a"), b("1"));
      try (Snapshot snap = db.snapshot()) {
        db.put(b("b"), b("2"));
        assertNull(snap.get(b("b")));
        db.flush();
        assertNull(snap.get(b("b")));
        db.compact();
        assertNull(snap.get(b("b")));
        assertEquals(List.of("a=1"), drain(snap.scan(Bound.unbounded(), Bound.unbounded())));
        assertEquals(List.of(), drain(snap.scan(Bound.included(b("b")), Bound.unbounded())));
        assertEquals("2", s(db.get(b("b"))));
      }
    }
  }

  @Test
  void keyDeletedAfterTheSnapshotStaysVisibleToItThroughBottommostCompaction() {
    try (Strata db = Strata.open(dir, options())) {
      db.put(b("a"), b("old"));
      db.put(b("b"), b("1"));
      db.compact();
      try (Snapshot snap = db.snapshot()) {
        db.put(b("a"), b("new"));
        db.delete(b("a"));
        db.delete(b("b"));
        db.compact(); // bottommost: drops tombstones, but not the versions the snapshot reads
        assertEquals("old", s(snap.get(b("a"))));
        assertEquals("1", s(snap.get(b("b"))));
        assertEquals(List.of("a=old", "b=1"), drain(snap.scan(Bound.unbounded(), Bound.unbounded())));
        assertNull(db.get(b("a")));
        assertNull(db.get(b("b")));
        assertEquals(List.of(), drain(db.scan(Bound.unbounded(), Bound.unbounded())));
      }
    }
  }

  @Test
  void eachOfSeveralSnapshotsKeepsItsOwnVersionWhileOthersClose() {
    try (Strata db = Strata.open(dir, options())) {
      List<Snapshot> snaps = new ArrayList<>();
      for (int version = 0; version < 5; version++) {
        for (int i = 0; i < 300; i++) {
          db.put(b(key(i)), b(value(i, version)));
        }
        db.flush();
        snaps.add(db.snapshot());
      }
      db.compact();
      for (int version = 0; version < 5; version++) {
        for (int i = 0; i < 300; i += 37) {
          assertEquals(value(i, version), s(snaps.get(version).get(b(key(i)))), "snapshot " + version);
        }
      }
      // Close the middle ones and the oldest: the watermark moves up, the rest still read theirs.
      snaps.get(0).close();
      snaps.get(2).close();
      db.compact();
      for (int version : new int[] {1, 3, 4}) {
        for (int i = 0; i < 300; i += 37) {
          assertEquals(value(i, version), s(snaps.get(version).get(b(key(i)))), "snapshot " + version);
        }
        assertEquals(300, drain(snaps.get(version).scan(Bound.unbounded(), Bound.unbounded())).size());
      }
      snaps.forEach(Snapshot::close);
    }
  }

  @Test
  void snapshotSequenceIsTheLastWriteItSees() {
    try (Strata db = Strata.open(dir, options())) {
      db.put(b("a"), b("1"));
      try (Snapshot snap = db.snapshot()) {
        assertEquals(db.stats().lastSequence(), snap.sequence());
      }
    }
  }

  @Test
  void closedSnapshotThrowsOnEveryRead() {
    try (Strata db = Strata.open(dir, options())) {
      db.put(b("a"), b("1"));
      Snapshot snap = db.snapshot();
      snap.close();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> snap.get(b("a")));
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> snap.scan(Bound.unbounded(), Bound.unbounded()));
      assertArrayEquals(b("1"), db.get(b("a")), "closing a snapshot does not touch the store");
    }
  }

  @Test
  void closingASnapshotTwiceIsFine() {
    try (Strata db = Strata.open(dir, options())) {
      db.put(b("a"), b("1"));
      Snapshot snap = db.snapshot();
      try (Snapshot other = db.snapshot()) {
        assertEquals(snap.sequence(), other.sequence());
        snap.close();
        assertDoesNotThrow(snap::close);
        // The second close must not release the other reader registered at the same sequence.
        db.put(b("a"), b("2"));
        db.compact();
        assertEquals("1", s(other.get(b("a"))));
      }
    }
  }

  @Test
  void snapshotReadOnAClosedStoreThrows() {
    Strata db = Strata.open(dir, options());
    db.put(b("a"), b("1"));
    Snapshot snap = db.snapshot();
    db.close();
    assertThrows(IllegalStateException.class, () -> snap.get(b("a")));
    assertThrows(IllegalStateException.class, () -> snap.scan(Bound.unbounded(), Bound.unbounded()));
    assertDoesNotThrow(snap::close);
    assertThrows(IllegalStateException.class, db::snapshot);
  }
}
