package dev.strata.cluster.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The replication protocol survives message loss, delay, duplication and reordering, partitions,
 * crashes and restarts, leader changes with two replicas believing they lead, and configuration
 * changes, without losing an acknowledged write, disagreeing on a committed entry or serving a
 * stale read (see {@link ReplicationSimulation} for what is checked). Every run prints its seed;
 * rerun one with {@code -Dstrata.sim.seed=<seed> -Dstrata.sim.replicas=<3|5>}.
 */
class ReplicationSimulationTest {
  private static final int STEPS = 3_000;

  static Stream<Arguments> seeds() {
    String seed = System.getProperty("strata.sim.seed");
    if (seed != null) {
      return Stream.of(Arguments.of(Integer.getInteger("strata.sim.replicas", 3), Long.parseLong(seed)));
    }
    return Stream.concat(LongStream.rangeClosed(1, 30).mapToObj(s -> Arguments.of(3, s)),
        LongStream.rangeClosed(1001, 1020).mapToObj(s -> Arguments.of(5, s)));
  }

  @ParameterizedTest(name = "{0} replicas, seed {1}")
  @MethodSource("seeds")
  void everyAcknowledgedWriteSurvivesAndNoReadIsStale(int replicas, long seed) {
    ReplicationSimulation sim = new ReplicationSimulation(seed, replicas, true).run(STEPS);
    System.out.println("replication simulation, " + replicas + " replicas, " + sim.summary());
    assertEquals(List.of(), sim.violations(), "seed " + seed + " (" + replicas + " replicas)");
    assertTrue(sim.acknowledgedWrites() > 0 && sim.servedReads() > 0, "the run did some work: " + sim.summary());
  }

  /**
   * The mutation test of the epoch rule: with followers accepting Appends of an epoch older than
   * their promise, deposed leaders overwrite their successors' entries, and the simulation catches
   * it. So the simulation can fail, and the rule is what keeps it passing.
   */
  @Test
  void withoutTheEpochRuleTheSimulationFindsViolations() {
    int failing = 0;
    for (long seed = 1; seed <= 20; seed++) {
      ReplicationSimulation sim = new ReplicationSimulation(seed, 3, false).run(STEPS);
      if (!sim.violations().isEmpty()) {
        failing++;
        System.out.println("epoch rule off, " + sim.summary() + "; first: " + sim.violations().get(0));
      }
    }
    assertTrue(failing > 0, "no seed of 20 found a violation with the epoch rule off");
  }
}
