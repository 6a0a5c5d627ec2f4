package dev.strata.cluster;

import dev.strata.StrataException;

/**
 * A keyspace request failed at its shard: the shard was not served in time (starting, moving,
 * its node down) or its store failed. The message says which shard, where, and why.
 */
public final class ShardUnavailableException extends StrataException {
  public ShardUnavailableException(String message) {
    super(message);
  }
}
