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

  /**
   * Where is shard {@code shard} led? Answered with a {@link Location} once the shards are placed.
   * {@code requester}: the address of the node whose entity asks (it leads there if the placed
   * leader is gone and it holds a replica), or "" when no entity asks.
   */
  public record Locate(int shard, String requester, ActorRef<Location> replyTo) implements PlacementCoordinator.Command {
    public Locate {
      Objects.requireNonNull(requester);
      Objects.requireNonNull(replyTo);
    }
  }

  /**
   * Shard {@code shard} is led by the node of address {@code address} (Akka's address string), and
   * {@code members} (sorted node addresses, the leader among them) hold its replicas: the replica
   * set a new shard's first leader bootstraps its log with.
   */
  public record Location(int shard, String address, List<String> members) {
    public Location {
      Objects.requireNonNull(address);
      members = List.copyOf(members);
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

  /** What is placed where? Answered with a {@link Placement} once the shards are placed. */
  public record GetPlacement(ActorRef<Placement> replyTo) implements PlacementCoordinator.Command {
    public GetPlacement {
      Objects.requireNonNull(replyTo);
    }
  }

  /** Every shard's leader and replica set ({@link Location}s in shard order). */
  public record Placement(List<Location> shards) {
    public Placement {
      shards = List.copyOf(shards);
    }
  }

  /** Balance the leaders over the live nodes. Answered with {@link Rebalanced} once decided. */
  public record Rebalance(ActorRef<Rebalanced> replyTo) implements PlacementCoordinator.Command {
    public Rebalance {
      Objects.requireNonNull(replyTo);
    }
  }

  /** {@code moved} shards got another leader. */
  public record Rebalanced(int moved) {}
}
