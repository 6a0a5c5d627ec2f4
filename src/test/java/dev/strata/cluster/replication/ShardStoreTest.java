package dev.strata.cluster.replication;

import static dev.strata.cluster.replication.ReplicaHarness.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.CorruptionException;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataIterator;
import dev.strata.WriteBatch;
import dev.strata.util.ByteBuilder;
import dev.strata.util.Crc32c;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shard store's layout inside a real Strata store: what it keeps, across reopens, and what it refuses. */
class ShardStoreTest {
  private static final ShardStore.Identity SHARD = new ShardStore.Identity("users", 8, 3);

  @TempDir
  Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static LogEntry write(long index, long epoch, String key, String value) {
    return new LogEntry(index, epoch, new LogEntry.Write(BatchCodec.encode(put(key, value))));
  }

  @Test
  void everyPieceOfReplicaStateSurvivesAReopen() {
    try (Strata db = Strata.open(dir)) {
      ShardStore s = ShardStore.open(db, SHARD);
      Replica.bootstrap(s, List.of("b", "a", "c"));
      s.promise(3, "a");
      s.append(List.of(write(2, 3, "k1", "v1"), new LogEntry(3, 3, new LogEntry.NoOp()),
          new LogEntry(4, 3, new LogEntry.Config(List.of("a", "b")))));
      s.apply(s.entry(2), 3);
      s.truncateSuffix(4);
    }
    try (Strata db = Strata.open(dir)) {
      ShardStore s = ShardStore.open(db, SHARD);
      assertEquals(3, s.promisedEpoch());
      assertEquals("a", s.promisedTo());
      assertEquals(1, s.firstIndex());
      assertEquals(3, s.lastIndex());
      assertEquals(3, s.epochAt(3));
      assertEquals(new LogEntry(3, 3, new LogEntry.NoOp()), s.entry(3));
      assertEquals(write(2, 3, "k1", "v1"), s.entries(2, 3, 10).get(0));
      assertEquals(2, s.appliedIndex());
      assertEquals(3, s.commitIndex());
      assertEquals(List.of("a", "b", "c"), s.appliedConfig(), "from the bootstrap entry, applied");
      assertArrayEquals(b("v1"), s.get(b("k1")));
    }
  }

  @Test
  void applyingADeleteRemovesTheUserKeyAndScansSeeOnlyUserKeysWithoutThePrefix() {
    try (Strata db = Strata.open(dir)) {
      ShardStore s = ShardStore.open(db, SHARD);
      Replica.bootstrap(s, List.of("a"));
      WriteBatch batch = new WriteBatch().put(b("a"), b("1")).put(b("b"), b("2")).put(b("c"), b("3"));
      s.append(List.of(new LogEntry(2, 1, new LogEntry.Write(BatchCodec.encode(batch))),
          new LogEntry(3, 1, new LogEntry.Write(BatchCodec.encode(new WriteBatch().delete(b("b")))))));
      s.apply(s.entry(2), 3);
      s.apply(s.entry(3), 3);
      assertNull(s.get(b("b")));
      assertEquals(List.of("a=1", "c=3"), scan(s, Bound.unbounded(), Bound.unbounded()));
      assertEquals(List.of("c=3"), scan(s, Bound.excluded(b("a")), Bound.unbounded()));
      assertEquals(List.of("a=1"), scan(s, Bound.unbounded(), Bound.excluded(b("c"))));
    }
  }

  private static List<String> scan(ShardStore s, Bound lower, Bound upper) {
    List<String> out = new ArrayList<>();
    try (StrataIterator it = s.scan(lower, upper)) {
      for (; it.isValid(); it.next()) {
        out.add(new String(it.key(), StandardCharsets.UTF_8) + "=" + new String(it.value(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  @Test
  void truncatingThePrefixKeepsTheEpochOfTheLastDroppedEntry() {
    try (Strata db = Strata.open(dir)) {
      ShardStore s = ShardStore.open(db, SHARD);
      Replica.bootstrap(s, List.of("a"));
      s.append(List.of(write(2, 4, "k", "x"), write(3, 5, "k", "y")));
      s.apply(s.entry(2), 2);
      assertThrows(IllegalArgumentException.class, () -> s.truncatePrefix(3), "entry 3 is not applied");
      s.truncatePrefix(2);
      assertEquals(3, s.firstIndex());
      assertEquals(4, s.epochAt(2));
      assertThrows(IllegalArgumentException.class, () -> s.entry(2));
    }
    try (Strata db = Strata.open(dir)) {
      ShardStore s = ShardStore.open(db, SHARD);
      assertEquals(3, s.firstIndex());
      assertEquals(4, s.epochAt(2));
      assertEquals(write(3, 5, "k", "y"), s.entry(3));
    }
  }

  @Test
  void aStoreOfAnotherShardCountOrKeyspaceIsRefused() {
    try (Strata db = Strata.open(dir)) {
      ShardStore.open(db, SHARD);
    }
    try (Strata db = Strata.open(dir)) {
      IllegalStateException shards = assertThrows(IllegalStateException.class,
          () -> ShardStore.open(db, new ShardStore.Identity("users", 16, 3)));
      assertTrue(shards.getMessage().contains("shard 3 of 8 of keyspace 'users', not shard 3 of 16"), shards.getMessage());
      IllegalStateException keyspace = assertThrows(IllegalStateException.class,
          () -> ShardStore.open(db, new ShardStore.Identity("orders", 8, 3)));
      assertTrue(keyspace.getMessage().contains("keyspace 'orders'"), keyspace.getMessage());
    }
  }

  @Test
  void aStoreThatHoldsOtherDataIsNotTakenForAnEmptyShard() {
    try (Strata db = Strata.open(dir)) {
      db.put(b("someone else's key"), b("value"));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> ShardStore.open(db, SHARD));
      assertTrue(e.getMessage().contains("no shard identity"), e.getMessage());
    }
  }

  @Test
  void aLayoutVersionThisBuildDoesNotKnowIsRefused() {
    try (Strata db = Strata.open(dir)) {
      ByteBuilder r = new ByteBuilder().putByte(1).putVarint32(2).putVarint32(8).putVarint32(3).putVarint32(5)
          .putBytes(b("users"));
      r.putIntLE(Crc32c.maskedOf(r.array(), 0, r.size()));
      db.put(new byte[] {0, 1}, r.toByteArray());
      StrataException e = assertThrows(StrataException.class, () -> ShardStore.open(db, SHARD));
      assertTrue(e.getMessage().contains("layout version 2; this build reads version 1"), e.getMessage());
    }
  }

  @Test
  void aDamagedLogRecordFailsItsChecksum() {
    try (Strata db = Strata.open(dir)) {
      ShardStore s = ShardStore.open(db, SHARD);
      Replica.bootstrap(s, List.of("a"));
      s.append(List.of(write(2, 1, "k", "v")));
      byte[] key = ByteBuffer.allocate(9).put((byte) 1).putLong(2).array();
      byte[] value = db.get(key);
      value[value.length - 6] ^= 0x20;
      db.put(key, value);
      CorruptionException e = assertThrows(CorruptionException.class, () -> s.entry(2));
      assertTrue(e.getMessage().contains("log entry 2 record fails its checksum"), e.getMessage());
    }
  }

  /** Three replicas, each on its own Strata store, serve a write and a read, and keep them across a restart. */
  @Test
  void replicasOnShardStoresReplicateAndRecover() {
    List<String> ids = List.of("a", "b", "c");
    Map<String, Strata> dbs = new LinkedHashMap<>();
    Map<String, Replica> replicas = new LinkedHashMap<>();
    Deque<Output.Send> network = new ArrayDeque<>();
    List<Output> client = new ArrayList<>();
    try {
      for (String id : ids) {
        dbs.put(id, Strata.open(dir.resolve(id)));
        ShardStore s = ShardStore.open(dbs.get(id), SHARD);
        Replica.bootstrap(s, ids);
        replicas.put(id, Replica.open(id, s, ReplicaSettings.DEFAULTS));
      }
      route(replicas.get("a").startLeading(), network, client);
      deliver(replicas, network, client);
      route(replicas.get("a").propose(1, put("k", "v")), network, client);
      route(replicas.get("a").read(2), network, client);
      deliver(replicas, network, client);
      for (int i = 0; i < ReplicaSettings.DEFAULTS.heartbeatTicks(); i++) {
        route(replicas.get("a").tick(), network, client); // the heartbeat tells the followers the commit index
      }
      deliver(replicas, network, client);
      assertTrue(client.contains(new Output.WriteAcked(1, 3)), client.toString());
      assertTrue(client.contains(new Output.ReadReady(2)), client.toString());
      for (String id : ids) {
        dbs.get(id).close();
        dbs.put(id, Strata.open(dir.resolve(id)));
        ShardStore s = ShardStore.open(dbs.get(id), SHARD);
        assertArrayEquals(b("v"), s.get(b("k")), "replica " + id);
        replicas.put(id, Replica.open(id, s, ReplicaSettings.DEFAULTS));
      }
      route(replicas.get("b").startLeading(), network, client);
      deliver(replicas, network, client);
      assertTrue(replicas.get("b").isServing());
      assertEquals(2, replicas.get("b").leaderEpoch());
    } finally {
      dbs.values().forEach(Strata::close);
    }
  }

  private static void route(List<Output> out, Deque<Output.Send> network, List<Output> client) {
    for (Output o : out) {
      if (o instanceof Output.Send s) {
        network.add(s);
      } else {
        client.add(o);
      }
    }
  }

  private static void deliver(Map<String, Replica> replicas, Deque<Output.Send> network, List<Output> client) {
    while (!network.isEmpty()) {
      Output.Send s = network.poll();
      route(replicas.get(s.to()).receive(s.message()), network, client);
    }
  }
}
