package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The child-JVM cluster harness: nodes start on their ports and form a cluster with the client in
 * this JVM; a node killed with SIGKILL is downed by the Split Brain Resolver and leaves the
 * others' view; started again on its port and data directory, it joins again.
 */
class LocalClusterTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void nodesFormAClusterAndAKilledNodeIsDownedAndRejoinsWhenStartedAgain() throws Exception {
    try (LocalCluster cluster = new LocalCluster(dir, 3, "", LocalCluster.smallJvm())) {
      long start = System.nanoTime();
      cluster.startAll();
      cluster.awaitAllMembers(false, TIMEOUT);
      System.out.printf("3 nodes up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
      ActorSystem<Void> client = ActorSystem.create(Behaviors.empty(), LocalCluster.SYSTEM_NAME,
          ConfigFactory.load(ConfigFactory.parseString(cluster.clientConfig())));
      try {
        cluster.awaitAllMembers(true, TIMEOUT);
        assertTrue(Files.isDirectory(cluster.dataDirectory(2)), "each node has its own data directory");

        start = System.nanoTime();
        cluster.kill(1);
        assertFalse(cluster.running(1));
        cluster.awaitMembers(new TreeSet<>(java.util.List.of(0, 2)), true, TIMEOUT);
        System.out.printf("a killed node downed in %d ms%n", (System.nanoTime() - start) / 1_000_000);

        start = System.nanoTime();
        cluster.start(1);
        cluster.awaitAllMembers(true, TIMEOUT);
        System.out.printf("and back in %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertThrows(IllegalStateException.class, () -> cluster.start(1), "a running node cannot start twice");
      } finally {
        client.terminate();
        client.getWhenTerminated().toCompletableFuture().join();
      }
    }
  }
}
