package dev.strata.cluster.replication;

import java.util.Objects;

/**
 * What a {@link Replica} asks its host to do after an input. Outputs of one call are in the order
 * they must be carried out; everything the replica had to store durably is already stored.
 */
public sealed interface Output {
  /** Send {@code message} to replica {@code to} (best effort: loss is tolerated). */
  record Send(String to, Message message) implements Output {
    public Send {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(message, "message");
    }
  }

  /** Client write {@code requestId} is committed on a majority and applied here at {@code index}. */
  record WriteAcked(long requestId, long index) implements Output {}

  /**
   * Client request {@code requestId} (a write, read or configuration change) failed.
   * {@code outcomeUnknown} false: it never entered the log, retrying is safe. True: leadership was
   * lost after it entered the log; it may or may not be applied.
   */
  record RequestFailed(long requestId, boolean outcomeUnknown, String leaderHint, String reason) implements Output {}

  /**
   * Read {@code requestId} may be served now from this replica's store: a majority confirmed this
   * leader's epoch after the read arrived and everything committed then is applied.
   */
  record ReadReady(long requestId) implements Output {}

  /**
   * Replica {@code target} needs a checkpoint of replica {@code source}'s store, because entries it
   * lacks are no longer in {@code source}'s log. The host streams it, installs it if
   * {@link Replica#mayInstallCheckpoint} allows, then reopens the target's replica.
   */
  record CheckpointNeeded(String source, String target) implements Output {}

  /** This replica leads {@code epoch} and serves reads and writes: its no-op committed. */
  record Serving(long epoch) implements Output {}

  /** This replica stopped leading {@code epoch} (a later epoch, removal, or the host's request). */
  record SteppedDown(long epoch, String reason) implements Output {}
}
