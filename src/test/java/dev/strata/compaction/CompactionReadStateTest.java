package dev.strata.compaction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.StrataStats;
import dev.strata.TestHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Iterators opened at several points stay valid through many background compactions: each keeps
 * returning exactly the store as it was when it was opened, and the SSTs it pinned stay on disk
 * while it is open, even once compaction has replaced them, and are deleted when it closes.
 *
 * <p>Which files an iterator pins is known exactly only when nothing is in flight, so the tracked
 * iterators are opened at quiet points: right after {@code compact()} (which leaves the tree within
 * every strategy's bounds, so no background compaction follows) plus two flushes, too few to
 * trigger one; the live SSTs are then the files that appeared since {@code compact()} began, and
 * the store's own count must agree. More iterators are opened in the middle of the background
 * work; their data is checked the same way, and their files by the final count: once they are
 * closed, the disk holds the live SSTs and the tracked iterators' files, nothing else.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CompactionReadStateTest {
  private static final int KEY_SPACE = 3_000;
  private static final int ROUNDS = 4;
  private static final int OPS_PER_ROUND = 20_000;
  private static final int BACKGROUND_OPS = 60_000;
  private static final long DELETION_WAIT_MILLIS = 5_000;

  static Stream<Arguments> strategies() {
    return Stream.of(
        Arguments.of("leveled", CompactionOptions.leveled().baseLevelBytes(128 * 1024).levelSizeMultiplier(4)
            .maxLevels(4).level0FileTrigger(4)),
        Arguments.of("tiered", CompactionOptions.tiered().numTiers(4)),
        Arguments.of("simple-leveled", CompactionOptions.simpleLeveled().maxLevels(4).level0FileTrigger(4)));
  }

  private static StrataOptions options(CompactionOptions compaction) {
    return StrataOptions.builder()
        .memtableSizeBytes(32 * 1024)
        .targetSstSizeBytes(32 * 1024)
        .blockSizeBytes(1024)
        .blockCacheBytes(256 * 1024)
        .maxImmutableMemtables(2)
        .compaction(compaction)
        .build();
  }

  /** An open iterator, what it must return, and (when opened at a quiet point) the SSTs it pins. */
  private static final class Reader {
    final String name;
    final StrataIterator it;
    final Iterator<Map.Entry<String, byte[]>> expected;
    final int expectedCount;
    final Set<String> pinned;
    int position;

    Reader(String name, StrataIterator it, NavigableMap<String, byte[]> snapshot, Set<String> pinned) {
      this.name = name;
      this.it = it;
      this.expected = new TreeMap<>(snapshot).entrySet().iterator();
      this.expectedCount = snapshot.size();
      this.pinned = pinned;
    }

    /** Reads up to {@code n} more entries, each of which must be the next of the snapshot. */
    void advance(int n) {
      for (int i = 0; i < n && it.isValid(); i++, position++) {
        String k = new String(it.key(), StandardCharsets.US_ASCII);
        if (!expected.hasNext()) {
          fail(name + ": entry " + position + " is " + k + ", past the " + expectedCount + " of its snapshot");
        }
        Map.Entry<String, byte[]> e = expected.next();
        assertEquals(e.getKey(), k, name + ": entry " + position);
        assertArrayEquals(e.getValue(), it.value(), name + ": value of " + k);
        it.next();
      }
    }

    void drainAndCheck() {
      advance(Integer.MAX_VALUE);
      assertFalse(it.isValid());
      assertEquals(expectedCount, position, name + ": entries returned");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void iteratorsKeepTheirViewAndFilesThroughCompactionsAndLetThemGoWhenClosed(String strategy,
      CompactionOptions compaction) throws Exception {
    long seed = TestHarness.seed("CompactionReadStateTest[" + strategy + "]");
    SplittableRandom rnd = new SplittableRandom(seed);
    Path dir = Files.createTempDirectory("strata-readstate-" + strategy + "-");
    NavigableMap<String, byte[]> oracle = new TreeMap<>();
    List<Reader> tracked = new ArrayList<>();
    List<Reader> untracked = new ArrayList<>();
    boolean ok = false;
    try (Strata db = Strata.open(dir, options(compaction))) {
      try {
        for (int round = 0; round < ROUNDS; round++) {
          write(db, rnd, oracle, OPS_PER_ROUND);
          // Opened while background compactions run: data checked, files only by the final count.
          untracked.add(new Reader(strategy + " iterator opened mid-flight in round " + round,
              db.scan(Bound.unbounded(), Bound.unbounded()), oracle, Set.of()));
          tracked.add(openAtQuietPoint(db, dir, rnd, oracle, strategy + " iterator of round " + round));
          readALittle(tracked, untracked, rnd);
          assertPinnedFilesExist(dir, tracked, "round " + round);
        }

        long compactionsBefore = db.stats().compactions();
        for (int done = 0; done < BACKGROUND_OPS; done += 2_000) {
          write(db, rnd, oracle, 2_000);
          db.flush();
          readALittle(tracked, untracked, rnd);
          assertPinnedFilesExist(dir, tracked, "background phase, op " + done);
        }
        StrataStats background = db.stats();
        assertTrue(background.compactions() - compactionsBefore >= 10,
            strategy + ": background compactions ran while the iterators were open: " + background);

        // A full compaction replaces every file, those the tracked iterators pin included: the
        // store lists only its outputs afterwards, yet the pinned files must stay on disk.
        Set<String> before = sstFiles(dir);
        db.compact();
        Set<String> outputs = sstFiles(dir);
        outputs.removeAll(before);
        assertEquals(sumOf(db.stats().levelFileCounts()), outputs.size(),
            strategy + ": after compact() the store lists only its outputs " + outputs + ": " + db.stats());
        assertPinnedFilesExist(dir, tracked, "after the final compact() replaced them");

        for (Reader r : untracked) {
          r.drainAndCheck();
          r.it.close();
        }
        // The mid-flight iterators' files are gone: only the live run and the tracked ones remain.
        int liveCount = sumOf(db.stats().levelFileCounts());
        assertEquals(liveCount, waitForFileCount(dir, tracked, liveCount),
            strategy + ": SSTs on disk besides the tracked iterators' files, after the others closed");

        for (int i = 0; i < tracked.size(); i++) {
          Reader r = tracked.get(i);
          r.drainAndCheck();
          assertPinnedFilesExist(dir, tracked.subList(i, tracked.size()), "before closing " + r.name);
          r.it.close();
          Set<String> left = waitForDeletion(dir, r.pinned);
          assertTrue(left.isEmpty(), r.name + ": the files it pinned are deleted once it is closed; still there: "
              + left);
          assertPinnedFilesExist(dir, tracked.subList(i + 1, tracked.size()), "after closing " + r.name);
        }
        StrataStats end = db.stats();
        assertEquals(sumOf(end.levelFileCounts()), sstFiles(dir).size(), "only live SSTs are left: " + end);
        assertEquals(end.totalSstBytes(), sstBytes(dir), "only live SSTs are left: " + end);
        ok = true;
      } finally {
        for (Reader r : tracked) {
          r.it.close();
        }
        for (Reader r : untracked) {
          r.it.close();
        }
      }
    } finally {
      if (ok) {
        TestHarness.deleteRecursively(dir);
      } else {
        System.out.println("CompactionReadStateTest[" + strategy + "] failed with seed " + seed + "; data kept in "
            + dir);
      }
    }
  }

  /**
   * compact(), then two flushes of fresh writes (too few for any strategy here to pick a task) and
   * some writes left in the memtable; then an iterator. Its files are the live SSTs, which are
   * exactly the files that appeared on disk since just before compact(): the full compaction
   * replaced every file that was live then (it starts only once a running compaction is
   * installed), and what it or a compaction in flight wrote meanwhile and then replaced, no reader
   * pins (older iterators were opened before it existed), so it is deleted at once.
   */
  private static Reader openAtQuietPoint(Strata db, Path dir, SplittableRandom rnd, NavigableMap<String, byte[]> oracle,
      String name) throws IOException {
    Set<String> before = sstFiles(dir);
    db.compact();
    // 150 writes of at most 160 B stay under the 32 KiB memtable: no flush happens on its own.
    write(db, rnd, oracle, 150);
    db.flush();
    write(db, rnd, oracle, 150);
    db.flush();
    write(db, rnd, oracle, 100);
    StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded());
    StrataStats stats = db.stats();
    Set<String> pinned = sstFiles(dir);
    pinned.removeAll(before);
    assertEquals(sumOf(stats.levelFileCounts()), pinned.size(), name + ": at a quiet point the SSTs that appeared "
        + "since compact() began are the live ones: " + new TreeSet<>(pinned) + ", stats " + stats);
    assertTrue(stats.levelFileCounts()[0] >= 2 && pinned.size() > 2, name + ": pins L0 files and a lower run: "
        + stats);
    return new Reader(name, it, oracle, pinned);
  }

  /** Puts (about 80%) and deletes over the key space; values of 0 to 150 random bytes. */
  private static void write(Strata db, SplittableRandom rnd, NavigableMap<String, byte[]> oracle, int ops) {
    for (int i = 0; i < ops; i++) {
      String k = String.format("k%05d", rnd.nextInt(KEY_SPACE));
      if (rnd.nextInt(5) == 0) {
        db.delete(k.getBytes(StandardCharsets.US_ASCII));
        oracle.remove(k);
      } else {
        byte[] v = new byte[rnd.nextInt(151)];
        rnd.nextBytes(v);
        db.put(k.getBytes(StandardCharsets.US_ASCII), v);
        oracle.put(k, v);
      }
    }
  }

  private static void readALittle(List<Reader> tracked, List<Reader> untracked, SplittableRandom rnd) {
    for (Reader r : tracked) {
      r.advance(rnd.nextInt(1, 60));
    }
    for (Reader r : untracked) {
      r.advance(rnd.nextInt(1, 60));
    }
  }

  private static void assertPinnedFilesExist(Path dir, List<Reader> readers, String when) throws IOException {
    Set<String> onDisk = sstFiles(dir);
    for (Reader r : readers) {
      Set<String> missing = new TreeSet<>(r.pinned);
      missing.removeAll(onDisk);
      assertTrue(missing.isEmpty(), when + ": " + r.name + " is open, yet files it pins are gone: " + missing);
    }
  }

  /** SSTs on disk that none of {@code readers} pins. */
  private static Set<String> liveFiles(Path dir, List<Reader> readers) throws IOException {
    Set<String> files = sstFiles(dir);
    for (Reader r : readers) {
      files.removeAll(r.pinned);
    }
    return files;
  }

  /** Polls until none of {@code files} is on disk, or the wait is over; returns those still there. */
  private static Set<String> waitForDeletion(Path dir, Set<String> files) throws Exception {
    long deadline = System.nanoTime() + DELETION_WAIT_MILLIS * 1_000_000;
    while (true) {
      Set<String> left = new TreeSet<>(files);
      left.retainAll(sstFiles(dir));
      if (left.isEmpty() || System.nanoTime() > deadline) {
        return left;
      }
      Thread.sleep(10);
    }
  }

  /** Polls until the SSTs no reader pins are down to {@code expected}, or the wait is over; returns their count. */
  private static int waitForFileCount(Path dir, List<Reader> readers, int expected) throws Exception {
    long deadline = System.nanoTime() + DELETION_WAIT_MILLIS * 1_000_000;
    while (true) {
      int count = liveFiles(dir, readers).size();
      if (count == expected || System.nanoTime() > deadline) {
        return count;
      }
      Thread.sleep(10);
    }
  }

  private static Set<String> sstFiles(Path dir) throws IOException {
    Set<String> names = new HashSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sst")).forEach(names::add);
    }
    return names;
  }

  private static long sstBytes(Path dir) throws IOException {
    long sum = 0;
    for (String name : sstFiles(dir)) {
      sum += Files.size(dir.resolve(name));
    }
    return sum;
  }

  private static int sumOf(int[] counts) {
    return Arrays.stream(counts).sum();
  }
}
