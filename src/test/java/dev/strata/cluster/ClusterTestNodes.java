package dev.strata.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * Several cluster nodes in one JVM for the keyspace tests: ActorSystems named alike on
 * 127.0.0.1, each on a port of its own (free when the harness starts) and with a data directory
 * of its own, so that a node stopped and started again comes back at the same address with its
 * data. Node 0 is the seed. Closing stops every node still running.
 */
final class ClusterTestNodes implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final Path root;
  private final String keyspaceHocon;
  private final int[] ports;
  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  /** {@code size} nodes (not started) whose keyspaces are configured by {@code keyspaceHocon}. */
  ClusterTestNodes(Path root, int size, String keyspaceHocon) {
    this.root = root;
    this.keyspaceHocon = keyspaceHocon;
    this.ports = freePorts(size);
    for (int i = 0; i < size; i++) {
      systems.add(null);
    }
  }

  private static int[] freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0));
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      sockets.forEach(s -> {
        try {
          s.close();
        } catch (IOException ignored) {
          // a port we could not close stays busy; the node on it fails to bind and says so
        }
      });
    }
  }

  Config config(int node) {
    return ConfigFactory.parseString(""
        + "include classpath(\"" + StrataCluster.SERIALIZATION_CONF + "\")\n"
        + "akka.actor.provider = cluster\n"
        + "akka.remote.artery.canonical.hostname = \"127.0.0.1\"\n"
        + "akka.remote.artery.canonical.port = " + ports[node] + "\n"
        + "akka.cluster.seed-nodes = [\"akka://strata-cluster-test@127.0.0.1:" + ports[0] + "\"]\n"
        + "akka.cluster.min-nr-of-members = " + ports.length + "\n"
        + "akka.cluster.downing-provider-class = \"akka.cluster.sbr.SplitBrainResolverProvider\"\n"
        + "akka.cluster.sharding.rebalance-interval = 1 s\n"
        + "akka.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
        + "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
        + "akka.coordinated-shutdown.terminate-actor-system = on\n"
        + "strata.cluster.data-directory = \"" + root.resolve("node-" + node).toString().replace("\\", "/") + "\"\n"
        + "strata.cluster.ask-timeout = 30 s\n"
        + "strata.memtable-size = 1 MiB\n"
        + "strata.jmx-enabled = off\n"
        + keyspaceHocon)
        .withFallback(ConfigFactory.load());
  }

  /** Starts node {@code node} (again, after {@link #stop}): it joins through node 0. */
  ActorSystem<Void> start(int node) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "strata-cluster-test", config(node));
    systems.set(node, system);
    return system;
  }

  /** Starts every node and waits until each sees all of them Up. */
  void startAll() {
    for (int i = 0; i < ports.length; i++) {
      start(i);
    }
    awaitAllUp();
  }

  ActorSystem<Void> node(int i) {
    return systems.get(i);
  }

  /** The running node whose member is the oldest: where the cluster singletons run. */
  int oldest() {
    int oldest = -1;
    for (int i = 0; i < systems.size(); i++) {
      if (systems.get(i) != null && (oldest < 0 || Cluster.get(systems.get(i)).selfMember()
          .isOlderThan(Cluster.get(systems.get(oldest)).selfMember()))) {
        oldest = i;
      }
    }
    return oldest;
  }

  /** {@code stage}'s result, waiting at most 90 s: a cluster on a loaded machine hands shards over slowly. */
  static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(90, java.util.concurrent.TimeUnit.SECONDS).join();
  }

  /** The Akka address of running node {@code node}, as the shard map and placement write it. */
  String address(int node) {
    return Cluster.get(systems.get(node)).selfMember().address().toString();
  }

  int size() {
    return ports.length;
  }

  Path dataDirectory(int node) {
    return root.resolve("node-" + node);
  }

  /** Waits until every running node sees every node Up. */
  void awaitAllUp() {
    awaitUp(ports.length);
  }

  /** Waits until every running node sees at least {@code count} nodes Up (when not all are started). */
  void awaitUp(int count) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (ActorSystem<Void> system : systems) {
      if (system == null) {
        continue;
      }
      while (upMembers(system) < count) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(system + " sees " + upMembers(system) + " of " + count + " nodes Up");
        }
        sleep(100);
      }
    }
  }

  private static long upMembers(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }

  /** Stops node {@code node} (it leaves the cluster) and waits until it has terminated. */
  void stop(int node) {
    ActorSystem<Void> system = systems.get(node);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
    systems.set(node, null);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    for (int i = systems.size() - 1; i >= 0; i--) {
      if (systems.get(i) != null) {
        stop(i);
      }
    }
  }
}
