package dev.strata.cluster.sharding;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import dev.strata.cluster.sharding.PlacementProtocol.Holdings;
import dev.strata.cluster.sharding.PlacementProtocol.ListHoldings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A node's host of its replicas of one keyspace: registered with the Receptionist under
 * {@link #serviceKey}, it tells the placement coordinator which shards this node holds on disk
 * (the directories {@code <data-dir>/<keyspace>/<shard>} that hold a store), so that a shard's
 * leader is placed where its data is. Runs on {@code strata.cluster.dispatcher} (it lists a
 * directory). Used by its actor only.
 */
public final class ReplicaHost {
  /** What a replica host is asked. */
  public sealed interface Command permits ListHoldings {}

  private ReplicaHost() {}

  /** The Receptionist key of the replica hosts of keyspace {@code keyspace}. */
  public static ServiceKey<Command> serviceKey(String keyspace) {
    return ServiceKey.create(Command.class, "strata-replica-host-" + keyspace);
  }

  public static Behavior<Command> create(KeyspaceSettings settings, String selfAddress) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(serviceKey(settings.name()), context.getSelf()));
      return Behaviors.receiveMessage(m -> {
        if (m instanceof ListHoldings list) {
          list.replyTo().tell(new Holdings(selfAddress, heldShards(settings)));
        }
        return Behaviors.same();
      });
    });
  }

  /** The shards of which {@code <data-dir>/<keyspace>} holds a store (a directory with a CURRENT file). */
  static List<Integer> heldShards(KeyspaceSettings settings) {
    Path dir = settings.keyspaceDirectory();
    List<Integer> held = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return held;
    }
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : (Iterable<Path>) children::iterator) {
        String name = child.getFileName().toString();
        if (name.matches("[0-9]{1,5}") && Files.exists(child.resolve("CURRENT"))) {
          int shard = Integer.parseInt(name);
          if (shard < settings.shards()) {
            held.add(shard);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the shard stores of keyspace '" + settings.name() + "' in " + dir, e);
    }
    held.sort(null);
    return held;
  }
}
