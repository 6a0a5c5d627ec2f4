package dev.strata.cluster.sharding;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.StashBuffer;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.WriteBatch;
import dev.strata.akka.StrataExtension;
import dev.strata.akka.stream.KeyValue;
import dev.strata.cluster.sharding.PlacementProtocol.Locate;
import dev.strata.cluster.sharding.PlacementProtocol.Location;
import dev.strata.cluster.sharding.ShardProtocol.Command;
import dev.strata.cluster.sharding.ShardProtocol.Failure;
import dev.strata.cluster.sharding.ShardProtocol.Get;
import dev.strata.cluster.sharding.ShardProtocol.Page;
import dev.strata.cluster.sharding.ShardProtocol.ScanPage;
import dev.strata.cluster.sharding.ShardProtocol.Value;
import dev.strata.cluster.sharding.ShardProtocol.Write;
import dev.strata.cluster.sharding.ShardProtocol.Written;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The leader of one shard of a keyspace: the sharded entity (entity id = shard number) that owns
 * the shard's store on this node, {@code <data-dir>/<keyspace>/<shard>}, and serves every read and
 * write of the shard.
 *
 * <p>Before it opens the store it asks the placement coordinator where the shard belongs. Cluster
 * Sharding starts the entity wherever the allocation strategy says, and
 * {@code ExternalShardAllocationStrategy} falls back to the requesting node when the shard's
 * placed node is not a member (it is down): serving there would answer from an empty store and
 * lose the writes when the shard's node comes back. So an entity started on a node the
 * coordinator did not place it on opens nothing; it fails the requests, naming the node, and
 * stops after a while to ask again.
 *
 * <p>Runs on {@code strata.cluster.dispatcher}: opening a store, reads and scans do file work.
 * Writes go through {@link Strata#writeAsync}, which replies when the store acknowledges. Used by
 * its actor only.
 */
public final class ShardEntity extends AbstractBehavior<Command> {
  /** The dispatcher the entities run on (strata.cluster.dispatcher in reference.conf). */
  public static final DispatcherSelector DISPATCHER = DispatcherSelector.fromConfig("strata.cluster.dispatcher");

  /** Messages the entity sends itself. */
  sealed interface Internal extends Command {}

  private record Located(Location location) implements Internal {}

  private record LocateFailed(Throwable cause) implements Internal {}

  private record Opened(Strata store) implements Internal {}

  private record OpenFailed(Throwable cause) implements Internal {}

  private enum Retry implements Internal { INSTANCE }

  private final KeyspaceSettings settings;
  private final int shard;
  private final String selfAddress;
  private final StashBuffer<Command> stash;
  /** Null until opened; then the store this entity alone writes. */
  private Strata store;
  /** Why this entity does not serve, once it knows it must not. */
  private String refusal;

  private ShardEntity(ActorContext<Command> context, StashBuffer<Command> stash, KeyspaceSettings settings, int shard,
      String selfAddress, ActorRef<PlacementCoordinator.Command> coordinator) {
    super(context);
    this.settings = settings;
    this.shard = shard;
    this.selfAddress = selfAddress;
    this.stash = stash;
    context.ask(Location.class, coordinator, settings.askTimeout(), replyTo -> new Locate(shard, replyTo),
        (location, failure) -> location != null ? new Located(location) : new LocateFailed(failure));
  }

  /** The entity of shard {@code shard}; {@code selfAddress} is this node's address string. */
  public static Behavior<Command> create(KeyspaceSettings settings, int shard, String selfAddress,
      ActorRef<PlacementCoordinator.Command> coordinator) {
    return Behaviors.withStash(10_000, stash -> Behaviors.setup(
        context -> new ShardEntity(context, stash, settings, shard, selfAddress, coordinator)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Located.class, this::onLocated)
        .onMessage(LocateFailed.class, m -> refuse("its placement is not known yet (" + m.cause().getMessage() + ")"))
        .onMessage(Opened.class, this::onOpened)
        .onMessage(OpenFailed.class, m -> refuse("its store failed to open: " + m.cause()))
        .onMessageEquals(Retry.INSTANCE, Behaviors::stopped)
        .onMessage(Write.class, this::onWrite)
        .onMessage(Get.class, this::onGet)
        .onMessage(ScanPage.class, this::onScanPage)
        .onSignal(PostStop.class, s -> closeStore())
        .build();
  }

  private Behavior<Command> onLocated(Located m) {
    if (!m.location().address().equals(selfAddress)) {
      return refuse("it is placed on " + m.location().address() + ", which does not serve it now (down or moving)");
    }
    var system = getContext().getSystem();
    var self = getContext().getSelf();
    CompletableFuture.supplyAsync(() -> {
      Strata opened = StrataExtension.get(system).open(settings.shardDirectory(shard), settings.storeOptions());
      try {
        ShardStoreLayout.recordOrCheckShard(opened, settings.name(), settings.shards(), shard);
      } catch (RuntimeException e) {
        opened.close();
        throw e;
      }
      return opened;
    }, system.dispatchers().lookup(DISPATCHER)).whenComplete((opened, failure) ->
        self.tell(failure == null ? new Opened(opened) : new OpenFailed(failure)));
    return this;
  }

  private Behavior<Command> onOpened(Opened m) {
    store = m.store();
    getContext().getLog().debug("keyspace '{}' shard {}: serving from {}", settings.name(), shard, store.directory());
    return stash.unstashAll(this);
  }

  /** From now on every request fails with {@code why}; the entity stops after an ask timeout to try again. */
  private Behavior<Command> refuse(String why) {
    refusal = "keyspace '" + settings.name() + "' shard " + shard + " is not served on " + selfAddress + ": " + why;
    getContext().getLog().warn(refusal);
    getContext().scheduleOnce(settings.askTimeout(), getContext().getSelf(), Retry.INSTANCE);
    return stash.unstashAll(this);
  }

  /** True when the message was answered or stashed because the store is not ready. */
  private boolean notServing(Command command, ActorRef<ShardProtocol.Reply> replyTo) {
    if (refusal != null) {
      replyTo.tell(new Failure(refusal, true));
      return true;
    }
    if (store == null) {
      if (stash.isFull()) {
        replyTo.tell(new Failure("keyspace '" + settings.name() + "' shard " + shard + " is opening and has "
            + stash.size() + " requests waiting already", true));
      } else {
        stash.stash(command);
      }
      return true;
    }
    return false;
  }

  private Behavior<Command> onWrite(Write m) {
    if (notServing(m, m.replyTo())) {
      return this;
    }
    WriteBatch batch = new WriteBatch();
    for (KeyValue op : m.ops()) {
      if (op.isDelete()) {
        batch.delete(ShardStoreLayout.dataKey(op.key()));
      } else {
        batch.put(ShardStoreLayout.dataKey(op.key()), op.value());
      }
    }
    try {
      store.writeAsync(batch).whenComplete((done, failure) ->
          m.replyTo().tell(failure == null ? Written.INSTANCE : new Failure(describe(failure), false)));
    } catch (RuntimeException e) {
      m.replyTo().tell(new Failure(describe(e), false));
    }
    return this;
  }

  private Behavior<Command> onGet(Get m) {
    if (notServing(m, m.replyTo())) {
      return this;
    }
    try {
      m.replyTo().tell(new Value(store.get(ShardStoreLayout.dataKey(m.key()))));
    } catch (RuntimeException e) {
      m.replyTo().tell(new Failure(describe(e), false));
    }
    return this;
  }

  private Behavior<Command> onScanPage(ScanPage m) {
    if (notServing(m, m.replyTo())) {
      return this;
    }
    try (Snapshot snapshot = store.snapshot();
        StrataIterator it = snapshot.scan(ShardStoreLayout.dataLower(m.lower()), ShardStoreLayout.dataUpper(m.upper()))) {
      List<KeyValue> entries = new ArrayList<>(Math.min(m.limit(), 1024));
      while (it.isValid() && entries.size() < m.limit()) {
        entries.add(KeyValue.put(ShardStoreLayout.userKey(it.key()), it.value()));
        it.next();
      }
      m.replyTo().tell(new Page(entries, !it.isValid()));
    } catch (RuntimeException e) {
      m.replyTo().tell(new Failure(describe(e), false));
    }
    return this;
  }

  private String describe(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return "keyspace '" + settings.name() + "' shard " + shard + " on " + selfAddress + ": " + cause;
  }

  private Behavior<Command> closeStore() {
    if (store != null && !store.isClosed()) {
      store.close();
    }
    return this;
  }
}
