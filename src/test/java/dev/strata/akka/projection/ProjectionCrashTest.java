package dev.strata.akka.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.strata.Bound;
import dev.strata.KilledChild;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.TestHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exactly-once projection killed at random moments never applies an envelope twice nor skips
 * one. A child JVM ({@link ProjectionCrashChild}) runs the projection on a store and is killed with
 * SIGKILL a random 100 to 1500 ms after it processed its first envelope, again and again on the same
 * directory; after each kill the store is opened here and the read model compared with the stored
 * offset O: envelopes 1 to O each applied exactly once and no other, their sum as the sum record
 * says, and O never behind the previous kill's (what committed stays committed). The kill delays come
 * from a seed printed at the start ({@code -Dstrata.seed=...}); the directory is kept on failure.
 * {@code -Dstrata.projection.crash.cycles} sets the number of kills (default 3).
 */
class ProjectionCrashTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void anExactlyOnceProjectionKilledAtRandomMomentsNeverAppliesAnEnvelopeTwiceNorSkipsOne() throws Exception {
    String name = "anExactlyOnceProjectionKilledAtRandomMomentsNeverAppliesAnEnvelopeTwiceNorSkipsOne";
    long seed = TestHarness.seed(name);
    SplittableRandom rnd = new SplittableRandom(seed);
    int cycles = Integer.getInteger("strata.projection.crash.cycles", 3);
    Path storeDir = dir.resolve("store");
    long previous = 0;
    for (int cycle = 0; cycle < cycles; cycle++) {
      long killAfterMs = 100 + rnd.nextInt(1401);
      String at = name + " seed=" + seed + " cycle=" + cycle + " (killed " + killAfterMs + " ms after its first envelope);"
          + " directory kept: " + dir;
      KilledChild.run(ProjectionCrashChild.class, List.of(storeDir.toString()), dir.resolve("cycle-" + cycle + ".out"),
          dir.resolve("cycle-" + cycle + ".err"), o -> o.contains("first "), "an envelope processed", killAfterMs, at);
      long offset = check(storeDir, at);
      assertTrue(offset >= previous, "the stored offset went back from " + previous + " to " + offset + " at " + at);
      System.out.println(name + " cycle " + cycle + ": offset " + offset);
      previous = offset;
    }
    assertTrue(previous > 0, "the projection never committed an envelope: the test exercised nothing");
  }

  /** Opens the store, compares the read model with the stored offset, and returns the offset. */
  private static long check(Path storeDir, String at) {
    try (Strata store = Strata.open(testKit.system(), storeDir, dev.strata.StrataOptions.defaults())) {
      Optional<Long> stored = StrataOffsetStore.create(testKit.system(), store).<Long>readOffset(ProjectionCrashChild.ID)
          .toCompletableFuture().join();
      long offset = stored.orElse(0L);
      long expected = 1;
      try (StrataIterator it = store.scan(Bound.included(ProjectionCrashChild.appliedKey(0)),
          Bound.included(ProjectionCrashChild.appliedKey(Long.MAX_VALUE / 10)))) {
        for (; it.isValid(); it.next(), expected++) {
          assertEquals(new String(ProjectionCrashChild.appliedKey(expected), StandardCharsets.UTF_8),
              new String(it.key(), StandardCharsets.UTF_8), "envelope " + expected + " is missing (skipped) at " + at);
          assertEquals(1, ProjectionCrashChild.readLong(it.value()), "envelope " + expected + " applied "
              + ProjectionCrashChild.readLong(it.value()) + " times at " + at);
        }
      }
      assertEquals(offset, expected - 1, "the read model holds envelopes 1 to " + (expected - 1)
          + " but the stored offset is " + offset + " at " + at);
      assertEquals(offset * (offset + 1) / 2, ProjectionCrashChild.readLong(store.get(ProjectionCrashChild.SUM)),
          "the sum record at " + at);
      return offset;
    }
  }

}
