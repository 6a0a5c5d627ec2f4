package dev.strata.compaction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.StrataStats;
import dev.strata.TestHarness;
import dev.strata.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every strategy, end to end: a seeded random workload of puts, deletes, overwrites and batches
 * over a small key space runs with tiny memtables, so that hundreds of flushes and background
 * compactions happen, and the store must agree with a TreeMap oracle throughout, keep L0 bounded,
 * shrink to about the size of its live data after {@code compact()}, and reopen with the same
 * contents. The seed is printed; on failure the data directory is kept and its path printed.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CompactionStrategiesTest {
  private static final int OPS = 200_000;
  private static final int KEY_SPACE = 6_000;
  private static final int MAX_VALUE = 200;
  private static final int STATS_EVERY = 200;
  private static final int FULL_CHECK_EVERY = 50_000;
  private static final int SLOWDOWN = 6;
  private static final int STOP = 8;

  static Stream<Arguments> strategies() {
    return Stream.of(
        Arguments.of("leveled", CompactionOptions.leveled().baseLevelBytes(256 * 1024).levelSizeMultiplier(4)
            .maxLevels(4).level0FileTrigger(4)),
        Arguments.of("tiered", CompactionOptions.tiered().numTiers(4)),
        Arguments.of("simple-leveled", CompactionOptions.simpleLeveled().maxLevels(4).level0FileTrigger(4)));
  }

  private static StrataOptions options(CompactionOptions compaction) {
    return StrataOptions.builder()
        .memtableSizeBytes(64 * 1024)
        .targetSstSizeBytes(64 * 1024)
        .blockSizeBytes(2 * 1024)
        .blockCacheBytes(1 << 20)
        .maxImmutableMemtables(2)
        .compaction(compaction.level0StopWritesTrigger(STOP).level0SlowdownWritesTrigger(SLOWDOWN))
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void aRandomWorkloadAgreesWithTheOracleKeepsL0BoundedAndCompactsToItsLiveSize(String name,
      CompactionOptions compaction) throws Exception {
    long seed = TestHarness.seed("CompactionStrategiesTest[" + name + "]");
    SplittableRandom rnd = new SplittableRandom(seed);
    StrataOptions options = options(compaction);
    Path dir = Files.createTempDirectory("strata-strategies-" + name + "-");
    NavigableMap<String, byte[]> oracle = new TreeMap<>();
    boolean ok = false;
    try {
      try (Strata db = Strata.open(dir, options)) {
        long start = System.nanoTime();
        int maxL0 = runWorkload(db, rnd, oracle, name);
        StrataStats background = db.stats();
        System.out.printf("CompactionStrategiesTest[%s]: %d ops in %d ms, max L0 %d, %d compactions, "
                + "write amplification %.2f, write stalls %d ms%n", name, OPS, (System.nanoTime() - start) / 1_000_000,
            maxL0, background.compactions(), background.writeAmplification(), background.writeStallNanos() / 1_000_000);
        assertTrue(background.compactions() > 0, name + ": background compactions ran: " + background);
        assertTrue(background.compactionBytesWritten() > 0, name + ": background compactions wrote: " + background);

        db.flush();
        db.compact();
        StrataStats after = db.stats();
        assertAllDataInOneLevel(name, after);
        long onDisk = sstBytesOnDisk(dir);
        assertEquals(after.totalSstBytes(), onDisk,
            name + ": the SSTs on disk are exactly those the store lists (no leftovers): " + after);
        assertWithinLiveSize(name, oracle, onDisk);
        checkEverything(db, oracle, name + " after compact()");
      }
      try (Strata db = Strata.open(dir, options)) {
        checkEverything(db, oracle, name + " after reopen");
        assertAllDataInOneLevel(name + " after reopen", db.stats());
      }
      ok = true;
    } finally {
      if (ok) {
        TestHarness.deleteRecursively(dir);
      } else {
        System.out.println("CompactionStrategiesTest[" + name + "] failed with seed " + seed + "; data kept in " + dir);
      }
    }
  }

  /**
   * 70% puts (mostly overwrites: the key space is small), 10% deletes, 5% batches
   * of 1-10 puts and deletes, 15% gets checked against the oracle; a full check every
   * FULL_CHECK_EVERY operations, and the L0 bound checked every STATS_EVERY.
   */
  private static int runWorkload(Strata db, SplittableRandom rnd, NavigableMap<String, byte[]> oracle, String name) {
    // The writer holds flushes once L0 reaches STOP, but only while a compaction runs: when one
    // ends with L0 still at STOP (it compacted other levels), one flush may start before the
    // next compaction is picked. Flushes run one at a time, so L0 can pass STOP by one file.
    int l0Bound = STOP + 1;
    int maxL0 = 0;
    for (int op = 0; op < OPS; op++) {
      int dice = rnd.nextInt(100);
      if (dice < 70) {
        String k = randomKey(rnd);
        byte[] v = randomValue(rnd);
        db.put(bytes(k), v);
        oracle.put(k, v);
      } else if (dice < 80) {
        String k = randomKey(rnd);
        db.delete(bytes(k));
        oracle.remove(k);
      } else if (dice < 85) {
        WriteBatch batch = new WriteBatch();
        for (int i = rnd.nextInt(1, 11); i > 0; i--) {
          String k = randomKey(rnd);
          if (rnd.nextInt(4) > 0) {
            byte[] v = randomValue(rnd);
            batch.put(bytes(k), v);
            oracle.put(k, v);
          } else {
            batch.delete(bytes(k));
            oracle.remove(k);
          }
        }
        db.write(batch);
      } else {
        String k = randomKey(rnd);
        byte[] got = db.get(bytes(k));
        if (!Arrays.equals(oracle.get(k), got)) {
          fail(name + ": get " + k + " at op " + op + ": expected " + describe(oracle.get(k)) + ", got "
              + describe(got) + "\n" + db.stats());
        }
      }
      if (op % STATS_EVERY == 0) {
        StrataStats stats = db.stats();
        int l0 = stats.levelFileCounts()[0];
        maxL0 = Math.max(maxL0, l0);
        if (l0 > l0Bound) {
          fail(name + ": L0 holds " + l0 + " files at op " + op + ", over the stop trigger " + STOP
              + " + 1 flush = " + l0Bound + "\n" + stats);
        }
      }
      if (op > 0 && op % FULL_CHECK_EVERY == 0) {
        checkScan(db, oracle, name + " at op " + op);
      }
    }
    checkScan(db, oracle, name + " at the end of the workload (max L0 seen " + maxL0 + ")");
    return maxL0;
  }

  /** A full scan equals the oracle, and a get of every key of the key space agrees with it. */
  private static void checkEverything(Strata db, NavigableMap<String, byte[]> oracle, String when) {
    checkScan(db, oracle, when);
    for (int i = 0; i < KEY_SPACE; i++) {
      String k = key(i);
      byte[] got = db.get(bytes(k));
      if (!Arrays.equals(oracle.get(k), got)) {
        fail(when + ": get " + k + ": expected " + describe(oracle.get(k)) + ", got " + describe(got));
      }
    }
  }

  private static void checkScan(Strata db, NavigableMap<String, byte[]> oracle, String when) {
    Iterator<Map.Entry<String, byte[]>> expected = oracle.entrySet().iterator();
    int n = 0;
    try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
      for (; it.isValid(); it.next(), n++) {
        String k = new String(it.key(), StandardCharsets.US_ASCII);
        if (!expected.hasNext()) {
          fail(when + ": scan entry " + n + " is " + k + ", past the oracle's " + oracle.size() + " entries");
        }
        Map.Entry<String, byte[]> e = expected.next();
        assertEquals(e.getKey(), k, when + ": scan entry " + n);
        assertArrayEquals(e.getValue(), it.value(), when + ": value of " + k);
      }
    }
    assertEquals(oracle.size(), n, when + ": scan entry count");
  }

  private static void assertAllDataInOneLevel(String name, StrataStats stats) {
    int[] counts = stats.levelFileCounts();
    int nonEmpty = 0;
    for (int c : counts) {
      nonEmpty += c > 0 ? 1 : 0;
    }
    assertEquals(0, counts[0], name + ": L0 is empty after compact(): " + stats);
    assertEquals(1, nonEmpty, name + ": all data sits in one level after compact(): " + stats);
  }

  /**
   * After a full compaction only the newest version of each live key remains, so the files hold
   * the live keys and values plus the format's own cost. That cost is small here: per entry an
   * 8-byte sequence/kind trailer that prefix compression of the fixed-width keys mostly pays for,
   * three one-byte varints, a 4-byte restart every 16 entries and 10 bloom bits; per 2 KiB block
   * a 5-byte trailer and an index entry; per file a properties block and a 64-byte footer. With
   * values of 100 B on average that is under 10%, so no allowance is added: the bound is 1.5 x
   * the live key and value bytes, and a shadowed version or tombstone surviving in bulk breaks it.
   */
  private static void assertWithinLiveSize(String name, NavigableMap<String, byte[]> oracle, long onDisk) {
    long live = 0;
    for (Map.Entry<String, byte[]> e : oracle.entrySet()) {
      live += e.getKey().length() + e.getValue().length;
    }
    double ratio = (double) onDisk / live;
    System.out.printf("CompactionStrategiesTest[%s]: after compact() %d B of SSTs for %d B live (%.3f x)%n",
        name, onDisk, live, ratio);
    assertTrue(onDisk < live * 3 / 2, String.format(
        "%s: after compact() the SSTs take %d B on disk for %d live entries of %d B (key + value): %.3f x, "
            + "over the 1.5 x bound", name, onDisk, oracle.size(), live, ratio));
  }

  private static long sstBytesOnDisk(Path dir) throws IOException {
    long sum = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (p.getFileName().toString().endsWith(".sst")) {
          sum += Files.size(p);
        }
      }
    }
    return sum;
  }

  private static String randomKey(SplittableRandom rnd) {
    return key(rnd.nextInt(KEY_SPACE));
  }

  private static String key(int i) {
    return String.format("k%06d", i);
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] randomValue(SplittableRandom rnd) {
    byte[] v = new byte[rnd.nextInt(MAX_VALUE + 1)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (byte) rnd.nextInt(256);
    }
    return v;
  }

  private static String describe(byte[] v) {
    return v == null ? "absent" : v.length + " B " + Arrays.toString(Arrays.copyOf(v, Math.min(8, v.length)));
  }
}
