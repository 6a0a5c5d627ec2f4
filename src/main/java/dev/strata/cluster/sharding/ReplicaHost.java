package dev.strata.cluster.sharding;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.stream.SourceRef;
import akka.util.ByteString;
import dev.strata.Strata;
import dev.strata.cluster.replication.Message;
import dev.strata.cluster.replication.Replica;
import dev.strata.cluster.replication.ShardStore;
import dev.strata.cluster.sharding.PlacementProtocol.Holdings;
import dev.strata.cluster.sharding.PlacementProtocol.ListHoldings;
import dev.strata.cluster.transfer.CheckpointTransfer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A node's host of its replicas of one keyspace: one per node and keyspace, registered with the
 * Receptionist under {@link #serviceKey}. It owns this node's shard stores of the keyspace
 * ({@code <data-dir>/<keyspace>/<shard>}) and the {@link ShardReplica} of each, carries the
 * replication protocol's messages between them and the other nodes' hosts, serves the requests
 * the local leader entities hand it, and tells the placement coordinator which shards this node
 * holds.
 *
 * <p>A replica opens on first use: when this node's entity starts leading it, or when a protocol
 * message for it arrives (a follower of a new shard starts with an empty log, which the leader
 * fills). Runs on {@code strata.cluster.dispatcher}: the replicas write their stores
 * synchronously. Used by its actor only.
 */
public final class ReplicaHost extends AbstractBehavior<ReplicaHost.Command> {
  /** What a replica host is asked. */
  public sealed interface Command permits ListHoldings, Deliver, Lead, Unlead, Client, GetProgress, LocalRead,
      InstallCheckpoint, PlacementProtocol.ChangeReplicas, PlacementProtocol.DropReplica, Internal {}

  /**
   * A checkpoint of another node's replica of {@code shard}, offered as a stream: this node's
   * replica lags behind what that replica's log still holds. Installed when
   * {@link Replica#mayInstallCheckpoint} allows it.
   */
  public record InstallCheckpoint(int shard, String from, SourceRef<ByteString> checkpoint) implements Command {
    public InstallCheckpoint {
      Objects.requireNonNull(from);
      Objects.requireNonNull(checkpoint);
    }
  }

  /**
   * Reads {@code key} from this node's replica of {@code shard} as it is, without the leader: a
   * {@link ShardProtocol.Value}, or a retriable {@link ShardProtocol.Failure} when this node holds
   * no replica of the shard. Local only.
   */
  public record LocalRead(int shard, byte[] key, ActorRef<ShardProtocol.Reply> replyTo) implements Command {}

  /** How far along are this node's replicas? Answered with a {@link Progress}. */
  public record GetProgress(ActorRef<Progress> replyTo) implements Command {
    public GetProgress {
      Objects.requireNonNull(replyTo);
    }
  }

  /**
   * The replicas of node {@code node}, in shard order, and the checkpoints it installed since it
   * started ({@code checkpointsInstalled}, of {@code checkpointBytes} bytes in all).
   */
  public record Progress(String node, List<ReplicaProgress> replicas, long checkpointsInstalled,
      long checkpointBytes) {
    public Progress {
      Objects.requireNonNull(node);
      replicas = List.copyOf(replicas);
    }
  }

  /**
   * One replica: whether it leads (and in which epoch), its commit and applied indexes, and, when
   * it leads, how far each follower's log is known to match its own.
   */
  public record ReplicaProgress(int shard, boolean leading, long epoch, long commitIndex, long appliedIndex,
      Map<String, Long> followerMatch) {
    public ReplicaProgress {
      followerMatch = Map.copyOf(followerMatch);
    }
  }

  /** A protocol message for this node's replica of shard {@code shard} (from another node's host). */
  public record Deliver(int shard, Message message) implements Command {
    public Deliver {
      Objects.requireNonNull(message);
    }
  }

  /**
   * This node's entity of shard {@code shard} started: lead it. {@code members} is the shard's
   * replica set, which a brand-new shard's log starts with. Local only.
   */
  public record Lead(int shard, List<String> members) implements Command {
    public Lead {
      members = List.copyOf(members);
    }
  }

  /** This node's entity of shard {@code shard} stopped: stop leading it. Local only. */
  public record Unlead(int shard) implements Command {}

  /** A client request for shard {@code shard}, from this node's leader entity. Local only. */
  public record Client(int shard, ShardProtocol.Command request) implements Command {}

  private sealed interface Internal extends Command {}

  private record PeersChanged(Set<ActorRef<Command>> peers) implements Internal {}

  private enum Tick implements Internal { INSTANCE }

  private record Offered(int shard, String target, SourceRef<ByteString> checkpoint, Throwable failure)
      implements Internal {}

  private record Received(int shard, String from, long bytes, Throwable failure) implements Internal {}

  /**
   * How long a leader waits before it offers the same follower another checkpoint of a shard while
   * the last one may still stream (one that the follower got past does not count, see {@link Offer}).
   */
  private static final Duration OFFER_AGAIN_AFTER = Duration.ofSeconds(30);

  /**
   * A checkpoint offered at {@code nanoTime}, when the leader had applied {@code applied}: the
   * checkpoint holds at least that much, so once the follower matches the log that far it has
   * installed it (or caught up without), the transfer is over, and a new need gets an offer at once.
   */
  private record Offer(long nanoTime, long applied) {}

  /** How often leading replicas get a tick: heartbeats and retransmissions follow it. */
  static final Duration TICK = Duration.ofMillis(50);

  private final KeyspaceSettings settings;
  private final String selfAddress;
  private final Map<Integer, ShardReplica> replicas = new TreeMap<>();
  /** Node address -> that node's host. */
  private final Map<String, ActorRef<Command>> peers = new HashMap<>();
  /** "shard target" -> the checkpoint this node last offered it. */
  private final Map<String, Offer> offered = new HashMap<>();
  /** Shards whose checkpoint is being received here. */
  private final Set<Integer> receiving = new java.util.HashSet<>();
  /** Shard -> when this node's replica of it was dropped (System.nanoTime), for {@link #DROPPED_GRACE}. */
  private final Map<Integer, Long> dropped = new HashMap<>();
  private long checkpointsInstalled;
  private long checkpointBytes;

  /**
   * How long protocol messages for a shard whose replica was just dropped here are ignored: the
   * messages its leader sent before the removal committed may still be in flight, and each would
   * otherwise open an empty store of the shard again. A later leader that adds this node back
   * retries its messages after that.
   */
  private static final Duration DROPPED_GRACE = Duration.ofSeconds(10);

  private ReplicaHost(ActorContext<Command> context, KeyspaceSettings settings, String selfAddress) {
    super(context);
    this.settings = settings;
    this.selfAddress = selfAddress;
    emptyTrash(settings);
    ServiceKey<Command> key = serviceKey(settings.name());
    context.getSystem().receptionist().tell(Receptionist.register(key, context.getSelf()));
    context.getSystem().receptionist().tell(Receptionist.subscribe(key,
        context.messageAdapter(Receptionist.Listing.class, l -> new PeersChanged(l.getServiceInstances(key)))));
  }

  /** The Receptionist key of the replica hosts of keyspace {@code keyspace}. */
  public static ServiceKey<Command> serviceKey(String keyspace) {
    return ServiceKey.create(Command.class, "strata-replica-host-" + keyspace);
  }

  public static Behavior<Command> create(KeyspaceSettings settings, String selfAddress) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
      return new ReplicaHost(context, settings, selfAddress);
    }));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ListHoldings.class, m -> {
          m.replyTo().tell(new Holdings(selfAddress, holdings()));
          return this;
        })
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(GetProgress.class, m -> {
          List<ReplicaProgress> progress = new ArrayList<>();
          replicas.forEach((shard, r) -> progress.add(new ReplicaProgress(shard, r.replica().isServing(),
              r.replica().leaderEpoch(), r.replica().commitIndex(), r.appliedIndex(), r.replica().followerMatch())));
          m.replyTo().tell(new Progress(selfAddress, progress, checkpointsInstalled, checkpointBytes));
          return this;
        })
        .onMessage(Lead.class, this::onLead)
        .onMessage(Unlead.class, m -> {
          ShardReplica replica = replicas.get(m.shard());
          if (replica != null) {
            replica.stopLeading();
          }
          return this;
        })
        .onMessage(Client.class, this::onClient)
        .onMessage(PlacementProtocol.ChangeReplicas.class, this::onChangeReplicas)
        .onMessage(PlacementProtocol.DropReplica.class, this::onDropReplica)
        .onMessage(LocalRead.class, this::onLocalRead)
        .onMessage(Offered.class, this::onOffered)
        .onMessage(InstallCheckpoint.class, this::onInstallCheckpoint)
        .onMessage(Received.class, this::onReceived)
        .onMessage(PeersChanged.class, this::onPeersChanged)
        .onMessageEquals(Tick.INSTANCE, () -> {
          replicas.values().forEach(ShardReplica::tick);
          return this;
        })
        .onSignal(PostStop.class, s -> {
          replicas.values().forEach(ShardReplica::close);
          return this;
        })
        .build();
  }

  private Behavior<Command> onPeersChanged(PeersChanged m) {
    peers.clear();
    for (ActorRef<Command> peer : m.peers()) {
      akka.actor.Address address = peer.path().address();
      peers.put(address.hasLocalScope() ? selfAddress : address.toString(), peer);
    }
    return this;
  }

  /** Whether this node's replica of {@code shard} was dropped within {@link #DROPPED_GRACE}. */
  private boolean justDropped(int shard) {
    Long droppedAt = dropped.get(shard);
    if (droppedAt != null && System.nanoTime() - droppedAt < DROPPED_GRACE.toNanos()) {
      return true;
    }
    dropped.remove(shard);
    return false;
  }

  private Behavior<Command> onDeliver(Deliver m) {
    if (justDropped(m.shard())) {
      return this;
    }
    ShardReplica replica = replica(m.shard());
    if (replica != null) {
      replica.receive(m.message());
    }
    return this;
  }

  private Behavior<Command> onLead(Lead m) {
    ShardReplica replica = replica(m.shard());
    if (replica != null) {
      replica.startLeading(m.members());
    }
    return this;
  }

  private Behavior<Command> onClient(Client m) {
    ShardReplica replica = replica(m.shard());
    if (replica != null) {
      replica.serve(m.request());
    } else {
      ShardReplica.replyTo(m.request()).tell(new ShardProtocol.Failure("keyspace '" + settings.name() + "' shard "
          + m.shard() + " cannot open its store on " + selfAddress + " (see the node's log)", true));
    }
    return this;
  }

  private Behavior<Command> onLocalRead(LocalRead m) {
    ShardReplica replica = replicas.get(m.shard());
    if (replica == null && Files.exists(settings.shardDirectory(m.shard()).resolve("CURRENT"))) {
      replica = replica(m.shard());
    }
    if (replica == null) {
      m.replyTo().tell(new ShardProtocol.Failure("keyspace '" + settings.name() + "': " + selfAddress
          + " holds no replica of shard " + m.shard(), true));
    } else {
      m.replyTo().tell(replica.readLocally(m.key()));
    }
    return this;
  }

  /** This node's replica of {@code shard}, opened on first use; null when its store fails to open (logged). */
  private ShardReplica replica(int shard) {
    ShardReplica replica = replicas.get(shard);
    if (replica != null) {
      return replica;
    }
    if (shard < 0 || shard >= settings.shards()) {
      getContext().getLog().warn("keyspace '{}' has no shard {}", settings.name(), shard);
      return null;
    }
    try {
      restoreInterruptedInstall(settings, shard);
      replica = ShardReplica.open(getContext().getSystem(), settings, shard, selfAddress, this::send,
          this::checkpointNeeded, getContext().getLog());
    } catch (RuntimeException e) {
      getContext().getLog().error("keyspace '{}' shard {}: the store in {} failed to open", settings.name(), shard,
          settings.shardDirectory(shard), e);
      return null;
    }
    replicas.put(shard, replica);
    return replica;
  }

  /** A follower lags behind the log: the replica whose log it needs offers it a checkpoint of its store. */
  private void checkpointNeeded(int shard, String source, String target) {
    ShardReplica replica = replicas.get(shard);
    String key = shard + " " + target;
    Offer last = offered.get(key);
    if (!source.equals(selfAddress) || replica == null || !peers.containsKey(target)
        || (last != null && System.nanoTime() - last.nanoTime() < OFFER_AGAIN_AFTER.toNanos()
            && replica.replica().followerMatch().getOrDefault(target, 0L) < last.applied())) {
      return;
    }
    offered.put(key, new Offer(System.nanoTime(), replica.appliedIndex()));
    getContext().getLog().info("keyspace '{}' shard {}: {} lags behind the log here, offering it a checkpoint",
        settings.name(), shard, target);
    getContext().pipeToSelf(CheckpointTransfer.offer(getContext().getSystem(), replica.store()),
        (ref, failure) -> new Offered(shard, target, ref, failure));
  }

  private Behavior<Command> onOffered(Offered m) {
    ActorRef<Command> peer = peers.get(m.target());
    if (m.failure() != null) {
      getContext().getLog().warn("keyspace '{}' shard {}: the checkpoint for {} failed: {}", settings.name(),
          m.shard(), m.target(), m.failure().toString());
      offered.remove(m.shard() + " " + m.target());
    } else if (peer != null) {
      peer.tell(new InstallCheckpoint(m.shard(), selfAddress, m.checkpoint()));
    }
    return this;
  }

  private Behavior<Command> onInstallCheckpoint(InstallCheckpoint m) {
    if (m.shard() < 0 || m.shard() >= settings.shards() || justDropped(m.shard()) || !receiving.add(m.shard())) {
      return this; // unsubscribed, the offer expires and its sender deletes the checkpoint
    }
    Path incoming = incomingDirectory(m.shard());
    try {
      deleteRecursively(incoming);
    } catch (IOException e) {
      receiving.remove(m.shard());
      getContext().getLog().warn("keyspace '{}' shard {}: cannot clear {}: {}", settings.name(), m.shard(), incoming,
          e.toString());
      return this;
    }
    getContext().pipeToSelf(CheckpointTransfer.receive(getContext().getSystem(), m.checkpoint(), incoming),
        (report, failure) -> new Received(m.shard(), m.from(), report == null ? 0 : report.bytes(), failure));
    return this;
  }

  /**
   * A checkpoint arrived whole and verified in the incoming directory: it replaces this node's
   * replica only if {@link Replica#mayInstallCheckpoint} says so (it must not lose entries this
   * replica acknowledged), by renames, and the replica reopens from it.
   */
  private Behavior<Command> onReceived(Received m) {
    receiving.remove(m.shard());
    Path incoming = incomingDirectory(m.shard());
    if (m.failure() == null && dropped.containsKey(m.shard())) {
      // Removed from the shard's replica set while the checkpoint streamed: not a replica any more.
      try {
        deleteRecursively(incoming);
      } catch (IOException e) {
        getContext().getLog().warn("keyspace '{}' shard {}: cannot delete {}: {}", settings.name(), m.shard(),
            incoming, e.toString());
      }
      return this;
    }
    if (m.failure() != null) {
      getContext().getLog().warn("keyspace '{}' shard {}: receiving a checkpoint from {} failed: {}",
          settings.name(), m.shard(), m.from(), m.failure().toString());
      return this;
    }
    ShardReplica current = replica(m.shard());
    if (current == null) {
      return this;
    }
    boolean install;
    boolean lead = current.leadWanted();
    Strata checkpoint = Strata.open(getContext().getSystem(), incoming, settings.storeOptions());
    try {
      ShardStore checkpointState = ShardStore.open(checkpoint,
          new ShardStore.Identity(settings.name(), settings.shards(), m.shard()));
      install = Replica.mayInstallCheckpoint(current.shardStore(), checkpointState);
    } finally {
      checkpoint.close();
    }
    Path shardDir = settings.shardDirectory(m.shard());
    try {
      if (!install) {
        getContext().getLog().info("keyspace '{}' shard {}: the checkpoint from {} is not ahead of this replica; "
            + "not installed", settings.name(), m.shard(), m.from());
        deleteRecursively(incoming);
        return this;
      }
      replicas.remove(m.shard());
      current.close();
      Path old = shardDir.resolveSibling(m.shard() + ".replaced");
      deleteRecursively(old);
      Files.move(shardDir, old, StandardCopyOption.ATOMIC_MOVE);
      Files.move(incoming, shardDir, StandardCopyOption.ATOMIC_MOVE);
      // The renames must reach the disk before the old store goes: after a power loss the shard
      // is then either the old store (in <shard>.replaced, put back at start) or the new one.
      syncDirectory(settings.keyspaceDirectory());
      deleteRecursively(old);
    } catch (IOException e) {
      throw new UncheckedIOException("keyspace '" + settings.name() + "' shard " + m.shard()
          + ": installing the checkpoint from " + m.from() + " failed", e);
    }
    checkpointsInstalled++;
    checkpointBytes += m.bytes();
    getContext().getLog().info("keyspace '{}' shard {}: installed a checkpoint of {} bytes from {}", settings.name(),
        m.shard(), m.bytes(), m.from());
    ShardReplica reopened = replica(m.shard());
    if (reopened != null && lead) {
      reopened.startLeading(List.of());
    }
    return this;
  }

  /** What this node holds: each shard store on disk, as its replica sees itself (opening it if need be). */
  private List<PlacementProtocol.HeldShard> holdings() {
    List<PlacementProtocol.HeldShard> held = new ArrayList<>();
    for (int shard : heldShards(settings)) {
      ShardReplica r = replica(shard);
      if (r != null) {
        ShardStore store = r.shardStore();
        held.add(new PlacementProtocol.HeldShard(shard, r.replica().config(), store.appliedConfig(),
            store.epochAt(store.lastIndex()), store.lastIndex()));
      }
    }
    return held;
  }

  private Behavior<Command> onChangeReplicas(PlacementProtocol.ChangeReplicas m) {
    ShardReplica replica = replicas.get(m.shard());
    if (replica == null) {
      m.replyTo().tell(new PlacementProtocol.ReplicasChanged(m.shard(), false, selfAddress
          + " has no open replica of shard " + m.shard()));
    } else {
      replica.changeReplicas(m.members(), m.replyTo());
    }
    return this;
  }

  /**
   * Deletes this node's store of a shard whose replica set no longer has it, crash-safely: the
   * directory is renamed into the trash (a rename is atomic, and synced before anything is
   * deleted), so that a crash leaves either the whole store, which the placement coordinator
   * recognises as removed and drops again, or nothing under the shard's name.
   */
  private Behavior<Command> onDropReplica(PlacementProtocol.DropReplica m) {
    ShardReplica replica = replicas.get(m.shard());
    if (replica != null && replica.leadWanted()) {
      m.replyTo().tell(new PlacementProtocol.Dropped(m.shard(), false, "shard " + m.shard() + " is led on "
          + selfAddress));
      return this;
    }
    if (replica != null) {
      replicas.remove(m.shard());
      replica.close();
    }
    dropped.put(m.shard(), System.nanoTime());
    Path shardDir = settings.shardDirectory(m.shard());
    try {
      if (Files.exists(shardDir)) {
        Path trash = settings.keyspaceDirectory().resolve(TRASH);
        Files.createDirectories(trash);
        Path target = trash.resolve(m.shard() + "-" + System.nanoTime());
        Files.move(shardDir, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(settings.keyspaceDirectory());
        deleteRecursively(target);
      }
    } catch (IOException e) {
      getContext().getLog().warn("keyspace '{}' shard {}: deleting the removed replica's store {} failed: {}",
          settings.name(), m.shard(), shardDir, e.toString());
      m.replyTo().tell(new PlacementProtocol.Dropped(m.shard(), false, e.toString()));
      return this;
    }
    getContext().getLog().info("keyspace '{}' shard {}: {} left its replica set; its store is deleted",
        settings.name(), m.shard(), selfAddress);
    m.replyTo().tell(new PlacementProtocol.Dropped(m.shard(), true, ""));
    return this;
  }

  /** Where dropped stores go before they are deleted: {@code <data-dir>/<keyspace>/trash}. */
  private static final String TRASH = "trash";

  /** Deletes what a crash left in the trash (stores already out of every replica set). */
  private static void emptyTrash(KeyspaceSettings settings) {
    try {
      deleteRecursively(settings.keyspaceDirectory().resolve(TRASH));
    } catch (IOException e) {
      throw new UncheckedIOException("keyspace '" + settings.name() + "': cannot empty "
          + settings.keyspaceDirectory().resolve(TRASH), e);
    }
  }

  /**
   * A crash between the two renames of a checkpoint install (onReceived) leaves no {@code <shard>}
   * directory and the old store in {@code <shard>.replaced}. Opening the shard would then create an
   * empty store: a replica that forgot its promise and the entries it acknowledged, which could
   * help a new leader to a majority lacking acknowledged writes. Put the old store back instead
   * (the leader offers the checkpoint again).
   */
  static void restoreInterruptedInstall(KeyspaceSettings settings, int shard) {
    Path shardDir = settings.shardDirectory(shard);
    Path old = shardDir.resolveSibling(shard + ".replaced");
    if (!Files.exists(shardDir) && Files.exists(old.resolve("CURRENT"))) {
      try {
        Files.move(old, shardDir, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(settings.keyspaceDirectory());
      } catch (IOException e) {
        throw new UncheckedIOException("keyspace '" + settings.name() + "' shard " + shard
            + ": cannot move back the store an interrupted checkpoint install left in " + old, e);
      }
    }
  }

  /** fsync of a directory, as the JDK exposes it on Linux: force a channel opened for reading. */
  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private Path incomingDirectory(int shard) {
    return settings.keyspaceDirectory().resolve(shard + ".incoming");
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  /** Sends {@code message} of {@code shard} to the replica on node {@code to}; dropped when that node has no host (the protocol tolerates loss). */
  private void send(int shard, String to, Message message) {
    ActorRef<Command> peer = peers.get(to);
    if (peer == null) {
      return;
    }
    if (to.equals(selfAddress)) {
      getContext().getSelf().tell(new Deliver(shard, message));
    } else {
      peer.tell(new Deliver(shard, message));
    }
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

  /** Closes a store that failed half-way through opening. */
  static void closeQuietly(Strata store) {
    try {
      store.close();
    } catch (RuntimeException ignored) {
      // already failing: the first error is the one reported
    }
  }
}
