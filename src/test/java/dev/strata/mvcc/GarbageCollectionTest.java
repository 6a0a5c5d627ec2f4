package dev.strata.mvcc;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.drain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.CompactionFilter;
import dev.strata.CompactionOptions;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction drops only what no reader can see: versions an open snapshot or transaction reads
 * survive any number of compactions, and are reclaimed by the first compaction after it closes.
 * Compaction filters obey the same rule.
 *
 * <p>The workload: {@value #KEYS} keys with {@value #VALUE_BYTES}-byte random values (about 200 KB
 * of live data; random so that the sizes measure data, whatever the block format does). Sizes are
 * taken after {@code compact()} with automatic compaction off, so each is one sorted run holding
 * exactly the versions compaction chose to keep.
 */
@Timeout(60)
class GarbageCollectionTest {
  private static final int KEYS = 1_000;
  private static final int VALUE_BYTES = 200;
  /** Versions written after the pinning snapshot: the snapshot's plus these make five of each key. */
  private static final int OVERWRITES = 4;

  @TempDir Path dir;

  private static StrataOptions options() {
    return StrataOptions.builder()
        .memtableSizeBytes(64 * 1024)
        .targetSstSizeBytes(64 * 1024)
        .blockSizeBytes(1024)
        .maxImmutableMemtables(2)
        .compaction(CompactionOptions.none())
        .build();
  }

  private static byte[] key(String prefix, int i) {
    return b(String.format("%s%06d", prefix, i));
  }

  /** A random value that starts with its version, so a read tells which version it found. */
  private static byte[] value(SplittableRandom rnd, int version) {
    byte[] v = new byte[VALUE_BYTES];
    rnd.nextBytes(v);
    v[0] = (byte) version;
    return v;
  }

  /** Writes version {@code version} of every key under {@code prefix}; returns the values written. */
  private static byte[][] writeAll(Strata db, String prefix, int version, SplittableRandom rnd) {
    byte[][] values = new byte[KEYS][];
    for (int i = 0; i < KEYS; i++) {
      values[i] = value(rnd, version);
      db.put(key(prefix, i), values[i]);
    }
    return values;
  }

  private static void assertReadsAll(String what, Snapshot snap, String prefix, byte[][] values) {
    for (int i = 0; i < KEYS; i++) {
      assertArrayEquals(values[i], snap.get(key(prefix, i)), what + ": get " + i);
    }
    try (StrataIterator it = snap.scan(Bound.included(b(prefix)), Bound.excluded(b(prefix + "~")))) {
      int i = 0;
      for (; it.isValid(); it.next(), i++) {
        assertArrayEquals(key(prefix, i), it.key(), what + ": scan key " + i);
        assertArrayEquals(values[i], it.value(), what + ": scan value " + i);
      }
      assertEquals(KEYS, i, what + ": keys scanned");
    }
  }

  /**
   * Five versions of each key, the oldest pinned by a snapshot: all five are on disk after
   * {@code compact()} (everything above the watermark is kept), so the pinned size is about five
   * times one version's. Once the snapshot closes, one version remains: about a fifth of the pinned
   * size, plus the same per-file overhead (index, bloom filter, footer) both measurements share.
   * The bound is 30% of the pinned size: it leaves room for that overhead, and fails as soon as a
   * second version of every key survives (2/5 = 40%).
   */
  @Test
  void versionsPinnedBySnapshotSurviveCompactionAndAreReclaimedAfterClose() {
    SplittableRandom rnd = new SplittableRandom(42);
    try (Strata db = Strata.open(dir, options())) {
      byte[][] pinned = writeAll(db, "k", 0, rnd);
      db.compact();
      long oneVersion = db.stats().totalSstBytes();

      Snapshot snap = db.snapshot();
      byte[][] newest = null;
      for (int version = 1; version <= OVERWRITES; version++) {
        newest = writeAll(db, "k", version, rnd);
        db.compact(); // every round, so the pinned versions go through several compactions
      }
      assertReadsAll("snapshot after " + OVERWRITES + " overwrites and compactions", snap, "k", pinned);
      for (int i = 0; i < KEYS; i += 97) {
        assertArrayEquals(newest[i], db.get(key("k", i)), "the live store reads the newest version");
      }
      long pinnedBytes = db.stats().totalSstBytes();
      assertTrue(pinnedBytes > 4 * oneVersion,
          "five versions are kept while pinned: " + pinnedBytes + " bytes vs " + oneVersion + " for one version");

      snap.close();
      db.compact();
      long reclaimed = db.stats().totalSstBytes();
      assertTrue(reclaimed < 0.3 * pinnedBytes,
          "after the snapshot closed, compaction keeps one version of five: " + reclaimed + " bytes of "
              + pinnedBytes + " pinned");
      assertTrue(reclaimed < 1.2 * oneVersion, reclaimed + " bytes, one version took " + oneVersion);
      for (int i = 0; i < KEYS; i++) {
        assertArrayEquals(newest[i], db.get(key("k", i)), "newest version of " + i + " after reclaiming");
      }
    }
  }

  @Test
  void openTransactionPinsTheVersionsItReads() {
    SplittableRandom rnd = new SplittableRandom(43);
    try (Strata db = Strata.open(dir, options())) {
      byte[][] pinned = writeAll(db, "k", 0, rnd);
      db.compact();
      try (Transaction t = db.begin()) {
        for (int version = 1; version <= 2; version++) {
          writeAll(db, "k", version, rnd);
          db.compact();
        }
        for (int i = 0; i < KEYS; i++) {
          assertArrayEquals(pinned[i], t.get(key("k", i)), "transaction read of " + i);
        }
        assertEquals(KEYS, drain(t.scan(Bound.unbounded(), Bound.unbounded())).size());
      }
    }
  }

  @Test
  void deletedKeysPinnedBySnapshotAreReclaimedAfterClose() {
    SplittableRandom rnd = new SplittableRandom(44);
    try (Strata db = Strata.open(dir, options())) {
      byte[][] pinned = writeAll(db, "k", 0, rnd);
      db.compact();
      long full = db.stats().totalSstBytes();
      Snapshot snap = db.snapshot();
      for (int i = 0; i < KEYS; i++) {
        db.delete(key("k", i));
      }
      db.compact();
      assertReadsAll("snapshot after every key was deleted", snap, "k", pinned);
      assertTrue(db.stats().totalSstBytes() >= full, "the deleted values are still on disk while pinned");
      snap.close();
      db.compact();
      assertEquals(0, db.stats().totalSstBytes(), "nothing left once no reader needs the deleted values");
    }
  }

  /**
   * Half the data lives under "tmp/": filtering it leaves the other half, so the files shrink to
   * about 50% of their size; the bound of 60% leaves room for per-file overhead.
   */
  @Test
  void compactionFilterDropsPrefixedKeysAndKeepsOthers() {
    SplittableRandom rnd = new SplittableRandom(45);
    try (Strata db = Strata.open(dir, options())) {
      writeAll(db, "tmp/", 0, rnd);
      byte[][] kept = writeAll(db, "keep/", 0, rnd);
      db.compact();
      long before = db.stats().totalSstBytes();
      db.addCompactionFilter(CompactionFilter.prefix(b("tmp/")));
      db.compact();
      for (int i = 0; i < KEYS; i++) {
        assertNull(db.get(key("tmp/", i)), "tmp/ key " + i + " after the filter ran");
        assertArrayEquals(kept[i], db.get(key("keep/", i)), "keep/ key " + i);
      }
      List<String> tmpLeft = drain(db.scan(Bound.included(b("tmp/")), Bound.excluded(b("tmp0"))));
      assertEquals(List.of(), tmpLeft);
      assertEquals(KEYS, drain(db.scan(Bound.unbounded(), Bound.unbounded())).size());
      long after = db.stats().totalSstBytes();
      assertTrue(after < 0.6 * before, "filtering half the data: " + after + " bytes of " + before);
    }
  }

  /**
   * A snapshot taken before the filter ran still reads the filtered keys: the filter must not drop
   * a version an open reader sees. Once the snapshot closes, the next compaction drops them and the
   * files shrink to about half (bound 60%, as above).
   */
  @Test
  void snapshotOpenedBeforeFilteringStillSeesFilteredKeysUntilClosed() {
    SplittableRandom rnd = new SplittableRandom(46);
    try (Strata db = Strata.open(dir, options())) {
      byte[][] tmp = writeAll(db, "tmp/", 0, rnd);
      byte[][] kept = writeAll(db, "keep/", 0, rnd);
      db.compact();
      Snapshot snap = db.snapshot();
      db.addCompactionFilter(CompactionFilter.prefix(b("tmp/")));
      db.compact();
      assertReadsAll("snapshot after the filtering compaction", snap, "tmp/", tmp);
      assertReadsAll("snapshot after the filtering compaction", snap, "keep/", kept);
      long pinned = db.stats().totalSstBytes();

      snap.close();
      db.compact();
      for (int i = 0; i < KEYS; i++) {
        assertNull(db.get(key("tmp/", i)), "tmp/ key " + i + " once the snapshot closed");
        assertArrayEquals(kept[i], db.get(key("keep/", i)), "keep/ key " + i);
      }
      assertEquals(new ArrayList<String>(), drain(db.scan(Bound.included(b("tmp/")), Bound.excluded(b("tmp0")))));
      long after = db.stats().totalSstBytes();
      assertTrue(after < 0.6 * pinned, "after close, filtering half the data: " + after + " bytes of " + pinned);
    }
  }

  /** A key overwritten after the snapshot: the filter may drop neither the old version (pinned) nor, yet, the key. */
  @Test
  void filterSparesTheVersionASnapshotReadsWhenTheKeyWasOverwrittenLater() {
    try (Strata db = Strata.open(dir, options())) {
      db.put(b("tmp/a"), b("old"));
      db.put(b("keep/a"), b("old"));
      db.compact();
      try (Snapshot snap = db.snapshot()) {
        db.put(b("tmp/a"), b("new"));
        db.addCompactionFilter(CompactionFilter.prefix(b("tmp/")));
        db.compact();
        assertArrayEquals(b("old"), snap.get(b("tmp/a")));
        assertArrayEquals(b("old"), snap.get(b("keep/a")));
      }
      db.compact();
      assertNull(db.get(b("tmp/a")));
      assertArrayEquals(b("old"), db.get(b("keep/a")));
    }
  }
}
