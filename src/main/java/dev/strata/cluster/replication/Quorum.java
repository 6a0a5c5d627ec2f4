package dev.strata.cluster.replication;

import java.util.Collection;
import java.util.function.ToLongFunction;

/** Majority arithmetic over a replica set. Stateless. */
final class Quorum {
  private Quorum() {}

  static int majority(int members) {
    return members / 2 + 1;
  }

  /**
   * The greatest value that a majority of {@code members} hold at least: with values sorted
   * ascending, the one at {@code n - majority(n)}. Long.MIN_VALUE for an empty set.
   */
  static long majorityValue(Collection<String> members, ToLongFunction<String> valueOf) {
    if (members.isEmpty()) {
      return Long.MIN_VALUE;
    }
    long[] values = members.stream().mapToLong(valueOf).sorted().toArray();
    return values[values.length - majority(values.length)];
  }
}
