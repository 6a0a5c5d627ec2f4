package dev.strata.cluster.sharding;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.WriteBatch;
import dev.strata.akka.StrataExtension;
import dev.strata.akka.stream.KeyValue;
import dev.strata.cluster.replication.Message;
import dev.strata.cluster.replication.Output;
import dev.strata.cluster.replication.Replica;
import dev.strata.cluster.replication.ShardStore;
import dev.strata.cluster.sharding.ShardProtocol.Failure;
import dev.strata.cluster.sharding.ShardProtocol.Get;
import dev.strata.cluster.sharding.ShardProtocol.Page;
import dev.strata.cluster.sharding.ShardProtocol.Reply;
import dev.strata.cluster.sharding.ShardProtocol.ScanPage;
import dev.strata.cluster.sharding.ShardProtocol.Value;
import dev.strata.cluster.sharding.ShardProtocol.Write;
import dev.strata.cluster.sharding.ShardProtocol.Written;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * This node's replica of one shard, as its {@link ReplicaHost} drives it: the shard's Strata
 * store, the replication layer's {@link ShardStore} inside it, and the {@link Replica} state
 * machine, whose outputs it carries out: protocol messages go to the other nodes' hosts, and the
 * acknowledgements, failures and reads that become ready answer the clients' requests waiting
 * here. Not thread-safe: used by its host's actor only.
 */
final class ShardReplica {
  /** Sends a protocol message of a shard to the replica on another node. */
  interface Sender {
    void send(int shard, String to, Message message);
  }

  /** Has replica {@code target} of a shard brought up to date from a checkpoint of replica {@code source}. */
  interface CheckpointRequester {
    void checkpointNeeded(int shard, String source, String target);
  }

  private final KeyspaceSettings settings;
  private final int shard;
  private final String self;
  private final Strata store;
  private final ShardStore shardStore;
  private final Sender sender;
  private final CheckpointRequester checkpoints;
  private final Logger log;
  private final Map<Long, ShardProtocol.Command> waiting = new HashMap<>();
  /** Replica-set changes waiting for their entry to commit, by request id (the same numbering as {@link #waiting}). */
  private final Map<Long, ActorRef<PlacementProtocol.ReplicasChanged>> changes = new HashMap<>();
  private Replica replica;
  /** This node's entity of the shard runs: the replica should lead. */
  private boolean leadWanted;
  private long nextRequest = 1;

  private ShardReplica(KeyspaceSettings settings, int shard, String self, Strata store, ShardStore shardStore,
      Sender sender, CheckpointRequester checkpoints, Logger log) {
    this.settings = settings;
    this.checkpoints = checkpoints;
    this.shard = shard;
    this.self = self;
    this.store = store;
    this.shardStore = shardStore;
    this.sender = sender;
    this.log = log;
    this.replica = Replica.open(self, shardStore, settings.replicaSettings());
  }

  /** Opens (creating it if new) this node's store of {@code shard} and its replica. */
  static ShardReplica open(ActorSystem<?> system, KeyspaceSettings settings, int shard, String self, Sender sender,
      CheckpointRequester checkpoints, Logger log) {
    Strata store = StrataExtension.get(system).open(settings.shardDirectory(shard), settings.storeOptions());
    try {
      ShardStore shardStore = ShardStore.open(store, new ShardStore.Identity(settings.name(), settings.shards(), shard));
      return new ShardReplica(settings, shard, self, store, shardStore, sender, checkpoints, log);
    } catch (RuntimeException e) {
      ReplicaHost.closeQuietly(store);
      throw e;
    }
  }

  /**
   * Leads the shard: a replica with an empty log (a new shard) first gets its initial replica
   * set, {@code members}, the same on every replica that ever starts from nothing.
   */
  void startLeading(List<String> members) {
    leadWanted = true;
    if (shardStore.lastIndex() == 0 && shardStore.appliedIndex() == 0) {
      Replica.bootstrap(shardStore, members);
      replica = Replica.open(self, shardStore, settings.replicaSettings());
    }
    if (!replica.isLeading()) {
      run(replica.startLeading());
    }
  }

  void stopLeading() {
    leadWanted = false;
    run(replica.stopLeading());
  }

  void tick() {
    run(replica.tick());
  }

  void receive(Message message) {
    run(replica.receive(message));
  }

  /** A client's request, from this node's leader entity. */
  void serve(ShardProtocol.Command request) {
    if (!leadWanted) {
      replyTo(request).tell(new Failure("keyspace '" + settings.name() + "' shard " + shard + " is not led on "
          + self, true));
      return;
    }
    if (!replica.isLeading()) {
      // A later epoch deposed this leader, yet Sharding still runs its entity here: take the lead back.
      run(replica.startLeading());
    }
    long id = nextRequest++;
    waiting.put(id, request);
    try {
      if (request instanceof Write w) {
        WriteBatch batch = new WriteBatch();
        for (KeyValue op : w.ops()) {
          if (op.isDelete()) {
            batch.delete(op.key());
          } else {
            batch.put(op.key(), op.value());
          }
        }
        run(replica.propose(id, batch));
      } else {
        run(replica.read(id));
      }
    } catch (IllegalArgumentException e) {
      waiting.remove(id);
      replyTo(request).tell(new Failure(describe(e.getMessage()), false));
    }
  }

  /**
   * Changes the shard's replica set to {@code members} (the placement coordinator moving a
   * replica): answered once the change committed. A set already in force is answered at once,
   * as done when committed, as not yet otherwise (the coordinator asks again).
   */
  void changeReplicas(List<String> members, ActorRef<PlacementProtocol.ReplicasChanged> replyTo) {
    List<String> target = new java.util.TreeSet<>(members).stream().toList();
    if (replica.config().equals(target)) {
      boolean committed = shardStore.appliedConfig().equals(target);
      replyTo.tell(new PlacementProtocol.ReplicasChanged(shard, committed, committed ? ""
          : describe("the replica set " + target + " is not committed yet")));
      return;
    }
    if (!leadWanted || !replica.isServing()) {
      replyTo.tell(new PlacementProtocol.ReplicasChanged(shard, false, describe("not serving as leader here")));
      return;
    }
    long id = nextRequest++;
    changes.put(id, replyTo);
    try {
      run(replica.changeConfig(id, target));
    } catch (IllegalArgumentException e) {
      changes.remove(id);
      replyTo.tell(new PlacementProtocol.ReplicasChanged(shard, false, describe(e.getMessage())));
    }
  }

  private void run(List<Output> outputs) {
    for (Output output : outputs) {
      if (output instanceof Output.Send send) {
        sender.send(shard, send.to(), send.message());
      } else if (output instanceof Output.WriteAcked acked) {
        answer(acked.requestId(), Written.INSTANCE);
      } else if (output instanceof Output.ReadReady ready) {
        ShardProtocol.Command request = waiting.get(ready.requestId());
        if (request != null) {
          answer(ready.requestId(), read(request));
        }
      } else if (output instanceof Output.RequestFailed failed) {
        String why = failed.outcomeUnknown() ? failed.reason() + " (the write may or may not be applied)"
            : failed.reason();
        answer(failed.requestId(), new Failure(describe(why + (failed.leaderHint() == null ? ""
            : "; the last known leader is " + failed.leaderHint())), !failed.outcomeUnknown()));
      } else if (output instanceof Output.CheckpointNeeded needed) {
        checkpoints.checkpointNeeded(shard, needed.source(), needed.target());
      } else if (output instanceof Output.Serving serving) {
        log.debug("keyspace '{}' shard {}: {} leads epoch {}", settings.name(), shard, self, serving.epoch());
      } else if (output instanceof Output.SteppedDown down) {
        log.info("keyspace '{}' shard {}: {} stopped leading epoch {}: {}", settings.name(), shard, self,
            down.epoch(), down.reason());
      }
    }
  }

  /** {@code key} as this replica has applied it, leader or not: a follower read. */
  Reply readLocally(byte[] key) {
    try {
      return new Value(shardStore.get(key));
    } catch (RuntimeException e) {
      return new Failure(describe(e.toString()), false);
    }
  }

  private Reply read(ShardProtocol.Command request) {
    try {
      if (request instanceof Get get) {
        return new Value(shardStore.get(get.key()));
      }
      ScanPage page = (ScanPage) request;
      List<KeyValue> entries = new ArrayList<>(Math.min(page.limit(), 1024));
      try (StrataIterator it = shardStore.scan(page.lower(), page.upper())) {
        while (it.isValid() && entries.size() < page.limit()) {
          entries.add(KeyValue.put(it.key(), it.value()));
          it.next();
        }
        return new Page(entries, !it.isValid());
      }
    } catch (RuntimeException e) {
      return new Failure(describe(e.toString()), false);
    }
  }

  private void answer(long requestId, Reply reply) {
    ActorRef<PlacementProtocol.ReplicasChanged> change = changes.remove(requestId);
    if (change != null) {
      change.tell(new PlacementProtocol.ReplicasChanged(shard, reply == Written.INSTANCE,
          reply instanceof Failure f ? f.message() : ""));
      return;
    }
    ShardProtocol.Command request = waiting.remove(requestId);
    if (request != null) {
      replyTo(request).tell(reply);
    }
  }

  static ActorRef<Reply> replyTo(ShardProtocol.Command request) {
    if (request instanceof Write w) {
      return w.replyTo();
    } else if (request instanceof Get g) {
      return g.replyTo();
    } else if (request instanceof ScanPage s) {
      return s.replyTo();
    }
    throw new IllegalArgumentException("not a client request: " + request);
  }

  private String describe(String why) {
    return "keyspace '" + settings.name() + "' shard " + shard + " on " + self + ": " + why;
  }

  /** Whether this node's entity of the shard runs (the replica should lead). */
  boolean leadWanted() {
    return leadWanted;
  }

  Strata store() {
    return store;
  }

  ShardStore shardStore() {
    return shardStore;
  }

  /** What the shard map shows of this replica. */
  Replica replica() {
    return replica;
  }

  long appliedIndex() {
    return shardStore.appliedIndex();
  }

  void close() {
    for (ShardProtocol.Command request : waiting.values()) {
      replyTo(request).tell(new Failure(describe("the node is stopping"), false));
    }
    waiting.clear();
    changes.values().forEach(c -> c.tell(new PlacementProtocol.ReplicasChanged(shard, false,
        describe("the node is stopping"))));
    changes.clear();
    if (!store.isClosed()) {
      store.close();
    }
  }
}
