package dev.strata.cluster.sharding;

import akka.actor.typed.ActorRef;
import java.util.List;
import java.util.Objects;

/**
 * Messages between a keyspace's placement coordinator ({@link PlacementCoordinator}, a cluster
 * singleton), the replica host of every node ({@link ReplicaHost}) and the shard entities. They
 * cross the network: {@link ClusterProtocolSerializer} writes them.
 */
public final class PlacementProtocol {
  private PlacementProtocol() {}

  /** Where is shard {@code shard} placed? Answered with a {@link Location} once it is placed. */
  public record Locate(int shard, ActorRef<Location> replyTo) implements PlacementCoordinator.Command {
    public Locate {
      Objects.requireNonNull(replyTo);
    }
  }

  /** Shard {@code shard} is placed on the node of address {@code address} (Akka's address string). */
  public record Location(int shard, String address) {
    public Location {
      Objects.requireNonNull(address);
    }
  }

  /** Which shards does this node hold on disk? Answered with {@link Holdings}. */
  public record ListHoldings(ActorRef<Holdings> replyTo) implements ReplicaHost.Command {
    public ListHoldings {
      Objects.requireNonNull(replyTo);
    }
  }

  /** The node of {@code address} holds stores of {@code shards}. */
  public record Holdings(String address, List<Integer> shards) {
    public Holdings {
      Objects.requireNonNull(address);
      shards = List.copyOf(shards);
    }
  }
}
