package dev.strata.cluster.replication;

/**
 * Tuning of the replication protocol. Immutable. Times are counted in ticks of the host's timer
 * (the protocol has no clock of its own).
 *
 * @param maxEntriesPerMessage entries in one Append or FetchReply
 * @param maxInflightEntries entries sent to a follower beyond its acknowledged match before waiting
 * @param heartbeatTicks a leader sends every follower an Append (a heartbeat if there is nothing
 *     new) and resends what was not acknowledged every this many ticks
 * @param maxLogEntries entries a replica keeps behind its applied index even when a follower lags
 *     further (that follower then needs a checkpoint); entries every replica matched go sooner
 * @param truncateEvery the log prefix is deleted in steps of at least this many entries
 * @param checkpointRetryTicks a leader repeats a {@link Output.CheckpointNeeded} this often while
 *     the follower still lags behind its log
 * @param maxCatchUpEntries while a follower's checkpoint is in flight, and until the follower caught
 *     up with the log after installing it, the leader keeps the entries after the checkpoint's
 *     applied index (or after the follower's match, once higher), however fast the writes come,
 *     but at most this many behind its applied index: a follower that never installs it cannot
 *     make the log grow forever
 */
public record ReplicaSettings(int maxEntriesPerMessage, int maxInflightEntries, int heartbeatTicks,
    long maxLogEntries, long truncateEvery, int checkpointRetryTicks, long maxCatchUpEntries) {
  /** The default of {@link #maxCatchUpEntries} (reference.conf's max-catch-up-entries). */
  public static final long DEFAULT_MAX_CATCH_UP_ENTRIES = 1_000_000;
  public static final ReplicaSettings DEFAULTS = new ReplicaSettings(64, 1024, 2, 100_000, 1_000, 50);

  public ReplicaSettings {
    positive("maxEntriesPerMessage", maxEntriesPerMessage);
    positive("maxInflightEntries", maxInflightEntries);
    positive("heartbeatTicks", heartbeatTicks);
    positive("maxLogEntries", maxLogEntries);
    positive("truncateEvery", truncateEvery);
    positive("checkpointRetryTicks", checkpointRetryTicks);
    positive("maxCatchUpEntries", maxCatchUpEntries);
  }

  /** Settings with the default {@link #maxCatchUpEntries}. */
  public ReplicaSettings(int maxEntriesPerMessage, int maxInflightEntries, int heartbeatTicks, long maxLogEntries,
      long truncateEvery, int checkpointRetryTicks) {
    this(maxEntriesPerMessage, maxInflightEntries, heartbeatTicks, maxLogEntries, truncateEvery, checkpointRetryTicks,
        DEFAULT_MAX_CATCH_UP_ENTRIES);
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }
}
