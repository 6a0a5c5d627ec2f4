package dev.strata.cluster.sharding;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import com.typesafe.config.ConfigFactory;
import dev.strata.akka.stream.KeyValue;
import dev.strata.cluster.replication.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The node wiring never acknowledges a deposed leader's write: three {@link ShardReplica}s of one
 * shard (each over its own store, as its node's host drives it) connected by a test network that
 * can cut a node off. Leader a is cut off, b takes over; a's write, made while a still believes it
 * leads, is answered with a failure and never with {@link ShardProtocol.Written}, and is nowhere
 * applied; b's writes are acknowledged and kept.
 */
class DeposedLeaderTest {
  private static final List<String> MEMBERS = List.of("a", "b", "c");

  @TempDir Path dir;
  private ActorTestKit testKit;
  private final Map<String, ShardReplica> replicas = new TreeMap<>();
  private final Deque<Object[]> inFlight = new ArrayDeque<>();
  private final Set<String> cutOff = new HashSet<>();

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create(ConfigFactory.parseString("strata.jmx-enabled = off").withFallback(ConfigFactory.load()));
    for (String id : MEMBERS) {
      KeyspaceSettings settings = KeyspaceSettings.fromConfig("kv", ConfigFactory.parseString(
          "strata.cluster.data-directory = \"" + dir.resolve(id).toString().replace("\\", "/") + "\"\n"
              + "strata.cluster.keyspaces.kv { shards = 1 }").withFallback(ConfigFactory.load()));
      replicas.put(id, ShardReplica.open(testKit.system(), settings, 0, id,
          (shard, to, message) -> inFlight.add(new Object[] {to, message}), (shard, source, target) -> { },
          LoggerFactory.getLogger(id)));
    }
  }

  @AfterEach
  void stop() {
    replicas.values().forEach(ShardReplica::close);
    testKit.shutdownTestKit();
  }

  /** Delivers every message in flight, and those they cause, dropping any from or to a cut-off node. */
  private void pump() {
    while (!inFlight.isEmpty()) {
      Object[] next = inFlight.poll();
      String to = (String) next[0];
      Message message = (Message) next[1];
      if (!cutOff.contains(to) && !cutOff.contains(message.from())) {
        replicas.get(to).receive(message);
      }
    }
  }

  private void tick(String id) {
    for (int i = 0; i < 10; i++) {
      replicas.get(id).tick();
      pump();
    }
  }

  private ShardProtocol.Reply put(String at, String key, String value) {
    TestProbe<ShardProtocol.Reply> probe = testKit.createTestProbe();
    replicas.get(at).serve(new ShardProtocol.Write(List.of(KeyValue.put(b(key), b(value))), probe.ref()));
    pump();
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private byte[] get(String at, String key) {
    TestProbe<ShardProtocol.Reply> probe = testKit.createTestProbe();
    replicas.get(at).serve(new ShardProtocol.Get(b(key), probe.ref()));
    pump();
    tick(at);
    return ((ShardProtocol.Value) probe.receiveMessage(Duration.ofSeconds(5))).value();
  }

  @Test
  void aDeposedLeadersWriteIsNeverAcknowledged() {
    replicas.get("a").startLeading(MEMBERS);
    pump();
    assertEquals(ShardProtocol.Written.INSTANCE, put("a", "k1", "from a"));

    // a is cut off; b takes over with a majority (b, c).
    cutOff.add("a");
    replicas.get("b").startLeading(MEMBERS);
    pump();
    tick("b");
    assertTrue(replicas.get("b").replica().isServing(), replicas.get("b").replica().toString());

    // a still believes it leads: its write goes nowhere.
    TestProbe<ShardProtocol.Reply> deposed = testKit.createTestProbe();
    replicas.get("a").serve(new ShardProtocol.Write(List.of(KeyValue.put(b("k2"), b("from deposed a"))),
        deposed.ref()));
    pump();
    tick("a");
    deposed.expectNoMessage(Duration.ofMillis(200));
    assertEquals(ShardProtocol.Written.INSTANCE, put("b", "k3", "from b"));

    // Healed: a learns of the later epoch and fails its write, never acknowledging it.
    cutOff.clear();
    tick("a");
    ShardProtocol.Reply reply = deposed.receiveMessage(Duration.ofSeconds(5));
    assertTrue(reply instanceof ShardProtocol.Failure, "the deposed leader's write got " + reply);
    assertFalse(replicas.get("a").replica().isLeading());

    tick("b");
    assertEquals("from a", s(get("b", "k1")));
    assertEquals("from b", s(get("b", "k3")));
    assertNull(get("b", "k2"), "the deposed leader's write is not applied");
    for (String id : MEMBERS) {
      assertNull(((ShardProtocol.Value) replicas.get(id).readLocally(b("k2"))).value(), "applied on " + id);
    }
  }
}
