package dev.strata.cluster.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.javadsl.Sink;
import com.typesafe.config.ConfigFactory;
import dev.strata.Bound;
import dev.strata.TestHarness;
import dev.strata.akka.stream.KeyValue;
import dev.strata.cli.LocalCluster;
import dev.strata.cluster.Keyspace;
import dev.strata.cluster.ShardMap;
import dev.strata.cluster.StrataCluster;
import dev.strata.cluster.history.History;
import dev.strata.cluster.history.HistoryChecker;
import dev.strata.cluster.history.Operation;
import dev.strata.cluster.sharding.ShardHash;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keyspace on 3 and on 5 nodes, each a JVM of its own ({@link LocalCluster}), keeps every
 * acknowledged write while nodes are killed with SIGKILL and started again: one at a time, and a
 * minority at once. A client member in this JVM runs a recorded workload ({@link ClusterWorkload})
 * throughout; at the end:
 *
 * <ul>
 *   <li>the history passes {@link HistoryChecker}: no read returned a value older than a write
 *       acknowledged before the read began (nor one nobody wrote), and every key's final value is
 *       one that a last acknowledged write (or one of unknown outcome) left;</li>
 *   <li>a scan of the whole keyspace returns exactly what the gets of every key return;</li>
 *   <li>read offline from every node's data directory once all are stopped, each shard's replicas
 *       hold identical contents (same CRC-32C of the shard's user data), every key lies in the
 *       shard its hash names, and together they hold exactly the final contents.</li>
 * </ul>
 *
 * <p>The client member holds shards too: the keyspace places shards on every member that
 * started it, and this build waits for every Up member to report its holdings. It is never killed.
 *
 * <p>Which nodes are killed, and for how long, comes from a seed printed at the start ({@code
 * -Dstrata.seed=...}); the directory (every node's data and logs, and the history) is kept on
 * failure. {@code -Dstrata.cluster.kill.rounds=N} sets the number of kill rounds (default 2;
 * the {@code reliability} profile runs 20).
 */
class ClusterKillTest {
  private static final String KEYSPACE = "kv";
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(8);
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int SHARDS = 12;
  private static final int REPLICATION_FACTOR = 3;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void threeNodesKilledOneAtATimeLoseNoAcknowledgedWriteAndServeNoStaleRead() throws Exception {
    run("threeNodesKilledOneAtATimeLoseNoAcknowledgedWriteAndServeNoStaleRead", 3, 1);
  }

  @Test
  void fiveNodesWithAMinorityKilledAtOnceLoseNoAcknowledgedWriteAndServeNoStaleRead() throws Exception {
    run("fiveNodesWithAMinorityKilledAtOnceLoseNoAcknowledgedWriteAndServeNoStaleRead", 5, 2);
  }

  private static String nodeConfig(int nodes) {
    return """
        akka.cluster.min-nr-of-members = %d
        akka.cluster.sharding.rebalance-interval = 1 s
        strata.cluster.ask-timeout = %d s
        strata.memtable-size = 1 MiB
        strata.jmx-enabled = off
        strata.cluster.keyspaces.%s { shards = %d, replication-factor = %d, sync-writes = on }
        """.formatted(nodes + 1, ASK_TIMEOUT.toSeconds(), KEYSPACE, SHARDS, REPLICATION_FACTOR);
  }

  /**
   * Runs the workload on {@code nodes} nodes while, in each round, {@code killedAtOnce} random
   * nodes are killed together, left down a random while, and started again.
   */
  private void run(String name, int nodes, int killedAtOnce) throws Exception {
    long seed = TestHarness.seed(name);
    SplittableRandom rnd = new SplittableRandom(seed);
    int rounds = Integer.getInteger("strata.cluster.kill.rounds", 2);
    String at = name + " seed=" + seed + "; directory kept: " + dir;
    History history = new History(e -> e instanceof IllegalArgumentException || e instanceof NullPointerException);
    Map<String, String> finalContents = new TreeMap<>();
    try (LocalCluster cluster = new LocalCluster(dir, nodes, nodeConfig(nodes), LocalCluster.smallJvm())) {
      cluster.startAll();
      Path clientData = dir.resolve("client").resolve("data");
      ActorSystem<Void> client = ActorSystem.create(Behaviors.empty(), LocalCluster.SYSTEM_NAME,
          ConfigFactory.load(ConfigFactory.parseString(cluster.clientConfig() + "\nstrata.cluster.data-directory = \""
              + clientData.toAbsolutePath() + "\"\n")));
      try {
        Keyspace keyspace = StrataCluster.get(client).keyspace(KEYSPACE);
        cluster.awaitAllMembers(true, WAIT);
        ClusterWorkload workload = new ClusterWorkload(keyspace, history, 8, 24, rnd.nextLong(),
            ASK_TIMEOUT.plusSeconds(5));
        workload.start();
        long lastRestart = 0;
        for (int round = 0; round < rounds; round++) {
          Thread.sleep(1000 + rnd.nextInt(2000));
          TreeSet<Integer> victims = new TreeSet<>();
          while (victims.size() < killedAtOnce) {
            victims.add(rnd.nextInt(nodes));
          }
          long downMs = rnd.nextInt(4) == 0 ? 12_000 + rnd.nextInt(4000) : 200 + rnd.nextInt(1500);
          System.out.printf("%s round %d: kill -9 nodes %s (%s), down for %d ms%n", name, round, victims,
              roles(client, cluster, victims), downMs);
          for (int victim : victims) {
            cluster.kill(victim);
          }
          Thread.sleep(downMs);
          for (int victim : victims) {
            cluster.start(victim);
          }
          cluster.awaitAllMembers(true, WAIT);
          lastRestart = System.nanoTime();
        }
        // The workload goes on until the cluster has acknowledged writes again after the last
        // restart (a bound on waiting, not on speed: a cluster that never serves again fails below).
        long restarted = lastRestart;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (acknowledgedWritesAfter(history.operations(), restarted) < 20 && System.nanoTime() < deadline) {
          Thread.sleep(500);
        }
        workload.stop();
        List<Operation> ops = history.operations();
        long acknowledgedAfterRestart = acknowledgedWritesAfter(ops, restarted);

        for (String key : workload.keys()) {
          Optional<String> value = ClusterWorkload.readUntilAnswered(keyspace, key, WAIT);
          value.ifPresent(v -> finalContents.put(key, v));
        }
        List<KeyValue> scanned = keyspace.scan(Bound.unbounded(), Bound.unbounded()).runWith(Sink.seq(), client)
            .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        TreeMap<String, String> scan = new TreeMap<>();
        scanned.forEach(kv -> scan.put(utf8(kv.key()), utf8(kv.value())));

        Files.writeString(dir.resolve("history.txt"), History.describe(ops), StandardCharsets.UTF_8);
        HistoryChecker.Verdict verdict = HistoryChecker.check(ops, finalContents);
        System.out.println(name + ": " + verdict.summary() + "; " + acknowledgedAfterRestart
            + " writes acknowledged after the last restart");
        assertTrue(verdict.passed(), at + "\n" + verdict.report(20));
        assertEquals(finalContents, scan, "a scan of the whole keyspace against the gets of every key, " + at);
        assertTrue(acknowledgedAfterRestart > 0, "no write was acknowledged after the last restart: " + at);
        assertTrue(ops.stream().filter(op -> op.outcome() == Operation.Outcome.OK).count() > 50,
            "the workload hardly ran: " + at);
        // Checked after the history, so that a shard that never catches up does not hide its verdict.
        awaitFollowersCaughtUp(client, at);
      } finally {
        client.terminate();
        client.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }
    // Every node is stopped now (the cluster's close killed them): read their shard stores offline.
    Map<String, Path> dataDirectories = new TreeMap<>();
    for (int i = 0; i < nodes; i++) {
      dataDirectories.put("node-" + i, dir.resolve("node-" + i).resolve("data"));
    }
    dataDirectories.put("client", dir.resolve("client").resolve("data"));
    checkReplicas(ShardReplicas.read(dataDirectories, KEYSPACE, SHARDS), finalContents, at);
  }

  /**
   * Each shard has {@link #REPLICATION_FACTOR} replicas, all at the same applied index (the test
   * waited for the followers to catch up before it stopped the nodes) with identical contents,
   * every key in the shard its hash names; together they hold exactly the final contents.
   */
  private static void checkReplicas(Map<Integer, List<ShardReplicas.Replica>> shards, Map<String, String> finalContents,
      String at) {
    assertEquals(SHARDS, shards.size(), "shards found on disk: " + shards.keySet() + ", " + at);
    TreeMap<String, String> union = new TreeMap<>();
    for (Map.Entry<Integer, List<ShardReplicas.Replica>> shard : shards.entrySet()) {
      List<ShardReplicas.Replica> replicas = shard.getValue();
      String where = "shard " + shard.getKey() + " (replicas " + replicas.stream().map(r -> r.node() + " applied "
          + r.appliedIndex() + " crc " + r.checksum()).toList() + "), " + at;
      assertEquals(REPLICATION_FACTOR, replicas.size(), "replicas of " + where);
      ShardReplicas.Replica first = replicas.get(0);
      for (ShardReplicas.Replica replica : replicas) {
        assertEquals(first.appliedIndex(), replica.appliedIndex(), "applied index of " + replica.node() + ", " + where);
        assertEquals(first.entries(), replica.entries(), "contents of " + replica.node() + ", " + where);
        assertEquals(first.checksum(), replica.checksum(), "checksum of " + replica.node() + ", " + where);
      }
      for (String key : first.entries().keySet()) {
        assertEquals(shard.getKey().intValue(), ShardHash.shardOf(key.getBytes(StandardCharsets.UTF_8), SHARDS),
            key + " is in the store of " + where);
      }
      union.putAll(first.entries());
    }
    assertEquals(new TreeMap<>(finalContents), union, "the shard stores together against the final contents, " + at);
  }

  /**
   * Waits until every shard has a serving leader and each follower has every committed entry
   * (the shard map's lag is 0), and then until the shard map stays so for a second: by then the
   * followers have also learnt the last commit index and applied it.
   */
  private static void awaitFollowersCaughtUp(ActorSystem<Void> client, String at) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = "no shard map";
    int stable = 0;
    while (stable < 2) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the followers did not catch up within " + WAIT.toSeconds() + " s: " + last
            + "; what each node says it holds and leads: " + clusterStats(client) + ", " + at);
      }
      try {
        ShardMap map = StrataCluster.get(client).shardMap(KEYSPACE).toCompletableFuture().get(30, TimeUnit.SECONDS);
        List<String> behind = new ArrayList<>();
        for (ShardMap.Shard s : map.shards()) {
          if (s.epoch() == 0 || s.followers().size() != REPLICATION_FACTOR - 1 || s.lag().size() != s.followers().size()
              || s.lag().values().stream().anyMatch(lag -> lag != 0)) {
            behind.add("shard " + s.shard() + " led by " + s.leader() + " in epoch " + s.epoch() + " with "
                + s.followers().size() + " followers (replication factor " + REPLICATION_FACTOR + "), lag " + s.lag());
          }
        }
        last = map.shards().size() + " shards in the map; not caught up: " + behind;
        boolean caughtUp = map.shards().size() == SHARDS && behind.isEmpty();
        stable = caughtUp ? stable + 1 : 0;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        last = "the shard map failed: " + e;
        stable = 0;
      }
      Thread.sleep(500);
    }
  }

  /**
   * Each node's replicas and the shards it leads and serves, for a failure message: a shard shown in
   * epoch 0 is one whose placed leader does not report it as leading, and this tells a node that did
   * not answer (absent) from one that answered without leading it.
   */
  private static String clusterStats(ActorSystem<Void> client) {
    try {
      return StrataCluster.get(client).stats().toCompletableFuture().get(10, TimeUnit.SECONDS).toString();
    } catch (Exception e) {
      return "cluster stats unavailable: " + e;
    }
  }

  /** What each victim leads and follows, from the shard map (for the log; "?" when it does not answer). */
  private static String roles(ActorSystem<Void> client, LocalCluster cluster, TreeSet<Integer> victims) {
    try {
      ShardMap map = StrataCluster.get(client).shardMap(KEYSPACE).toCompletableFuture().get(10, TimeUnit.SECONDS);
      List<String> out = new ArrayList<>();
      for (int victim : victims) {
        String address = "akka://" + LocalCluster.SYSTEM_NAME + "@127.0.0.1:" + cluster.port(victim);
        long follows = map.shards().stream().filter(s -> s.followers().contains(address)).count();
        out.add("node " + victim + " leads " + map.ledBy(address).size() + " shards, follows " + follows);
      }
      return String.join("; ", out);
    } catch (Exception e) {
      return "shard map unavailable: " + e;
    }
  }

  private static long acknowledgedWritesAfter(List<Operation> ops, long nanos) {
    return ops.stream().filter(op -> op.outcome() == Operation.Outcome.OK && op.kind() != Operation.Kind.GET
        && op.invokedNanos() > nanos).count();
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
