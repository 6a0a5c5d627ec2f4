package dev.strata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point lookups from several threads while a writer keeps replacing the read state (rotations,
 * flushes, compactions whose inputs are closed and deleted): every get finds the value its key
 * has, whether the memtables answer (read before any reference is taken) or the SSTs do
 * (compressed, through the block cache). Each key's value is a function of the key, so the
 * expected answer does not depend on timing.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConcurrentReadsTest {
  private static final int KEYS = 4000;

  @TempDir Path dir;

  private static byte[] valueOf(int key) {
    byte[] v = new byte[100];
    Arrays.fill(v, (byte) ('a' + key % 26));
    System.arraycopy(TestHarness.key(key), 0, v, 0, 11);
    return v;
  }

  @Test
  void getsFromManyThreadsSeeEveryKeyWhileFlushesAndCompactionsReplaceTheReadState() throws Exception {
    long seed = TestHarness.seed("getsFromManyThreadsSeeEveryKey");
    StrataOptions options = StrataOptions.builder()
        .memtableSizeBytes(32 * 1024)
        .blockSizeBytes(1024)
        .blockCacheBytes(64 * 1024) // smaller than the data: blocks are evicted and admitted throughout
        .compaction(CompactionOptions.leveled())
        .compression(Compression.LZ4)
        .compressionPerLevel(List.of())
        .statsLogInterval(java.time.Duration.ZERO)
        .build();
    try (Strata db = Strata.open(dir, options)) {
      for (int k = 0; k < KEYS; k++) {
        db.put(TestHarness.key(k), valueOf(k));
      }
      db.flush();
      AtomicBoolean writing = new AtomicBoolean(true);
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        SplittableRandom rnd = new SplittableRandom(seed + t);
        Thread reader = new Thread(() -> {
          try {
            for (int i = 0; i < 60_000; i++) {
              int k = rnd.nextInt(KEYS);
              byte[] got = db.get(TestHarness.key(k));
              if (got == null || !Arrays.equals(valueOf(k), got)) {
                throw new AssertionError("seed " + seed + ": key " + k + " read as "
                    + (got == null ? "missing" : TestHarness.s(got)));
              }
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        });
        readers.add(reader);
        reader.start();
      }
      Thread writer = new Thread(() -> {
        SplittableRandom rnd = new SplittableRandom(seed - 1);
        try {
          for (int round = 0; writing.get(); round++) {
            for (int i = 0; i < 500; i++) {
              int k = rnd.nextInt(KEYS);
              db.put(TestHarness.key(k), valueOf(k)); // the same value again: a newer version
            }
            if (round % 4 == 3) {
              db.compact();
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      writer.start();
      for (Thread reader : readers) {
        reader.join();
      }
      writing.set(false);
      writer.join();
      assertTrue(failures.isEmpty(), "seed " + seed + ": " + failures);
      StrataStats stats = db.stats();
      assertTrue(stats.blockCacheHits() > 0, "seed " + seed + ": the compressed blocks went through the cache");
      for (int k = 0; k < KEYS; k++) {
        assertArrayEquals(valueOf(k), db.get(TestHarness.key(k)), "seed " + seed + ": key " + k);
      }
      assertEquals(KEYS, TestHarness.scanAll(db).size());
    }
  }
}
