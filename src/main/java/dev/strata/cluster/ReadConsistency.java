package dev.strata.cluster;

/** How a {@link Keyspace#get(byte[], ReadConsistency)} reads. */
public enum ReadConsistency {
  /**
   * At the shard's leader, after it confirmed its leadership with a majority of the replicas: the
   * read sees every write acknowledged before it began. One network round trip to the leader, and
   * one from the leader to a majority (batched with other reads).
   */
  LINEARIZABLE,
  /**
   * From this node's own replica of the shard when it holds one, without asking the leader: no
   * network round trip, but the value may be stale (a follower applies a write a little after the
   * leader acknowledged it, and a follower cut off from its leader keeps serving what it had),
   * and two reads may even go back in time if the second lands on another node. On a node that
   * holds no replica of the shard the read goes to the leader, as {@link #LINEARIZABLE} does.
   */
  FOLLOWER
}
