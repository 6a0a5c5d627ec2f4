package dev.strata.cluster.sharding;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import dev.strata.akka.stream.KeyValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A checkpoint install replaces a shard's store by two renames (store to {@code <shard>.replaced},
 * checkpoint to {@code <shard>}). A node killed between them must come back with its old replica,
 * not with a new empty store: an empty replica has forgotten its promise and every entry it
 * acknowledged, so it would help a new leader form a majority that lacks acknowledged writes.
 */
class InterruptedCheckpointInstallTest {
  @TempDir Path dir;
  private ActorTestKit testKit;
  private KeyspaceSettings settings;

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create(ConfigFactory.parseString("strata.jmx-enabled = off").withFallback(ConfigFactory.load()));
    settings = KeyspaceSettings.fromConfig("kv", ConfigFactory.parseString(
        "strata.cluster.data-directory = \"" + dir.toString().replace("\\", "/") + "\"\n"
            + "strata.cluster.keyspaces.kv { shards = 1 }").withFallback(ConfigFactory.load()));
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aNodeKilledBetweenTheInstallsRenamesReopensItsOldReplica() throws Exception {
    ShardReplica replica = ShardReplica.open(testKit.system(), settings, 0, "a", (shard, to, message) -> { },
        (shard, source, target) -> { }, LoggerFactory.getLogger("a"));
    replica.startLeading(List.of("a"));
    TestProbe<ShardProtocol.Reply> written = testKit.createTestProbe();
    replica.serve(new ShardProtocol.Write(List.of(KeyValue.put(b("k"), b("acknowledged"))), written.ref()));
    assertEquals(ShardProtocol.Written.INSTANCE, written.receiveMessage(Duration.ofSeconds(5)));
    replica.close();

    // Killed after the first rename of an install: the store is in 0.replaced, 0 is gone.
    Path shardDir = settings.shardDirectory(0);
    Files.move(shardDir, shardDir.resolveSibling("0.replaced"));

    ActorRef<ReplicaHost.Command> host = testKit.spawn(ReplicaHost.create(settings, "a"));
    host.tell(new ReplicaHost.Lead(0, List.of("a")));
    TestProbe<ShardProtocol.Reply> read = testKit.createTestProbe();
    host.tell(new ReplicaHost.LocalRead(0, b("k"), read.ref()));
    ShardProtocol.Reply reply = read.receiveMessage(Duration.ofSeconds(10));
    assertTrue(reply instanceof ShardProtocol.Value, reply.toString());
    byte[] value = ((ShardProtocol.Value) reply).value();
    String listing;
    try (var files = Files.walk(dir)) {
      listing = files.map(Path::toString).toList().toString();
    }
    assertEquals("acknowledged", value == null ? null : s(value), "the replica reopened with what it acknowledged; "
        + listing);
    assertFalse(Files.exists(shardDir.resolveSibling("0.replaced")));
    testKit.stop(host);
  }
}
