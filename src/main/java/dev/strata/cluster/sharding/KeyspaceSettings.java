package dev.strata.cluster.sharding;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import dev.strata.StrataOptions;
import dev.strata.cluster.replication.ReplicaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One keyspace's settings, read from {@code strata.cluster.keyspaces.<name>} (every key falls
 * back to {@code strata.cluster.keyspace-defaults}, the store keys then to the {@code strata}
 * block) and the node-wide keys of {@code strata.cluster}. Immutable and thread-safe.
 */
public final class KeyspaceSettings {
  private final String name;
  private final int shards;
  private final int replicationFactor;
  private final Path dataDirectory;
  private final Duration askTimeout;
  private final int scanPageSize;
  private final StrataOptions storeOptions;
  private final boolean followerReads;
  private final ReplicaSettings replicaSettings;
  private final int maxConcurrentMoves;

  private KeyspaceSettings(String name, int shards, int replicationFactor, Path dataDirectory, Duration askTimeout,
      int scanPageSize, StrataOptions storeOptions, boolean followerReads, ReplicaSettings replicaSettings,
      int maxConcurrentMoves) {
    this.maxConcurrentMoves = maxConcurrentMoves;
    this.followerReads = followerReads;
    this.replicaSettings = replicaSettings;
    this.name = name;
    this.shards = shards;
    this.replicationFactor = replicationFactor;
    this.dataDirectory = dataDirectory;
    this.askTimeout = askTimeout;
    this.scanPageSize = scanPageSize;
    this.storeOptions = storeOptions;
  }

  /**
   * The settings of keyspace {@code name} in {@code config} (an ActorSystem's whole config).
   * Throws {@link IllegalArgumentException} naming the keyspace and the key when it is not
   * configured or a value is out of range.
   */
  public static KeyspaceSettings fromConfig(String name, Config config) {
    Objects.requireNonNull(name, "keyspace name must not be null");
    checkName(name);
    String path = "strata.cluster.keyspaces." + name;
    if (!config.hasPath(path)) {
      throw new IllegalArgumentException("no keyspace named '" + name + "': add a '" + path
          + "' block (it may be empty: {}) to the configuration");
    }
    if (config.getValue(path).valueType() != ConfigValueType.OBJECT) {
      throw new IllegalArgumentException(path + " must be a block, e.g. " + path + " { shards = 256 }; it is a "
          + config.getValue(path).valueType());
    }
    Config cluster = config.getConfig("strata.cluster");
    Config block = config.getConfig(path).withFallback(cluster.getConfig("keyspace-defaults"));
    try {
      int shards = block.getInt("shards");
      if (shards < 1 || shards > 65536) {
        throw new IllegalArgumentException("shards must be between 1 and 65536, not " + shards);
      }
      int rf = block.getInt("replication-factor");
      if (rf < 1) {
        throw new IllegalArgumentException("replication-factor must be at least 1, not " + rf);
      }
      int pageSize = cluster.getInt("scan-page-size");
      if (pageSize < 1) {
        throw new IllegalArgumentException("strata.cluster.scan-page-size must be at least 1, not " + pageSize);
      }
      Duration askTimeout = cluster.getDuration("ask-timeout");
      if (askTimeout.isNegative() || askTimeout.isZero()) {
        throw new IllegalArgumentException("strata.cluster.ask-timeout must be positive, not " + askTimeout);
      }
      int moves = block.getInt("max-concurrent-moves");
      if (moves < 1) {
        throw new IllegalArgumentException("max-concurrent-moves must be at least 1, not " + moves);
      }
      StrataOptions options = StrataOptions.fromConfig(block.withFallback(config.getConfig("strata")));
      return new KeyspaceSettings(name, shards, rf, Path.of(cluster.getString("data-directory")), askTimeout, pageSize,
          options, block.getBoolean("follower-reads"), replicaSettings(block.getConfig("replication")), moves);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new IllegalArgumentException("keyspace '" + name + "' (" + path + ") is misconfigured: " + e.getMessage(), e);
    }
  }

  private static ReplicaSettings replicaSettings(Config c) {
    return new ReplicaSettings(c.getInt("max-entries-per-message"), c.getInt("max-inflight-entries"),
        c.getInt("heartbeat-ticks"), c.getLong("max-log-entries"), c.getLong("truncate-every"),
        c.getInt("checkpoint-retry-ticks"), c.getLong("max-catch-up-entries"));
  }

  /** A keyspace name is a directory name and part of an actor name: letters, digits, '-' and '_'. */
  static void checkName(String name) {
    if (name.isEmpty() || name.length() > 64 || !name.chars().allMatch(c -> c < 128
        && (Character.isLetterOrDigit(c) || c == '-' || c == '_'))) {
      throw new IllegalArgumentException("keyspace name '" + name
          + "' must be 1 to 64 ASCII letters, digits, '-' or '_' (it names a directory and an actor)");
    }
  }

  public String name() {
    return name;
  }

  /** Shards of the keyspace, fixed at creation (each shard store records it). */
  public int shards() {
    return shards;
  }

  public int replicationFactor() {
    return replicationFactor;
  }

  /** This node's {@code strata.cluster.data-directory}. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** {@code <data-dir>/<keyspace>}: where this node keeps its shard stores of the keyspace. */
  public Path keyspaceDirectory() {
    return dataDirectory.resolve(name);
  }

  /** {@code <data-dir>/<keyspace>/<shard>}. */
  public Path shardDirectory(int shard) {
    return keyspaceDirectory().resolve(Integer.toString(shard));
  }

  /** Whether a get without a consistency reads the local replica (strata.cluster...follower-reads). */
  public boolean followerReads() {
    return followerReads;
  }

  /** The replication protocol's tuning ({@code replication} block of the keyspace). */
  public ReplicaSettings replicaSettings() {
    return replicaSettings;
  }

  /** Replicas of the keyspace that move between nodes at once (max-concurrent-moves). */
  public int maxConcurrentMoves() {
    return maxConcurrentMoves;
  }

  public Duration askTimeout() {
    return askTimeout;
  }

  /** Entries one page of a scan carries from a shard. */
  public int scanPageSize() {
    return scanPageSize;
  }

  /** The options every shard store of the keyspace opens with (sync-writes among them). */
  public StrataOptions storeOptions() {
    return storeOptions;
  }

  /** Name of the sharded leader entities' type: {@code strata-keyspace-<name>}. */
  public String entityTypeName() {
    return "strata-keyspace-" + name;
  }

  @Override
  public String toString() {
    return "KeyspaceSettings(" + name + ", shards=" + shards + ", replication-factor=" + replicationFactor + ", "
        + keyspaceDirectory() + ")";
  }
}
