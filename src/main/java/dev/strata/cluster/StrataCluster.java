package dev.strata.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import dev.strata.cluster.sharding.KeyspaceNode;
import dev.strata.cluster.sharding.KeyspaceSettings;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Strata's cluster extension: the entry to the keyspaces that Akka Cluster Sharding spreads over
 * the members of a cluster.
 *
 * <pre>{@code
 * strata.cluster {
 *   data-directory = "data/cluster"
 *   keyspaces.orders { shards = 64 }
 * }
 * Keyspace orders = StrataCluster.get(system).keyspace("orders");
 * orders.put(key, value).toCompletableFuture().join();
 * }</pre>
 *
 * <p>The system must be a cluster member ({@code akka.actor.provider = cluster}). Every node that
 * should hold shards of a keyspace calls {@link #keyspace} for it once (at startup, before it
 * serves): that starts the keyspace's sharding, this node's replica host and the placement
 * coordinator singleton. Thread-safe.
 */
public final class StrataCluster implements Extension {
  /** The extension's id; {@link #getInstance()} lets {@code akka.actor.typed.extensions} load it. */
  public static final class Id extends ExtensionId<StrataCluster> {
    private static final Id INSTANCE = new Id();

    private Id() {}

    public static Id getInstance() {
      return INSTANCE;
    }

    @Override
    public StrataCluster createExtension(ActorSystem<?> system) {
      return new StrataCluster(system);
    }
  }

  private final ActorSystem<?> system;
  private final Map<String, Keyspace> keyspaces = new ConcurrentHashMap<>();

  private StrataCluster(ActorSystem<?> system) {
    String provider = system.settings().config().getString("akka.actor.provider");
    if (!provider.equals("cluster") && !provider.equals("akka.cluster.ClusterActorRefProvider")) {
      throw new IllegalStateException("StrataCluster needs a cluster member: set akka.actor.provider = cluster "
          + "(this system's provider is '" + provider + "'); see conf/cluster.conf");
    }
    this.system = system;
  }

  /** The extension of {@code system} (a cluster member), created on first use. */
  public static StrataCluster get(ActorSystem<?> system) {
    return Id.getInstance().apply(system);
  }

  /**
   * The keyspace configured under {@code strata.cluster.keyspaces.<name>}, started on this node on
   * the first call; the same instance on every later one. Throws {@link IllegalArgumentException}
   * when it is not configured or misconfigured.
   */
  public Keyspace keyspace(String name) {
    Objects.requireNonNull(name, "keyspace name must not be null");
    Keyspace existing = keyspaces.get(name);
    if (existing != null) {
      return existing;
    }
    synchronized (this) {
      return keyspaces.computeIfAbsent(name, n -> {
        KeyspaceSettings settings = KeyspaceSettings.fromConfig(n, system.settings().config());
        if (settings.replicationFactor() != 1) {
          throw new IllegalArgumentException("keyspace '" + n + "' asks for replication-factor "
              + settings.replicationFactor() + ", but this build serves replication-factor 1 only; set "
              + "strata.cluster.keyspaces." + n + ".replication-factor = 1");
        }
        return new Keyspace(system, KeyspaceNode.start(system, settings));
      });
    }
  }
}
