package dev.strata.cluster;

import java.util.Map;
import java.util.Objects;

/**
 * Cluster-wide figures of the keyspaces this node has started: {@link StrataCluster#stats()}.
 * Immutable.
 *
 * @param keyspaces by keyspace name
 */
public record ClusterStats(Map<String, Keyspace> keyspaces) {
  public ClusterStats {
    keyspaces = Map.copyOf(keyspaces);
  }

  /**
   * One keyspace.
   *
   * @param shards its shard count
   * @param replicationFactor its configured replication factor
   * @param nodes by node address: the replicas that node holds open and the shards it leads
   */
  public record Keyspace(int shards, int replicationFactor, Map<String, Node> nodes) {
    public Keyspace {
      nodes = Map.copyOf(nodes);
    }

    /** Shards whose leader serves right now, over all nodes. */
    public int servingShards() {
      return nodes.values().stream().mapToInt(Node::leading).sum();
    }
  }

  /**
   * One node's part of a keyspace.
   *
   * @param replicas replicas it has open
   * @param leading shards it leads and serves
   * @param appliedEntries log entries its replicas applied, summed
   */
  public record Node(int replicas, int leading, long appliedEntries) {}

  @Override
  public String toString() {
    return "ClusterStats" + Objects.toString(keyspaces);
  }
}
