package dev.strata.cluster.sharding;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import dev.strata.Bound;
import dev.strata.akka.stream.KeyValue;
import dev.strata.cluster.replication.LogEntry;
import dev.strata.cluster.replication.Message;
import java.io.NotSerializableException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every cluster message goes through Strata's binary serializer and comes back equal. */
class ClusterProtocolSerializerTest {
  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(com.typesafe.config.ConfigFactory.parseString(
        "include classpath(\"dev/strata/cluster/serialization.conf\")").withFallback(
        com.typesafe.config.ConfigFactory.load()));
    serialization = SerializationExtension.get(testKit.system().classicSystem());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Object roundTrip(Object message) {
    var serializer = serialization.findSerializerFor(message);
    assertInstanceOf(ClusterProtocolSerializer.class, serializer, message.getClass() + " is bound to " + serializer);
    byte[] bytes = serializer.toBinary(message);
    assertEquals(2, bytes[0], "a version byte first");
    return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message)).get();
  }

  @Test
  void requestsKeepTheirFieldsAndReplyTo() {
    TestProbe<ShardProtocol.Reply> probe = testKit.createTestProbe();
    var write = new ShardProtocol.Write(List.of(KeyValue.put(b("k"), b("")), KeyValue.delete(b("d"))), probe.ref());
    assertEquals(write.ops(), ((ShardProtocol.Write) roundTrip(write)).ops());
    assertEquals(probe.ref(), ((ShardProtocol.Write) roundTrip(write)).replyTo());
    var get = (ShardProtocol.Get) roundTrip(new ShardProtocol.Get(b("key"), probe.ref()));
    assertArrayEquals(b("key"), get.key());
    var scan = (ShardProtocol.ScanPage) roundTrip(
        new ShardProtocol.ScanPage(Bound.excluded(b("a")), Bound.unbounded(), 17, probe.ref()));
    assertEquals(Bound.excluded(b("a")), scan.lower());
    assertEquals(Bound.unbounded(), scan.upper());
    assertEquals(17, scan.limit());
    assertEquals(Bound.included(b("z")), ((ShardProtocol.ScanPage) roundTrip(
        new ShardProtocol.ScanPage(Bound.unbounded(), Bound.included(b("z")), 1, probe.ref()))).upper());
  }

  @Test
  void repliesKeepTheirFields() {
    assertEquals(ShardProtocol.Written.INSTANCE, roundTrip(ShardProtocol.Written.INSTANCE));
    assertArrayEquals(b("v"), ((ShardProtocol.Value) roundTrip(new ShardProtocol.Value(b("v")))).value());
    assertNull(((ShardProtocol.Value) roundTrip(new ShardProtocol.Value(null))).value(), "absent stays absent");
    var page = new ShardProtocol.Page(List.of(KeyValue.put(b("a"), b("1"))), false);
    assertEquals(page, roundTrip(page));
    assertEquals(new ShardProtocol.Failure("why", true), roundTrip(new ShardProtocol.Failure("why", true)));
  }

  @Test
  void placementMessagesKeepTheirFields() {
    TestProbe<PlacementProtocol.Location> location = testKit.createTestProbe();
    var locate = (PlacementProtocol.Locate) roundTrip(new PlacementProtocol.Locate(5, "akka://s@h:2", location.ref()));
    assertEquals(5, locate.shard());
    assertEquals(location.ref(), locate.replyTo());
    var location5 = new PlacementProtocol.Location(5, "akka://s@h:1", List.of("akka://s@h:1", "akka://s@h:2"));
    assertEquals(location5, roundTrip(location5));
    TestProbe<PlacementProtocol.Holdings> holdings = testKit.createTestProbe();
    assertEquals(holdings.ref(), ((PlacementProtocol.ListHoldings) roundTrip(
        new PlacementProtocol.ListHoldings(holdings.ref()))).replyTo());
    var holdingsOf = new PlacementProtocol.Holdings("akka://s@h:1", List.of(
        new PlacementProtocol.HeldShard(0, List.of("akka://s@h:1", "akka://s@h:2"), List.of("akka://s@h:1"), 3, 41),
        new PlacementProtocol.HeldShard(7, List.of(), List.of(), 0, 0)));
    assertEquals(holdingsOf, roundTrip(holdingsOf));
  }

  @Test
  void replicaMoveMessagesKeepTheirFields() {
    TestProbe<PlacementProtocol.ReplicasChanged> changed = testKit.createTestProbe();
    var change = (PlacementProtocol.ChangeReplicas) roundTrip(new PlacementProtocol.ChangeReplicas(3,
        List.of("akka://s@h:1", "akka://s@h:4"), changed.ref()));
    assertEquals(List.of("akka://s@h:1", "akka://s@h:4"), change.members());
    assertEquals(3, change.shard());
    assertEquals(changed.ref(), change.replyTo());
    assertEquals(new PlacementProtocol.ReplicasChanged(3, false, "not serving"),
        roundTrip(new PlacementProtocol.ReplicasChanged(3, false, "not serving")));
    TestProbe<PlacementProtocol.Dropped> dropped = testKit.createTestProbe();
    var drop = (PlacementProtocol.DropReplica) roundTrip(new PlacementProtocol.DropReplica(9, dropped.ref()));
    assertEquals(9, drop.shard());
    assertEquals(dropped.ref(), drop.replyTo());
    assertEquals(new PlacementProtocol.Dropped(9, true, ""), roundTrip(new PlacementProtocol.Dropped(9, true, "")));
    assertEquals(new PlacementProtocol.Rebalanced(4, 2), roundTrip(new PlacementProtocol.Rebalanced(4, 2)));
    TestProbe<PlacementProtocol.Draining> draining = testKit.createTestProbe();
    var drain = (PlacementProtocol.Drain) roundTrip(new PlacementProtocol.Drain("akka://s@h:3", draining.ref()));
    assertEquals("akka://s@h:3", drain.address());
    assertEquals(draining.ref(), drain.replyTo());
    assertEquals(new PlacementProtocol.Draining("akka://s@h:3", 5),
        roundTrip(new PlacementProtocol.Draining("akka://s@h:3", 5)));
    var progress = new ReplicaHost.Progress("akka://s@h:1", List.of(new ReplicaHost.ReplicaProgress(2, true, 5, 80, 79,
        java.util.Map.of("akka://s@h:2", 78L))), 3, 123_456);
    assertEquals(progress, roundTrip(progress));
  }

  @Test
  void everyReplicationMessageTravelsWhole() {
    List<LogEntry> entries = List.of(new LogEntry(1, 0, new LogEntry.Config(List.of("a", "b", "c"))),
        new LogEntry(2, 3, new LogEntry.NoOp()), new LogEntry(3, 3, new LogEntry.Write(b("batch bytes"))));
    List<Message> messages = List.of(new Message.Prepare("a", 7),
        new Message.Promise("b", 7, true, 7, 12, 6, 11),
        new Message.Append("a", 7, 0, 0, entries, 2, 9, 1),
        new Message.AppendReply("c", 7, false, 8, true, 3, 2, 9),
        new Message.Fetch("a", 7, 4, 64),
        new Message.FetchReply("b", 7, true, 7, 1, 0, entries, 3));
    for (Message message : messages) {
      var delivered = (ReplicaHost.Deliver) roundTrip(new ReplicaHost.Deliver(42, message));
      assertEquals(42, delivered.shard());
      assertEquals(message, delivered.message());
    }
  }

  @Test
  void anotherVersionOrATruncatedMessageIsRefusedClearly() {
    var serializer = (ClusterProtocolSerializer) serialization.findSerializerFor(ShardProtocol.Written.INSTANCE);
    NotSerializableException version = assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(new byte[] {1}, "w"));
    assertTrue(version.getMessage().contains("version 1"), version.getMessage());
    byte[] value = serializer.toBinary(new ShardProtocol.Value(b("value")));
    NotSerializableException truncated = assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(java.util.Arrays.copyOf(value, value.length - 2), "v"));
    assertTrue(truncated.getMessage().contains("malformed"), truncated.getMessage());
  }
}
