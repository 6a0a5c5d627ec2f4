package dev.strata.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A cluster of {@link ClusterNode}s on this machine, each in a JVM of its own on 127.0.0.1, with
 * a fixed port (chosen free when the cluster is made, kept across restarts), its own data
 * directory and log files under one directory, and every node a seed node. A node can be killed
 * with SIGKILL and started again on the same port and data directory.
 *
 * <p>The process that drives it may join the cluster itself, as a client: {@link #clientConfig}
 * gives it a port and the same seed nodes and cluster settings.
 *
 * <p>Layout of {@code dir}: {@code node-<i>/data} (the node's strata.cluster.data-directory),
 * {@code node-<i>/node.conf}, {@code node-<i>/stdout.log}, {@code node-<i>/stderr.log}.
 *
 * <p>Not thread-safe: one thread drives it.
 */
public final class LocalCluster implements AutoCloseable {
  public static final String SYSTEM_NAME = "strata-cluster";
  /** The role of the nodes that hold keyspace data; a client has none. */
  public static final String DATA_ROLE = "data";
  private static final String HOST = "127.0.0.1";

  private final Path dir;
  private final int[] ports;
  private final int clientPort;
  private final String nodeConfig;
  private final List<String> jvmOptions;
  private final NodeProcess[] processes;

  /**
   * @param nodes how many nodes (none started yet)
   * @param nodeConfig HOCON for every node, over the cluster settings of {@link #baseConfig}
   *     (keyspaces, store options, timeouts)
   * @param jvmOptions options of each node's JVM (heap, GC)
   */
  public LocalCluster(Path dir, int nodes, String nodeConfig, List<String> jvmOptions) throws IOException {
    if (nodes < 1) {
      throw new IllegalArgumentException("a cluster needs at least one node, not " + nodes);
    }
    this.dir = dir;
    this.nodeConfig = nodeConfig;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.processes = new NodeProcess[nodes];
    int[] free = freePorts(nodes + 1);
    this.ports = java.util.Arrays.copyOf(free, nodes);
    this.clientPort = free[nodes];
    Files.createDirectories(dir);
  }

  /** The default JVM options of a node: a small heap and a quick start, for many nodes on a small machine. */
  public static List<String> smallJvm() {
    return List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k");
  }

  public int size() {
    return ports.length;
  }

  public int port(int node) {
    return ports[node];
  }

  public int clientPort() {
    return clientPort;
  }

  public Path dataDirectory(int node) {
    return nodeDir(node).resolve("data");
  }

  public Path nodeDir(int node) {
    return dir.resolve("node-" + node);
  }

  /**
   * The cluster settings every member shares, the client too: StrataCluster's serializer
   * bindings, Artery on 127.0.0.1, every node a
   * seed, the Split Brain Resolver keeping the majority of the data nodes, a failure detector
   * that tolerates the pauses of a machine shared by many JVMs; a node that is downed stops its JVM.
   */
  String baseConfig(int port, String roles) {
    String seeds = java.util.Arrays.stream(ports)
        .mapToObj(p -> "\"akka://" + SYSTEM_NAME + "@" + HOST + ":" + p + "\"").collect(Collectors.joining(", "));
    return """
        include classpath("dev/strata/cluster/serialization.conf")
        akka {
          loglevel = WARNING
          # Many JVMs starting at once on a small machine: slow, but not broken.
          logger-startup-timeout = 60 s
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor.provider = cluster
          remote.artery.canonical.hostname = "%s"
          remote.artery.canonical.port = %d
          cluster {
            seed-nodes = [%s]
            roles = [%s]
            jmx.enabled = off
            # Nodes that share a few busy cores miss heartbeats for seconds: not a failure.
            failure-detector.acceptable-heartbeat-pause = 6 s
            downing-provider-class = "akka.cluster.sbr.SplitBrainResolverProvider"
            split-brain-resolver {
              active-strategy = keep-majority
              keep-majority.role = "%s"
              stable-after = 4 s
              # Busy cores make heartbeats late and reachability flap for a while after a kill;
              # only a far longer instability should down every node.
              down-all-when-unstable = 20 s
            }
          }
        }
        """.formatted(HOST, port, seeds, roles, DATA_ROLE);
  }

  /** The configuration of a client member in the driving process (no data role), over its own application config. */
  public String clientConfig() {
    return baseConfig(clientPort, "") + "\n" + nodeConfig;
  }

  /** Starts node {@code node} (again, after a kill): on its port, over its data directory. */
  public void start(int node) throws IOException {
    if (processes[node] != null && processes[node].alive()) {
      throw new IllegalStateException("node " + node + " (port " + ports[node] + ") is already running");
    }
    Path nodeDir = nodeDir(node);
    Files.createDirectories(dataDirectory(node));
    Path conf = nodeDir.resolve("node.conf");
    Files.writeString(conf, baseConfig(ports[node], "\"" + DATA_ROLE + "\"")
        + "strata.cluster.data-directory = \"" + dataDirectory(node).toAbsolutePath() + "\"\n"
        + "akka.coordinated-shutdown.exit-jvm = on\n" + nodeConfig + "\n", StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ClusterNode.class.getName(), SYSTEM_NAME,
        conf.toString()));
    processes[node] = NodeProcess.start(command, nodeDir.resolve("stdout.log"), nodeDir.resolve("stderr.log"));
  }

  public void startAll() throws IOException {
    for (int i = 0; i < ports.length; i++) {
      start(i);
    }
  }

  /** Kills node {@code node} with SIGKILL and waits until its process is gone. */
  public void kill(int node) throws InterruptedException {
    NodeProcess process = processes[node];
    if (process == null || !process.alive()) {
      throw new IllegalStateException("node " + node + " (port " + ports[node] + ") is not running");
    }
    process.kill();
  }

  /** Sends {@code command} to node {@code node} and returns its answer line ({@link NodeProcess#request}). */
  String request(int node, String command, Duration timeout) throws IOException, InterruptedException {
    if (!running(node)) {
      throw new IllegalStateException("node " + node + " (port " + ports[node] + ") is not running");
    }
    return processes[node].request(command, timeout);
  }

  public boolean running(int node) {
    return processes[node] != null && processes[node].alive();
  }

  /**
   * Waits until every running node is ready and reports exactly the members {@code nodes} (and
   * the client when {@code withClient}) Up and none unreachable; fails on timeout or when a node
   * that should run has exited, naming what each node last reported.
   */
  public void awaitMembers(SortedSet<Integer> nodes, boolean withClient, Duration timeout) throws InterruptedException {
    TreeSet<Integer> expectedPorts = new TreeSet<>();
    nodes.forEach(n -> expectedPorts.add(ports[n]));
    if (withClient) {
      expectedPorts.add(clientPort);
    }
    String expected = "up=" + expectedPorts.stream().map(String::valueOf).collect(Collectors.joining(","))
        + " unreachable=";
    await(() -> nodes.stream().allMatch(n -> {
      NodeProcess p = processes[n];
      return p != null && p.alive() && p.ready() && p.view().equals(expected);
    }), timeout, () -> "every node of " + nodes + " to report " + expected);
  }

  /** {@link #awaitMembers} with every node of the cluster. */
  public void awaitAllMembers(boolean withClient, Duration timeout) throws InterruptedException {
    TreeSet<Integer> all = new TreeSet<>();
    for (int i = 0; i < ports.length; i++) {
      all.add(i);
    }
    awaitMembers(all, withClient, timeout);
  }

  private void await(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      for (int i = 0; i < processes.length; i++) {
        if (processes[i] != null && !processes[i].alive() && processes[i].exitStatus() != 137) {
          throw new IllegalStateException("node " + i + " exited with status " + processes[i].exitStatus()
              + " while waiting for " + what.get() + "; see " + nodeDir(i));
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what.get()
            + "; the nodes report: " + describe());
      }
      Thread.sleep(50);
    }
  }

  /** What each node last reported, for error messages. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < processes.length; i++) {
      NodeProcess p = processes[i];
      out.append("\n  node ").append(i).append(" port ").append(ports[i]).append(": ");
      if (p == null) {
        out.append("never started");
      } else if (!p.alive()) {
        out.append("not running (exit status ").append(p.exitStatus()).append(")");
      } else {
        out.append("pid ").append(p.pid()).append(p.ready() ? " ready " : " starting ").append(p.view());
      }
    }
    return out.toString();
  }

  /** Kills every node still running. */
  @Override
  public void close() {
    boolean interrupted = false;
    for (NodeProcess p : processes) {
      while (p != null && p.alive()) {
        try {
          p.kill();
        } catch (InterruptedException e) {
          interrupted = true; // kill them all first: no node may outlive its cluster
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * {@code count} distinct ports that were free a moment ago. A port can be taken by another
   * process before a node binds it; the node then fails to start and says so in its log.
   */
  private static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST));
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }
}
