package dev.strata.cluster;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which node leads and which nodes follow each shard of a keyspace, and how far behind each
 * follower is: {@link StrataCluster#shardMap}. A snapshot assembled from the placement
 * coordinator and every node's replicas, each read at a slightly different moment. Immutable.
 *
 * @param keyspace the keyspace's name
 * @param shards one entry per shard, in shard order
 */
public record ShardMap(String keyspace, List<Shard> shards) {
  public ShardMap {
    Objects.requireNonNull(keyspace);
    shards = List.copyOf(shards);
  }

  /**
   * One shard.
   *
   * @param shard the shard number
   * @param leader the address of the node placed to lead it
   * @param followers the addresses of the other nodes holding a replica of it
   * @param epoch the leader's epoch (0 when its leader does not serve right now)
   * @param commitIndex the leader's commit index (-1 when its leader did not answer)
   * @param lag log entries each follower lacks of the leader's committed ones, as far as the leader
   *     knows (a follower it has not heard from in this epoch shows the whole log)
   */
  public record Shard(int shard, String leader, List<String> followers, long epoch, long commitIndex,
      Map<String, Long> lag) {
    public Shard {
      Objects.requireNonNull(leader);
      followers = List.copyOf(followers);
      lag = Map.copyOf(lag);
    }
  }

  /** The shards {@code node} leads. */
  public List<Integer> ledBy(String node) {
    return shards.stream().filter(s -> s.leader().equals(node)).map(Shard::shard).toList();
  }
}
