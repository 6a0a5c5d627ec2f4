package dev.strata.compaction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import dev.strata.CompactionInfo;
import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataListener;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the public API, with a blocking dispatcher of five threads and maxSubcompactions 4: a
 * full compaction (compact()) is merged by several threads at once and installed as one
 * compaction, and the store reads back exactly what a seeded workload of puts and deletes left,
 * before and after reopening.
 */
class SubcompactionStoreTest {
  @TempDir Path dir;

  /** The compactions the listeners hear installed, in order. */
  private static final class Installed implements StrataListener {
    final List<CompactionInfo> all = new ArrayList<>();

    @Override
    public synchronized void onCompactionCompleted(CompactionInfo info) {
      all.add(info);
      notifyAll();
    }

    /** The first compaction reported that installed {@code outputs} files at {@code level} (waits up to 30 s). */
    synchronized CompactionInfo awaitOutputAt(int level, int outputs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 30_000;
      while (true) {
        for (CompactionInfo info : all) {
          if (info.outputLevel() == level && !info.trivialMove() && info.outputFileNumbers().size() == outputs) {
            return info;
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("no compaction reported " + outputs + " outputs at level " + level + ": " + all);
        }
        wait(left);
      }
    }
  }

  @Test
  void aFullCompactionRunsOnSeveralThreadsAndLosesNothing() throws Exception {
    long seed = TestHarness.seed("aFullCompactionRunsOnSeveralThreadsAndLosesNothing");
    Random random = new Random(seed);
    ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
        "strata.blocking-dispatcher.thread-pool-executor.fixed-pool-size = 5").withFallback(ConfigFactory.load()));
    Installed installed = new Installed();
    StrataOptions options = StrataOptions.builder()
        .memtableSizeBytes(32 * 1024)
        .targetSstSizeBytes(8 * 1024)
        .blockSizeBytes(512)
        .maxSubcompactions(4)
        .compaction(CompactionOptions.leveled().maxLevels(4).levelSizeMultiplier(4).level0FileTrigger(4)
            .baseLevelBytes(64 * 1024))
        .listener(installed)
        .build();
    TreeMap<String, byte[]> model = new TreeMap<>();
    Set<String> mergingThreads = ConcurrentHashMap.newKeySet();
    AtomicBoolean recording = new AtomicBoolean();
    try {
      Strata db = Strata.open(testKit.system(), dir, options);
      // The filter runs on the thread that merges the key: the parts' threads.
      db.addCompactionFilter((k, v) -> {
        if (recording.get()) {
          mergingThreads.add(Thread.currentThread().getName());
        }
        return false;
      });
      for (int i = 0; i < 20_000; i++) {
        String key = String.format("key%06d", random.nextInt(5_000));
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(10) == 0) {
          db.delete(k);
          model.remove(key);
        } else {
          byte[] value = new byte[20 + random.nextInt(80)];
          random.nextBytes(value);
          db.put(k, value);
          model.put(key, value);
        }
      }
      db.flush();
      db.waitForCompactions();
      recording.set(true);
      db.compact();
      recording.set(false);
      // Listeners hear of compactions on their own dispatcher, after compact() returned: wait for
      // the full compaction's report. Every SST now is at the bottom level, and one compaction
      // installed all of them (its parts did not install themselves one by one).
      int[] files = db.stats().levelFileCounts();
      int bottom = files.length - 1;
      for (int level = 0; level < bottom; level++) {
        assertEquals(0, files[level], "level " + level + " after compact() (seed " + seed + ")");
      }
      assertTrue(files[bottom] > 1, "the split compaction wrote " + files[bottom] + " files (seed " + seed + ")");
      CompactionInfo full = installed.awaitOutputAt(bottom, files[bottom]);
      assertEquals(files[bottom], full.outputFileNumbers().size(), "compact() installs one compaction");
      assertTrue(mergingThreads.size() > 1, "the full compaction merged on " + mergingThreads + " (seed " + seed + ")");
      checkModel(db, model, seed);
      db.close();
      try (Strata reopened = Strata.open(dir, options)) {
        checkModel(reopened, model, seed);
      }
    } finally {
      testKit.shutdownTestKit();
    }
  }

  private static void checkModel(Strata db, TreeMap<String, byte[]> model, long seed) {
    for (int i = 0; i < 5_000; i++) {
      String key = String.format("key%06d", i);
      byte[] expected = model.get(key);
      byte[] actual = db.get(key.getBytes(StandardCharsets.UTF_8));
      if (expected == null) {
        assertNull(actual, key + " was deleted or never written (seed " + seed + ")");
      } else {
        assertArrayEquals(expected, actual, key + " (seed " + seed + ")");
      }
    }
    assertEquals(model.size(), TestHarness.scanAll(db).size(), "a scan sees every live key once (seed " + seed + ")");
  }
}
