package dev.strata.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import dev.strata.cluster.sharding.KeyspaceNode;
import dev.strata.cluster.sharding.KeyspaceSettings;
import dev.strata.cluster.sharding.PlacementProtocol;
import dev.strata.cluster.sharding.ReplicaHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * <p>The system must be a cluster member ({@code akka.actor.provider = cluster}) whose configuration
 * includes {@code include classpath("dev/strata/cluster/serialization.conf")}, which binds the
 * keyspace's messages to Strata's serializer (Strata's reference.conf sets nothing under
 * {@code akka}). Every node that
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
    if (!system.settings().config().hasPath("akka.actor.serializers.strata-cluster")) {
      throw new IllegalStateException("StrataCluster needs its message serializer: add "
          + "include classpath(\"" + SERIALIZATION_CONF + "\") to the configuration (see conf/cluster.conf)");
    }
    this.system = system;
  }

  /** The classpath resource that binds the cluster's messages to their serializer; a node's config includes it. */
  public static final String SERIALIZATION_CONF = "dev/strata/cluster/serialization.conf";

  /** The extension of {@code system} (a cluster member), created on first use. */
  public static StrataCluster get(ActorSystem<?> system) {
    return Id.getInstance().apply(system);
  }

  /**
   * Which node leads and which follow each shard of keyspace {@code name} (started on this node),
   * and how far behind each follower is.
   */
  public CompletionStage<ShardMap> shardMap(String name) {
    KeyspaceNode node = started(name).node();
    return node.placement().thenCombine(node.progress(), (placement, progress) -> {
      Map<Integer, ReplicaHost.ReplicaProgress> leading = new HashMap<>();
      for (ReplicaHost.Progress p : progress) {
        for (ReplicaHost.ReplicaProgress r : p.replicas()) {
          if (r.leading()) {
            leading.put(r.shard(), r);
          }
        }
      }
      List<ShardMap.Shard> shards = new ArrayList<>();
      for (PlacementProtocol.Location location : placement.shards()) {
        List<String> followers = location.members().stream().filter(m -> !m.equals(location.address())).toList();
        ReplicaHost.ReplicaProgress r = leading.get(location.shard());
        Map<String, Long> lag = new TreeMap<>();
        if (r != null) {
          for (String f : followers) {
            lag.put(f, Math.max(0, r.commitIndex() - r.followerMatch().getOrDefault(f, 0L)));
          }
        }
        shards.add(new ShardMap.Shard(location.shard(), location.address(), followers, r == null ? 0 : r.epoch(),
            r == null ? -1 : r.commitIndex(), lag));
      }
      return new ShardMap(name, shards);
    });
  }

  /**
   * Balances keyspace {@code name} (started on this node) over the live nodes: replicas move until
   * every node holds about shards * replication-factor / nodes of them (each move streams the
   * shard to its new node, then removes the old replica; at most
   * {@code max-concurrent-moves} at a time, in the background, leaders balanced again once they
   * are done), and leadership moves between each shard's replicas until every node leads about as
   * many. Completes, once that is decided, with the number of replica moves to make plus the
   * number of shards that got a new leader (their entities move within
   * {@code akka.cluster.sharding.rebalance-interval}; requests meanwhile wait and are retried).
   * The shard map shows the moves' progress.
   */
  public CompletionStage<Integer> rebalance(String name) {
    return started(name).node().rebalance().thenApply(r -> r.replicaMoves() + r.leadersMoved());
  }

  /**
   * Moves every replica of keyspace {@code name} (started on this node) off the node of address
   * {@code address} (as {@code Cluster.get(system).selfMember().address().toString()} gives it),
   * onto the other live nodes, by the same moves as {@link #rebalance}, and keeps it holding none
   * while this placement coordinator runs (a drained node may then leave). Completes once the node
   * holds no replica of the keyspace; fails with a {@link java.util.concurrent.TimeoutException}
   * when that takes longer than {@code timeout} (the moves carry on). A shard keeps one replica
   * fewer when no other node is left for it.
   */
  public CompletionStage<akka.Done> drain(String name, String address, java.time.Duration timeout) {
    Objects.requireNonNull(address, "address must not be null");
    try {
      akka.actor.AddressFromURIString.parse(address);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + address + "' is not an Akka node address (such as "
          + "akka://system@host:2552): " + e.getMessage(), e);
    }
    return started(name).node().drain(address, timeout);
  }

  /** Every started keyspace's replicas and leaders on every node that answers within the ask timeout. */
  public CompletionStage<ClusterStats> stats() {
    List<Keyspace> started = List.copyOf(keyspaces.values());
    Map<String, CompletableFuture<ClusterStats.Keyspace>> byName = new TreeMap<>();
    for (Keyspace ks : started) {
      KeyspaceSettings settings = ks.node().settings();
      byName.put(ks.name(), ks.node().progress().thenApply(progress -> {
        Map<String, ClusterStats.Node> nodes = new TreeMap<>();
        for (ReplicaHost.Progress p : progress) {
          int leadingHere = (int) p.replicas().stream().filter(ReplicaHost.ReplicaProgress::leading).count();
          long applied = p.replicas().stream().mapToLong(ReplicaHost.ReplicaProgress::appliedIndex).sum();
          nodes.put(p.node(), new ClusterStats.Node(p.replicas().size(), leadingHere, applied));
        }
        return new ClusterStats.Keyspace(settings.shards(), settings.replicationFactor(), nodes);
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(byName.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
      Map<String, ClusterStats.Keyspace> result = new TreeMap<>();
      byName.forEach((name, f) -> result.put(name, f.join()));
      return new ClusterStats(result);
    });
  }

  private Keyspace started(String name) {
    Objects.requireNonNull(name, "keyspace name must not be null");
    Keyspace ks = keyspaces.get(name);
    if (ks == null) {
      throw new IllegalArgumentException("keyspace '" + name + "' is not started on this node: call keyspace(\""
          + name + "\") first");
    }
    return ks;
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
        return new Keyspace(system, KeyspaceNode.start(system, settings));
      });
    }
  }
}
