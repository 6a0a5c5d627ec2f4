package dev.strata.compaction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import dev.strata.CompactionBeginInfo;
import dev.strata.CompactionInfo;
import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataListener;
import dev.strata.StrataOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a blocking dispatcher of three threads the writer runs up to two leveled compactions at once,
 * each picked beside the other (see LeveledPickerTest's running cases for the picking rules), and
 * installs both: a seeded random workload, slowed in its compactions so that they overlap, reads
 * back exactly what it wrote, and no two compactions that ran at once shared an input file.
 */
class ConcurrentCompactionTest {
  @TempDir Path dir;

  /** Compactions in flight as the listeners hear them, in the order the writer tells them. */
  private static final class InFlight implements StrataListener {
    private final List<Set<Long>> running = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private int most;
    private int compactions;

    @Override
    public synchronized void onCompactionBegin(CompactionBeginInfo info) {
      Set<Long> inputs = new HashSet<>(info.inputFileNumbers());
      for (Set<Long> other : running) {
        for (long f : inputs) {
          if (other.contains(f)) {
            problems.add("SST " + f + " is an input of two running compactions: " + other + " and " + inputs);
          }
        }
      }
      running.add(inputs);
      most = Math.max(most, running.size());
    }

    @Override
    public synchronized void onCompactionCompleted(CompactionInfo info) {
      running.remove(new HashSet<>(info.inputFileNumbers()));
      compactions++;
    }
  }

  @Test
  void disjointCompactionsRunSideBySideAndLoseNothing() throws Exception {
    long seed = Long.getLong("strata.seed", System.nanoTime());
    System.out.println("ConcurrentCompactionTest seed " + seed);
    Random random = new Random(seed);
    ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
        "strata.blocking-dispatcher.thread-pool-executor.fixed-pool-size = 3").withFallback(ConfigFactory.load()));
    InFlight inFlight = new InFlight();
    StrataOptions options = StrataOptions.builder()
        .memtableSizeBytes(16 * 1024)
        .targetSstSizeBytes(4 * 1024)
        .blockSizeBytes(512)
        .maxImmutableMemtables(2)
        .compaction(CompactionOptions.leveled().maxLevels(4).levelSizeMultiplier(4).level0FileTrigger(2)
            .baseLevelBytes(16 * 1024))
        .listener(inFlight)
        .build();
    TreeMap<String, byte[]> model = new TreeMap<>();
    AtomicBoolean slow = new AtomicBoolean(true);
    try {
      Strata db = Strata.open(testKit.system(), dir, options);
      // Each key a compaction merges costs 20 us, so compactions last long enough to meet.
      db.addCompactionFilter((k, v) -> {
        if (slow.get()) {
          LockSupport.parkNanos(20_000);
        }
        return false;
      });
      for (int i = 0; i < 10_000; i++) {
        String key = String.format("key%06d", random.nextInt(3_000));
        byte[] value = ByteBuffer.allocate(100).putInt(i).array();
        db.put(key.getBytes(StandardCharsets.UTF_8), value);
        model.put(key, value);
      }
      slow.set(false);
      db.waitForCompactions();
      for (var e : model.entrySet()) {
        assertArrayEquals(e.getValue(), db.get(e.getKey().getBytes(StandardCharsets.UTF_8)),
            e.getKey() + " (seed " + seed + ")");
      }
      assertEquals(model.size(), countKeys(db), "a scan sees every key once (seed " + seed + ")");
      db.close();
      try (Strata reopened = Strata.open(dir, options)) {
        for (var e : model.entrySet()) {
          assertArrayEquals(e.getValue(), reopened.get(e.getKey().getBytes(StandardCharsets.UTF_8)),
              e.getKey() + " after reopening (seed " + seed + ")");
        }
      }
    } finally {
      testKit.shutdownTestKit();
    }
    synchronized (inFlight) {
      assertTrue(inFlight.problems.isEmpty(), inFlight.problems + " (seed " + seed + ")");
      assertTrue(inFlight.most <= 2, "at most two compactions at once, saw " + inFlight.most);
      System.out.println("ConcurrentCompactionTest: " + inFlight.compactions + " compactions, at most " + inFlight.most
          + " at once");
      // The listeners hear begins and ends one at a time in the order the writer emits them, so
      // two begins without an end between them are two compactions running at once.
      assertEquals(2, inFlight.most,
          "two compactions never ran at once in " + inFlight.compactions + " (seed " + seed + ")");
    }
  }

  private static long countKeys(Strata db) {
    return dev.strata.TestHarness.scanAll(db).size();
  }
}
