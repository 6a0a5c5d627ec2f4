package dev.strata.sst;

import static dev.strata.sst.SstTestHarness.Entry;
import static dev.strata.sst.SstTestHarness.describe;
import static dev.strata.sst.SstTestHarness.expectedGet;
import static dev.strata.sst.SstTestHarness.firstAtOrAfter;
import static dev.strata.sst.SstTestHarness.key;
import static dev.strata.sst.SstTestHarness.matches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.cache.BlockCache;
import dev.strata.iterator.InternalIterator;
import dev.strata.key.InternalKey;
import dev.strata.key.Lookup;
import dev.strata.key.ValueKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** About 100k entries written once per layout, then read back every way a reader can. */
class TableRoundTripTest {
  private static final int DISTINCT_KEYS = 80_000;

  /** Layouts and cache setups that must all give the same answers. */
  enum Layout {
    BLOOM_AND_CACHE(new TableOptions(4096, 10), 64L << 20),
    BLOOM_NO_CACHE(new TableOptions(4096, 10), -1),
    NO_BLOOM_AND_CACHE(new TableOptions(4096, 0), 64L << 20),
    SMALL_BLOCKS_EVERY_KEY_A_RESTART(new TableOptions(200, 10, 1), -1),
    CACHE_TOO_SMALL_FOR_THE_TABLE(new TableOptions(4096, 10), 64L << 10),
    DISABLED_CACHE(new TableOptions(1024, 10, 4), 0);

    final TableOptions options;
    final long cacheBytes;

    Layout(TableOptions options, long cacheBytes) {
      this.options = options;
      this.cacheBytes = cacheBytes;
    }
  }

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;
  private static List<Entry> entries;
  private static final Map<Layout, TableReader> readers = new EnumMap<>(Layout.class);
  private static final Map<Layout, BlockCache> caches = new EnumMap<>(Layout.class);
  private static long seed;

  @BeforeAll
  static void writeTables() throws IOException {
    seed = SstTestHarness.seed("TableRoundTripTest");
    entries = SstTestHarness.generate(new Random(seed), DISTINCT_KEYS);
    for (Layout layout : Layout.values()) {
      Path path = dir.resolve(layout.name() + ".sst");
      TableProperties written = SstTestHarness.writeTable(path, entries, layout.options);
      assertEquals(Files.size(path), written.fileSize());
      BlockCache cache = layout.cacheBytes < 0 ? null : new BlockCache(layout.cacheBytes);
      caches.put(layout, cache);
      readers.put(layout, SstTestHarness.open(path, cache));
    }
  }

  @AfterAll
  static void closeTables() throws IOException {
    for (TableReader r : readers.values()) {
      r.close();
    }
  }

  private static String context(Layout layout) {
    return layout + " (seed " + seed + ")";
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void getReturnsTheNewestVersionAtOrBelowEveryProbedSequence(Layout layout) throws IOException {
    TableReader reader = readers.get(layout);
    for (Entry e : entries) {
      for (long probe : new long[] {InternalKey.MAX_SEQUENCE, e.sequence(), e.sequence() - 1, e.sequence() + 1, 0}) {
        Entry expected = expectedGet(entries, e.userKey(), probe);
        Lookup actual = reader.get(e.userKey(), probe);
        if (!matches(expected, actual)) {
          fail(context(layout) + ": get(" + InternalKey.printable(e.userKey()) + ", " + probe + ") = "
              + describe(actual) + ", expected " + describe(expected));
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void getOfKeysTheTableDoesNotHoldReturnsNull(Layout layout) throws IOException {
    TableReader reader = readers.get(layout);
    for (int i = 0; i < DISTINCT_KEYS; i++) {
      assertNull(reader.get(key(2 * i + 1), InternalKey.MAX_SEQUENCE), context(layout) + ": key " + (2 * i + 1));
    }
    assertNull(reader.get(new byte[0], InternalKey.MAX_SEQUENCE), "before the first key");
    assertNull(reader.get(SstTestHarness.bytes("key-"), InternalKey.MAX_SEQUENCE), "a prefix of every key");
    assertNull(reader.get(SstTestHarness.bytes("zzz"), InternalKey.MAX_SEQUENCE), "after the last key");
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void aScanFromTheStartYieldsEveryEntryInOrder(Layout layout) {
    try (InternalIterator it = readers.get(layout).iterator()) {
      it.seekToFirst();
      for (Entry e : entries) {
        assertTrue(it.isValid(), context(layout) + ": ended before " + e.describe());
        assertEquals(e.describe(), InternalKey.describe(it.userKey(), it.sequence(), it.kind()), context(layout));
        assertArrayEquals(e.value(), it.value(), e.describe());
        it.next();
      }
      assertFalse(it.isValid(), context(layout) + ": entries after the last one");
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void seekLandsOnTheFirstEntryAtOrAfterTheTarget(Layout layout) {
    Random rnd = new Random(seed + layout.ordinal());
    long maxSeq = readers.get(layout).properties().maxSequence();
    try (InternalIterator it = readers.get(layout).iterator()) {
      for (int i = 0; i < 20_000; i++) {
        byte[] target = key(rnd.nextInt(2 * DISTINCT_KEYS + 2) - 1);
        long seq = rnd.nextInt(4) == 0 ? InternalKey.MAX_SEQUENCE : rnd.nextLong(maxSeq + 3);
        it.seek(target, seq);
        int expected = firstAtOrAfter(entries, target, seq);
        for (int step = 0; step < 3 && expected + step < entries.size(); step++) {
          Entry e = entries.get(expected + step);
          assertTrue(it.isValid(), context(layout) + ": seek(" + InternalKey.printable(target) + ", " + seq + ")");
          assertEquals(e.describe(), InternalKey.describe(it.userKey(), it.sequence(), it.kind()),
              context(layout) + ": seek(" + InternalKey.printable(target) + ", " + seq + ") + " + step);
          it.next();
        }
        if (expected + 3 > entries.size()) {
          assertFalse(it.isValid());
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void propertiesDescribeWhatWasWritten(Layout layout) {
    TableProperties p = readers.get(layout).properties();
    assertEquals(entries.size(), p.entryCount());
    assertEquals(entries.stream().filter(e -> e.kind() == ValueKind.DELETE).count(), p.tombstoneCount());
    assertArrayEquals(entries.get(0).userKey(), p.smallestUserKey());
    assertArrayEquals(entries.get(entries.size() - 1).userKey(), p.largestUserKey());
    assertEquals(entries.stream().mapToLong(Entry::sequence).min().getAsLong(), p.minSequence());
    assertEquals(entries.stream().mapToLong(Entry::sequence).max().getAsLong(), p.maxSequence());
    assertEquals(entries.stream().mapToLong(e -> e.userKey().length + 8L).sum(), p.rawKeyBytes());
    assertEquals(entries.stream().mapToLong(e -> e.value().length).sum(), p.rawValueBytes());
    assertEquals(readers.get(layout).index().blockCount(), p.dataBlockCount());
    Entry first = entries.get(0);
    assertArrayEquals(InternalKey.encode(first.userKey(), first.sequence(), first.kind()), p.smallestInternalKey());
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void theBloomFilterNeverRejectsAKeyTheTableHolds(Layout layout) {
    TableReader reader = readers.get(layout);
    int rejectedAbsent = 0;
    for (int i = 0; i < DISTINCT_KEYS; i++) {
      assertTrue(reader.mayContain(key(2 * i)), context(layout) + ": key " + 2 * i);
      if (!reader.mayContain(key(2 * i + 1))) {
        rejectedAbsent++;
      }
    }
    if (layout.options.bloomBitsPerKey() == 0) {
      assertEquals(0, rejectedAbsent, "without a filter every key may be present");
      assertFalse(reader.footer().hasFilter());
    } else {
      assertTrue(rejectedAbsent > DISTINCT_KEYS * 0.97, rejectedAbsent + " of " + DISTINCT_KEYS + " absent keys rejected");
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void repeatedReadsOfABlockAreServedByTheCacheOnlyWhenItWasStoredCompressed(Layout layout) throws IOException {
    BlockCache cache = caches.get(layout);
    if (cache == null) {
      return;
    }
    TableReader reader = readers.get(layout);
    byte[] k = entries.get(entries.size() / 2).userKey();
    reader.get(k, InternalKey.MAX_SEQUENCE);
    long hits = cache.hits();
    long lookups = cache.hits() + cache.misses();
    reader.get(k, InternalKey.MAX_SEQUENCE);
    if (layout.cacheBytes > 0 && reader.properties().compressedDataBlockCount() > 0) {
      assertEquals(hits + 1, cache.hits(), "second read of the same block");
    } else if (reader.properties().compressedDataBlockCount() == 0) {
      // Random values: every block is stored raw and read from the file, never cached.
      assertEquals(lookups, cache.hits() + cache.misses(), context(layout) + ": a raw table looked in the cache");
    }
    assertTrue(cache.usedBytes() <= cache.capacityBytes());
  }
}
