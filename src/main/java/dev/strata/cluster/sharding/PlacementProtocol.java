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

  /** The node of {@code address} holds stores of {@code shards}, in shard order. */
  public record Holdings(String address, List<HeldShard> shards) {
    public Holdings {
      Objects.requireNonNull(address);
      shards = List.copyOf(shards);
    }
  }

  /**
   * One shard store a node holds, as its replica sees itself: {@code members}, the replica set in
   * force in its log (the newest configuration, committed or not), {@code committedMembers}, the
   * newest one it knows committed, and its log's last entry ({@code lastEpoch}, {@code lastIndex}).
   * Both lists are empty for a store that has not received its shard's first entry yet.
   */
  public record HeldShard(int shard, List<String> members, List<String> committedMembers, long lastEpoch,
      long lastIndex) {
    public HeldShard {
      members = List.copyOf(members);
      committedMembers = List.copyOf(committedMembers);
    }

    /** Whether this replica's log is more up to date than {@code other}'s (Raft's comparison). */
    public boolean newerThan(HeldShard other) {
      return lastEpoch != other.lastEpoch ? lastEpoch > other.lastEpoch : lastIndex > other.lastIndex;
    }
  }

  /**
   * Change shard {@code shard}'s replica set to {@code members} (one replica more or fewer than
   * now), sent to the host of the node leading it. Answered with {@link ReplicasChanged} once the
   * change committed, or failed; a set already in force and committed is answered as done.
   */
  public record ChangeReplicas(int shard, List<String> members, ActorRef<ReplicasChanged> replyTo)
      implements ReplicaHost.Command {
    public ChangeReplicas {
      members = List.copyOf(members);
      Objects.requireNonNull(replyTo);
    }
  }

  /** The answer to {@link ChangeReplicas}: {@code done}, or not and {@code reason} says why (nothing committed). */
  public record ReplicasChanged(int shard, boolean done, String reason) {
    public ReplicasChanged {
      Objects.requireNonNull(reason);
    }
  }

  /**
   * This node's replica of {@code shard} was removed from the shard's replica set (committed):
   * close it and delete its store. Answered with {@link Dropped}.
   */
  public record DropReplica(int shard, ActorRef<Dropped> replyTo) implements ReplicaHost.Command {
    public DropReplica {
      Objects.requireNonNull(replyTo);
    }
  }

  /** The answer to {@link DropReplica}: {@code done} (the store is gone), or not and {@code reason} says why. */
  public record Dropped(int shard, boolean done, String reason) {
    public Dropped {
      Objects.requireNonNull(reason);
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

  /**
   * Balance the replicas, then the leaders, over the live nodes. Answered with {@link Rebalanced}
   * once decided (the replica moves then run in the background).
   */
  public record Rebalance(ActorRef<Rebalanced> replyTo) implements PlacementCoordinator.Command {
    public Rebalance {
      Objects.requireNonNull(replyTo);
    }
  }

  /**
   * Move every replica off node {@code address} (its Akka address string), and keep it holding
   * none. Answered at once with {@link Draining}; asked again until that says none remain.
   */
  public record Drain(String address, ActorRef<Draining> replyTo) implements PlacementCoordinator.Command {
    public Drain {
      Objects.requireNonNull(address);
      Objects.requireNonNull(replyTo);
    }
  }

  /** Node {@code address} still holds, or is still moving away, replicas of {@code remaining} shards. */
  public record Draining(String address, int remaining) {
    public Draining {
      Objects.requireNonNull(address);
    }
  }

  /**
   * {@code replicaMoves} replicas are to move to other nodes (each a move of its own, a bounded
   * number at a time, leaders balanced again once they are done), and {@code leadersMoved} shards
   * got another leader at once.
   */
  public record Rebalanced(int replicaMoves, int leadersMoved) {}
}
