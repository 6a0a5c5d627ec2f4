package dev.strata.cluster;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static dev.strata.cluster.ClusterTestNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.typed.Cluster;
import dev.strata.cluster.multijvm.ShardReplicas;
import dev.strata.cluster.sharding.ReplicaHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas move: a node that joins a running keyspace takes over its share of the shards'
 * replicas, streamed to it while a client keeps writing, and the nodes it relieves delete their
 * copies; replica sets live in the replicas themselves, so a placement coordinator that moves
 * keeps them. Through the public API (plus the nodes' progress, for the checkpoints installed).
 */
class ReplicaMovesTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int SHARDS = 8;

  @TempDir Path dir;
  private ClusterTestNodes nodes;

  @AfterEach
  void stopCluster() {
    if (nodes != null) {
      nodes.close();
    }
  }

  private Keyspace rkv(int node) {
    return StrataCluster.get(nodes.node(node)).keyspace("rkv");
  }

  /**
   * Writes key k-(i % 401) = v-i for i = 0, 1, ... one at a time through nodes 0 to 2 in turn, each
   * put repeated until acknowledged (a put of the same value may land twice), and records the
   * latest acknowledged value of every key.
   */
  private static final class Writer implements Runnable {
    final Map<String, String> acked = new ConcurrentHashMap<>();
    final AtomicInteger count = new AtomicInteger();
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger retries = new AtomicInteger();
    private final List<Keyspace> through;
    private final Thread thread = new Thread(this, "replica-moves-writer");

    Writer(List<Keyspace> through) {
      this.through = through;
    }

    void start() {
      thread.start();
    }

    void finish() throws InterruptedException {
      stop.set(true);
      thread.join(WAIT.toMillis());
      assertFalse(thread.isAlive(), "the writer stopped");
    }

    @Override
    public void run() {
      for (int i = 0; !stop.get(); i++) {
        String key = "k-" + (i % 401);
        String value = "v-" + i;
        while (true) {
          try {
            through.get(i % through.size()).put(b(key), b(value)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            acked.put(key, value);
            count.incrementAndGet();
            break;
          } catch (Exception e) {
            // Not acknowledged (a shard moving its leader, a timeout): the same put again.
            retries.incrementAndGet();
            if (stop.get() && retries.get() > 1_000) {
              return;
            }
          }
        }
      }
    }

    void awaitCount(int n) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (count.get() < n) {
        assertTrue(System.nanoTime() < deadline, "the writer got " + count.get() + " of " + n + " writes acknowledged");
        Thread.sleep(50);
      }
    }
  }

  /** The shards whose store directory {@code node} holds. */
  private Set<Integer> shardDirectories(int node) throws IOException {
    Path keyspace = nodes.dataDirectory(node).resolve("rkv");
    if (!Files.isDirectory(keyspace)) {
      return Set.of();
    }
    try (Stream<Path> children = Files.list(keyspace)) {
      return children.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).map(Integer::parseInt)
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Shard -> its replica set (leader and followers) in {@code map}. */
  private static Map<Integer, Set<String>> replicaSets(ShardMap map) {
    Map<Integer, Set<String>> sets = new TreeMap<>();
    for (ShardMap.Shard shard : map.shards()) {
      Set<String> set = new TreeSet<>(shard.followers());
      set.add(shard.leader());
      sets.put(shard.shard(), set);
    }
    return sets;
  }

  /** Whether the moves are over: every shard has 3 replicas, and each node holds the directories of its replicas only. */
  private boolean settled(ShardMap map, int running) throws IOException {
    for (ShardMap.Shard shard : map.shards()) {
      if (shard.followers().size() != 2 || shard.followers().contains(shard.leader()) || shard.epoch() == 0) {
        return false;
      }
    }
    Map<Integer, Set<String>> sets = replicaSets(map);
    for (int node = 0; node < running; node++) {
      String a = nodes.address(node);
      Set<Integer> expected = sets.entrySet().stream().filter(e -> e.getValue().contains(a)).map(Map.Entry::getKey)
          .collect(Collectors.toCollection(TreeSet::new));
      if (!shardDirectories(node).equals(expected)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void aNodeThatJoinsTakesItsShareByStreamingWhileWritesContinue() throws Exception {
    long started = System.nanoTime();
    nodes = new ClusterTestNodes(dir, 4, "akka.cluster.min-nr-of-members = 3\n"
        + "strata.cluster.keyspaces.rkv { shards = " + SHARDS + ", replication-factor = 3, max-concurrent-moves = 2, "
        + "replication { max-log-entries = 200, truncate-every = 50 } }");
    for (int i = 0; i < 3; i++) {
      nodes.start(i);
    }
    nodes.awaitUp(3);
    for (int i = 0; i < 3; i++) {
      rkv(i);
    }
    Writer writer = new Writer(List.of(rkv(0), rkv(1), rkv(2)));
    writer.start();
    // Enough entries per shard (about 300) that every leader truncated its log: the new node needs
    // checkpoints. A new replica catches up once a checkpoint is installed within 200 entries.
    writer.awaitCount(SHARDS * 300);
    ShardMap before = await(StrataCluster.get(nodes.node(0)).shardMap("rkv"));
    for (ShardMap.Shard shard : before.shards()) {
      assertEquals(2, shard.followers().size(), "three replicas of each shard on three nodes: " + before);
    }

    nodes.start(3);
    nodes.awaitAllUp();
    rkv(3);
    String joined = nodes.address(3);
    long deadline = System.nanoTime() + WAIT.toNanos();
    ShardMap map = await(StrataCluster.get(nodes.node(3)).shardMap("rkv"));
    while (!(settled(map, 4) && replicaSets(map).values().stream().filter(set -> set.contains(joined)).count()
        >= SHARDS * 3 / 4 - 1)) {
      assertTrue(System.nanoTime() < deadline, "the replicas settle on four nodes: " + map);
      Thread.sleep(250);
      map = await(StrataCluster.get(nodes.node(3)).shardMap("rkv"));
    }
    int writesDuringMoves = writer.count.get();
    writer.finish();
    long joinMillis = (System.nanoTime() - started) / 1_000_000;

    Map<Integer, Set<String>> sets = replicaSets(map);
    for (int node = 0; node < 4; node++) {
      String a = nodes.address(node);
      long held = sets.values().stream().filter(set -> set.contains(a)).count();
      assertTrue(Math.abs(held - SHARDS * 3 / 4) <= 1, "node " + node + " holds " + held + " replicas: " + map);
    }
    for (Map.Entry<Integer, Set<String>> e : sets.entrySet()) {
      assertEquals(3, e.getValue().size(), "shard " + e.getKey() + " has exactly 3 replicas: " + map);
    }
    List<ReplicaHost.Progress> progress = await(rkv(3).node().progress());
    long checkpoints = progress.stream().mapToLong(ReplicaHost.Progress::checkpointsInstalled).sum();
    long bytes = progress.stream().mapToLong(ReplicaHost.Progress::checkpointBytes).sum();
    assertTrue(checkpoints >= 1, "at least one move streamed a checkpoint: " + progress);
    System.out.printf("ReplicaMovesTest: join settled %d ms after the start; %d writes acknowledged (%d retried), "
        + "%d checkpoints installed, %d bytes streamed%n", joinMillis, writesDuringMoves, writer.retries.get(),
        checkpoints, bytes);

    // Every acknowledged write reads back with its latest acknowledged value, from every node.
    for (int node = 0; node < 4; node++) {
      for (Map.Entry<String, String> e : writer.acked.entrySet()) {
        assertEquals(Optional.of(e.getValue()), await(rkv(node).get(b(e.getKey()))).map(v -> s(v)),
            "node " + node + " reading " + e.getKey());
      }
    }

    awaitReplicasApplied(sets);
    // The coordinator moves with its node (the oldest): the replica sets stay, read from the replicas.
    int oldest = nodes.oldest();
    int asker = oldest == 3 ? 0 : 3;
    nodes.stop(oldest);
    ShardMap after = await(StrataCluster.get(nodes.node(asker)).shardMap("rkv"));
    assertEquals(sets, replicaSets(after), "the new coordinator keeps every shard's replica set");
    for (Map.Entry<String, String> e : writer.acked.entrySet()) {
      assertEquals(Optional.of(e.getValue()), await(rkv(asker).get(b(e.getKey()))).map(v -> s(v)),
          "after the coordinator moved, reading " + e.getKey());
    }

    // Each shard's replicas hold the same user data (read offline once every node stopped).
    nodes.close();
    Map<String, Path> directories = new TreeMap<>();
    for (int node = 0; node < 4; node++) {
      directories.put("node-" + node, nodes.dataDirectory(node));
    }
    Map<Integer, List<ShardReplicas.Replica>> replicas = ShardReplicas.read(directories, "rkv", SHARDS);
    assertEquals(SHARDS, replicas.size());
    for (Map.Entry<Integer, List<ShardReplicas.Replica>> e : replicas.entrySet()) {
      assertEquals(3, e.getValue().size(), "three stores of shard " + e.getKey() + ": " + e.getValue());
      TreeMap<String, String> first = e.getValue().get(0).entries();
      for (ShardReplicas.Replica r : e.getValue()) {
        assertEquals(first, r.entries(), "shard " + e.getKey() + " on " + r.node() + " vs "
            + e.getValue().get(0).node());
      }
    }
  }

  @Test
  void aDrainedNodeHandsItsReplicasToTheOthersAndMayLeave() throws Exception {
    nodes = new ClusterTestNodes(dir, 4, "strata.cluster.keyspaces.rkv { shards = " + SHARDS
        + ", replication-factor = 3, max-concurrent-moves = 2 }");
    nodes.startAll();
    for (int i = 0; i < 4; i++) {
      rkv(i);
    }
    int drained = nodes.oldest() == 3 ? 2 : 3;
    String drainedAddress = nodes.address(drained);
    List<Keyspace> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      if (i != drained) {
        clients.add(rkv(i));
      }
    }
    Writer writer = new Writer(clients);
    writer.start();
    writer.awaitCount(100);
    ShardMap before = await(StrataCluster.get(nodes.node(0)).shardMap("rkv"));
    assertFalse(replicaSets(before).values().stream().noneMatch(set -> set.contains(drainedAddress)),
        "the node to drain holds replicas: " + before);

    long started = System.nanoTime();
    await(StrataCluster.get(nodes.node(0)).drain("rkv", drainedAddress, WAIT));
    long drainMillis = (System.nanoTime() - started) / 1_000_000;
    writer.finish();
    System.out.printf("ReplicaMovesTest: drained in %d ms; %d writes acknowledged%n", drainMillis, writer.count.get());

    assertEquals(Set.of(), shardDirectories(drained), "the drained node keeps no store of the keyspace");
    ShardMap map = await(StrataCluster.get(nodes.node(0)).shardMap("rkv"));
    for (Map.Entry<Integer, Set<String>> e : replicaSets(map).entrySet()) {
      assertEquals(3, e.getValue().size(), "shard " + e.getKey() + " keeps 3 replicas: " + map);
      assertFalse(e.getValue().contains(drainedAddress), "shard " + e.getKey() + " left the drained node: " + map);
    }
    // The drained node leaves: nothing it held is missed.
    nodes.stop(drained);
    int reader = drained == 0 ? 1 : 0;
    for (Map.Entry<String, String> e : writer.acked.entrySet()) {
      assertEquals(Optional.of(e.getValue()), await(rkv(reader).get(b(e.getKey()))).map(v -> s(v)),
          "after the drained node left, reading " + e.getKey());
    }
  }

  /** Waits until every replica of every shard applied as far as any other (the writes stopped). */
  private void awaitReplicasApplied(Map<Integer, Set<String>> sets) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Map<Integer, List<Long>> applied = new HashMap<>();
      for (ReplicaHost.Progress p : await(rkv(0).node().progress())) {
        for (ReplicaHost.ReplicaProgress r : p.replicas()) {
          if (sets.getOrDefault(r.shard(), Set.of()).contains(p.node())) {
            applied.computeIfAbsent(r.shard(), s -> new ArrayList<>()).add(r.appliedIndex());
          }
        }
      }
      boolean same = applied.size() == sets.size() && applied.values().stream()
          .allMatch(l -> l.size() == 3 && l.stream().distinct().count() == 1);
      if (same) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "every replica applied the same entries: " + applied);
      Thread.sleep(100);
    }
  }
}
