package dev.strata.cluster;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static dev.strata.cluster.ClusterTestNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.stream.javadsl.Sink;
import dev.strata.Bound;
import dev.strata.WriteBatch;
import dev.strata.akka.stream.KeyValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keyspace over three ActorSystems in one JVM (Artery on 127.0.0.1), through the public API:
 * every node's writes are readable from every node, scans are ordered across shards, batches stay
 * within a shard, and a node stopped and started on the same data directory keeps its shards' data.
 * The tests share one cluster (forming one takes longer than most tests), each with a keyspace of
 * its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeyspaceTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** One keyspace per test (at most this many tests), so that the tests share one cluster. */
  private static final int KEYSPACES = 12;

  @TempDir static Path dir;
  private static ClusterTestNodes nodes;
  private static int nextKeyspace;
  /** This test's keyspace. */
  private String name;

  @BeforeAll
  static void startCluster() {
    StringBuilder keyspaces = new StringBuilder("strata.cluster.scan-page-size = 100\n");
    for (int i = 0; i < KEYSPACES; i++) {
      keyspaces.append("strata.cluster.keyspaces.kv").append(i).append(" { shards = 8, replication-factor = 1 }\n");
    }
    nodes = new ClusterTestNodes(dir, 3, keyspaces.toString());
    nodes.startAll();
  }

  @AfterAll
  static void stopCluster() {
    nodes.close();
  }

  /** Starts this test's keyspace on every node: placement waits until every node has. */
  @BeforeEach
  void startKeyspace() {
    name = "kv" + nextKeyspace++;
    for (int i = 0; i < nodes.size(); i++) {
      StrataCluster.get(nodes.node(i)).keyspace(name);
    }
  }

  private Keyspace kv(int node) {
    return StrataCluster.get(nodes.node(node)).keyspace(name);
  }

  /** Writes 20 keys from each node: "n<node>-<j>" -> "v<node>-<j>". */
  private TreeMap<String, String> writeFromEveryNode() {
    TreeMap<String, String> expected = new TreeMap<>();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (int node = 0; node < nodes.size(); node++) {
      for (int j = 0; j < 20; j++) {
        String key = "n" + node + "-" + String.format("%02d", j);
        expected.put(key, "v" + node + "-" + j);
        writes.add(kv(node).put(b(key), b(expected.get(key))).toCompletableFuture());
      }
    }
    writes.forEach(ClusterTestNodes::await);
    return expected;
  }

  private void assertEveryNodeReads(Map<String, String> expected) {
    for (int node = 0; node < nodes.size(); node++) {
      for (Map.Entry<String, String> e : expected.entrySet()) {
        Optional<byte[]> value = await(kv(node).get(b(e.getKey())));
        assertEquals(Optional.of(e.getValue()), value.map(v -> s(v)), "node " + node + " reading " + e.getKey());
      }
    }
  }

  private List<String> scan(int node, Bound lower, Bound upper) {
    List<KeyValue> entries = await(kv(node).scan(lower, upper).runWith(Sink.seq(), nodes.node(node)));
    return entries.stream().map(kv -> s(kv.key()) + "=" + s(kv.value())).toList();
  }

  private static List<String> asEntries(Map<String, String> map) {
    return map.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  @Test
  void writesFromEveryNodeAreReadableFromEveryNode() {
    TreeMap<String, String> expected = writeFromEveryNode();
    assertEveryNodeReads(expected);
    assertEquals(Optional.empty(), await(kv(1).get(b("never-written"))).map(v -> s(v)));
  }

  @Test
  void shardsAreSpreadOverEveryNode() throws Exception {
    writeFromEveryNode();
    for (int node = 0; node < nodes.size(); node++) {
      Path keyspaceDir = nodes.dataDirectory(node).resolve(name);
      try (Stream<Path> shards = Files.list(keyspaceDir)) {
        long count = shards.count();
        assertTrue(count >= 2 && count <= 3, "node " + node + " holds " + count + " of 8 shards, not 2 or 3");
      }
    }
  }

  @Test
  void deletesAreSeenFromEveryNode() {
    TreeMap<String, String> expected = writeFromEveryNode();
    for (String key : List.of("n0-03", "n1-07", "n2-19")) {
      await(kv(2).delete(b(key)));
      expected.remove(key);
      for (int node = 0; node < nodes.size(); node++) {
        assertEquals(Optional.empty(), await(kv(node).get(b(key))), "node " + node + " still reads " + key);
      }
    }
    assertEquals(asEntries(expected), scan(0, Bound.unbounded(), Bound.unbounded()));
  }

  @Test
  void scanMergesEveryShardInKeyOrder() {
    TreeMap<String, String> expected = writeFromEveryNode();
    for (int node = 0; node < nodes.size(); node++) {
      assertEquals(asEntries(expected), scan(node, Bound.unbounded(), Bound.unbounded()), "scan from node " + node);
    }
    assertEquals(asEntries(expected.subMap("n0-15", true, "n1-04", false)),
        scan(1, Bound.included(b("n0-15")), Bound.excluded(b("n1-04"))));
    assertEquals(asEntries(expected.subMap("n0-15", false, "n1-04", true)),
        scan(2, Bound.excluded(b("n0-15")), Bound.included(b("n1-04"))));
    assertEquals(List.of(), scan(0, Bound.included(b("x")), Bound.unbounded()));
  }

  @Test
  void scanPagesThroughShardsLargerThanAPage() {
    // 2500 keys over 8 shards: about 310 a shard, more than this cluster's 100-entry pages.
    TreeMap<String, String> expected = new TreeMap<>();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (int j = 0; j < 2500; j++) {
      String key = String.format("k%05d", j);
      expected.put(key, "v" + j);
      writes.add(kv(j % 3).put(b(key), b("v" + j)).toCompletableFuture());
    }
    writes.forEach(ClusterTestNodes::await);
    assertEquals(asEntries(expected), scan(1, Bound.unbounded(), Bound.unbounded()));
  }

  @Test
  void aBatchWithinOneShardIsWrittenWhole() {
    Keyspace kv = kv(0);
    List<byte[]> sameShard = new ArrayList<>();
    for (int j = 0; sameShard.size() < 3; j++) {
      byte[] key = b("batch-" + j);
      if (kv.shardOf(key) == kv.shardOf(b("batch-0"))) {
        sameShard.add(key);
      }
    }
    await(kv.put(sameShard.get(2), b("old")));
    WriteBatch batch = new WriteBatch().put(sameShard.get(0), b("a")).put(sameShard.get(1), b("b"))
        .delete(sameShard.get(2));
    await(kv.write(batch));
    assertEquals("a", s(await(kv(1).get(sameShard.get(0))).orElseThrow()));
    assertEquals("b", s(await(kv(2).get(sameShard.get(1))).orElseThrow()));
    assertEquals(Optional.empty(), await(kv(2).get(sameShard.get(2))));
  }

  @Test
  void aBatchSpanningShardsIsRefusedNamingTwoKeysAndTheirShards() {
    Keyspace kv = kv(0);
    byte[] first = b("span-0");
    byte[] other = null;
    for (int j = 1; other == null; j++) {
      if (kv.shardOf(b("span-" + j)) != kv.shardOf(first)) {
        other = b("span-" + j);
      }
    }
    WriteBatch batch = new WriteBatch().put(first, b("1")).put(other, b("2"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kv.write(batch));
    assertTrue(e.getMessage().contains(Arrays.toString(first)) && e.getMessage().contains(Arrays.toString(other))
        && e.getMessage().contains("shard " + kv.shardOf(first)) && e.getMessage().contains("shard " + kv.shardOf(other)),
        e.getMessage());
    assertEquals(Optional.empty(), await(kv.get(first)), "nothing of a refused batch is written");
  }

  @Test
  @Order(Integer.MAX_VALUE) // last: the other tests' keyspaces are not started again on the restarted node
  void aRestartedNodeServesItsShardsFromItsDataDirectory() {
    TreeMap<String, String> expected = writeFromEveryNode();
    nodes.stop(2);
    nodes.start(2);
    nodes.awaitAllUp();
    StrataCluster.get(nodes.node(2)).keyspace(name);
    assertEveryNodeReads(expected);
    assertEquals(asEntries(expected), scan(2, Bound.unbounded(), Bound.unbounded()));
    await(kv(2).put(b("after-restart"), b("yes")));
    assertEquals("yes", s(await(kv(0).get(b("after-restart"))).orElseThrow()));
  }

  @Test
  void anUnconfiguredKeyspaceIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StrataCluster.get(nodes.node(0)).keyspace("nope"));
    assertTrue(e.getMessage().contains("strata.cluster.keyspaces.nope"), e.getMessage());
  }
}
