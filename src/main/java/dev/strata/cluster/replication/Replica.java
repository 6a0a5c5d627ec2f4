package dev.strata.cluster.replication;

import dev.strata.Limits;
import dev.strata.WriteBatch;
import dev.strata.cluster.replication.Leadership.Phase;
import dev.strata.cluster.replication.Leadership.Progress;
import dev.strata.cluster.replication.Message.Append;
import dev.strata.cluster.replication.Message.AppendReply;
import dev.strata.cluster.replication.Message.Fetch;
import dev.strata.cluster.replication.Message.FetchReply;
import dev.strata.cluster.replication.Message.Prepare;
import dev.strata.cluster.replication.Message.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replication state machine of one replica of one shard: Raft's log replication with the
 * leader chosen from outside (by Cluster Sharding) instead of by an election. Not thread-safe:
 * the host calls it from one thread at a time (an actor). It has no clock, no thread and no
 * network; every call returns the {@link Output}s to carry out, in order.
 *
 * <h2>Integration guide (for the host)</h2>
 *
 * <ol>
 *   <li><b>Open.</b> Open the shard's Strata store, then {@link ShardStore#open} it with the shard's
 *       identity; a brand-new shard's first replicas call {@link #bootstrap} with the initial
 *       replica set (the same on each), a replica that joins later starts empty. Then
 *       {@link #open(String, ReplicaStorage, ReplicaSettings)} with this replica's id (the id other
 *       replicas address it by: stable across restarts, e.g. the node's address).
 *   <li><b>Lead.</b> When the shard's sharded entity starts on this node, call
 *       {@link #startLeading()}; when it stops (hand-off, passivation), {@link #stopLeading()}.
 *       The replica prepares a new epoch, brings its log up to date, commits a no-op, and outputs
 *       {@link Output.Serving}; a later epoch elsewhere makes it output
 *       {@link Output.SteppedDown} (it never retries by itself: the placement decides who leads).
 *   <li><b>Client requests</b> at the leader: {@link #propose} a write batch, {@link #read} before
 *       a linearizable read, {@link #changeConfig} to add or remove one replica. Each gets exactly
 *       one of {@link Output.WriteAcked} / {@link Output.ReadReady} (then read this replica's
 *       {@link ShardStore}) or {@link Output.RequestFailed} (with a leader hint). A request made
 *       to a non-leader fails at once.
 *   <li><b>Messages.</b> Deliver every {@link Message} addressed to this replica to
 *       {@link #receive}; send every {@link Output.Send}. Loss, duplication, delay and reordering
 *       are tolerated; the transport need not retry.
 *   <li><b>Time.</b> Call {@link #tick()} periodically (e.g. every 50 ms); the settings count
 *       ticks.
 *   <li><b>Checkpoints.</b> On {@link Output.CheckpointNeeded}, stream the source replica's store
 *       checkpoint to the target's node; there, if {@link #mayInstallCheckpoint} allows it, replace
 *       the store with it, reopen the {@link ShardStore} and call {@link #open} again (and
 *       {@link #startLeading()} again if this node leads).
 *   <li><b>Crash.</b> After a crash simply reopen: the durable state is all in the store.
 *       Storage calls are synchronous and durable on return (run the replica where blocking is
 *       allowed), so there is no separate "write completed" input.
 *   <li><b>Follower reads</b> read the {@link ShardStore} directly, without the replica: they see
 *       only committed data, but may miss the latest acknowledged writes.
 *   <li><b>Shard map.</b> {@link #leaderHint()}, {@link #commitIndex()}, {@link #followerMatch()}
 *       (a follower's lag is the leader's last index minus its match) and {@link #config()}.
 * </ol>
 *
 * <h2>Rules (each has a test in ReplicaRulesTest)</h2>
 *
 * <ul>
 *   <li>A replica promises an epoch only if it is greater than its promise (or repeats the promise
 *       to the same leader), durably, and then refuses every Prepare, Append and Fetch of a lower
 *       epoch: a deposed leader can never get a write acknowledged.
 *   <li>A leader with promises from a majority adopts the most up-to-date promiser's log (greatest
 *       (last epoch, last index)), which holds every committed entry, appends a no-op in its epoch,
 *       and serves writes and reads only once the no-op committed.
 *   <li>Append checks log matching at {@code prevIndex} and truncates a conflicting suffix (never
 *       a committed entry).
 *   <li>An entry commits once a majority of the current configuration stored it and it (or a
 *       later entry) has the leader's epoch (Raft's current-term rule). Applying entry i writes its
 *       data and {@code applied = i} in one atomic write.
 *   <li>Reads: the read index is the commit index when the read arrived; it is served once a
 *       majority acknowledged a heartbeat round started after that (rounds are batched) and the
 *       applied index reached it.
 *   <li>Configuration changes add or remove one replica at a time, at most one uncommitted.
 *   <li>While a follower's checkpoint is in flight, and until it caught up with the log after
 *       installing it, the leader keeps the entries after the checkpoint's applied index (at most
 *       {@link ReplicaSettings#maxCatchUpEntries} of them), so that a fast writer cannot leave the
 *       follower behind the log again the moment it installed the checkpoint.
 * </ul>
 */
public final class Replica {
  /** Key bytes the shard store adds in front of a user key. */
  static final int MAX_USER_KEY_BYTES = Limits.MAX_KEY_BYTES - ShardStore.USER_PREFIX_BYTES;
  /** Bytes a write entry's batch may take (the log record around it must fit in one Strata value). */
  static final int MAX_ENTRY_BYTES = Limits.MAX_VALUE_BYTES - 64;

  private final String id;
  private final ReplicaStorage store;
  private final ReplicaSettings settings;
  private final List<Output> out = new ArrayList<>();
  /** Configuration entries in the log above the applied index (the newest wins). */
  private final TreeMap<Long, List<String>> configsInLog = new TreeMap<>();
  private long commitIndex;
  private long maxEpochSeen;
  private long ticks;
  private String leaderHint;
  private Leadership leader;
  /** The epoch rule can be switched off only by the mutation test that shows the simulation catches it. */
  boolean refusesOlderEpochs = true;

  private Replica(String id, ReplicaStorage store, ReplicaSettings settings) {
    this.id = Objects.requireNonNull(id, "replica id");
    this.store = Objects.requireNonNull(store, "storage");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.commitIndex = Math.max(store.commitIndex(), store.appliedIndex());
    this.maxEpochSeen = store.promisedEpoch();
    for (long i = Math.max(store.firstIndex(), store.appliedIndex() + 1); i <= store.lastIndex(); i++) {
      noteConfig(store.entry(i));
    }
  }

  /** A replica over its durable state, as a follower. */
  public static Replica open(String id, ReplicaStorage storage, ReplicaSettings settings) {
    return new Replica(id, storage, settings);
  }

  /**
   * Gives a new shard's empty log its first entry, the initial replica set (epoch 0, applied at
   * once). Every initial replica must be bootstrapped with the same members; a replica that joins
   * later is not bootstrapped (it receives this entry, or a checkpoint, from the leader).
   */
  public static void bootstrap(ReplicaStorage storage, List<String> members) {
    if (storage.lastIndex() != 0 || storage.appliedIndex() != 0) {
      throw new IllegalStateException("bootstrap needs an empty replica; this one has log through "
          + storage.lastIndex() + " and applied " + storage.appliedIndex());
    }
    if (members.isEmpty()) {
      throw new IllegalArgumentException("the initial replica set must not be empty");
    }
    LogEntry first = new LogEntry(1, 0, new LogEntry.Config(new TreeSet<>(members).stream().toList()));
    storage.append(List.of(first));
    storage.apply(first, 1);
  }

  /**
   * Whether a checkpoint (another replica's store, copied) may replace the replica whose durable
   * state is {@code current}: only if it promised a later epoch, or the same epoch and its log
   * reaches at least as far (greater or equal (last epoch, last index)). A checkpoint copied before
   * this replica acknowledged more entries of the same leader, or from an older leader, would
   * erase entries a leader counted toward a commit; refusing it is what keeps those entries.
   * After installing it, the replica holds the checkpoint's promise.
   */
  public static boolean mayInstallCheckpoint(ReplicaStorage current, ReplicaStorage checkpoint) {
    if (checkpoint.promisedEpoch() != current.promisedEpoch()) {
      return checkpoint.promisedEpoch() > current.promisedEpoch();
    }
    long epoch = checkpoint.epochAt(checkpoint.lastIndex());
    long currentEpoch = current.epochAt(current.lastIndex());
    return epoch > currentEpoch || (epoch == currentEpoch && checkpoint.lastIndex() >= current.lastIndex());
  }

  // ---------------------------------------------------------------- state, for the host and tests

  public String id() {
    return id;
  }

  /** True while this replica leads its epoch and its no-op committed. */
  public boolean isServing() {
    return leader != null && leader.serving;
  }

  /** True from {@link #startLeading()} until it steps down. */
  public boolean isLeading() {
    return leader != null;
  }

  /** The epoch led, or 0. */
  public long leaderEpoch() {
    return leader == null ? 0 : leader.epoch;
  }

  public long commitIndex() {
    return commitIndex;
  }

  /** The last replica known to lead (null when unknown). */
  public String leaderHint() {
    return leader != null ? id : leaderHint;
  }

  /** The replica set in force here: the newest configuration in the log, committed or not. */
  public List<String> config() {
    return configsInLog.isEmpty() ? store.appliedConfig() : configsInLog.lastEntry().getValue();
  }

  /** How far each follower is known to match this leader's log (empty when not leading). */
  public Map<String, Long> followerMatch() {
    TreeMap<String, Long> m = new TreeMap<>();
    if (leader != null) {
      leader.progress.forEach((k, p) -> m.put(k, p.match));
    }
    return m;
  }

  @Override
  public String toString() {
    String role = leader == null ? "follower of " + leaderHint
        : leader.phase + " epoch " + leader.epoch + (leader.serving ? " serving" : "")
            + (leader.phase == Phase.PREPARING ? " promises " + leader.promises.keySet() : "")
            + (leader.phase == Phase.FETCHING ? " from " + leader.fetchSource + " " + leader.fetchNext + ".." + leader.fetchTarget : "");
    return "Replica(" + id + ", " + role + ", promised " + store.promisedEpoch() + " to " + store.promisedTo()
        + ", log " + store.firstIndex() + ".." + store.lastIndex() + ", commit " + commitIndex + ", applied "
        + store.appliedIndex() + ", config " + config() + ")";
  }

  // ---------------------------------------------------------------- inputs

  /**
   * This replica should lead: prepare a new epoch. Does nothing if it already leads or prepares.
   * A replica outside the replica set (one still joining) refuses at once with
   * {@link Output.SteppedDown}: placement must choose a member that holds an up-to-date replica.
   */
  public List<Output> startLeading() {
    if (leader == null && !config().contains(id)) {
      out.add(new Output.SteppedDown(0, "replica " + id + " is not in the replica set " + config()
          + "; only a member may lead"));
    } else if (leader == null) {
      long epoch = Math.max(store.promisedEpoch(), maxEpochSeen) + 1;
      store.promise(epoch, id);
      maxEpochSeen = epoch;
      leader = new Leadership(epoch);
      for (String m : config()) {
        if (!m.equals(id)) {
          send(m, new Prepare(id, epoch));
        }
      }
      checkPromises();
    }
    return drain();
  }

  /** This replica should no longer lead (the sharded entity stopped). */
  public List<Output> stopLeading() {
    stepDown("the host stopped leading");
    return drain();
  }

  /** Client write {@code requestId}; answered by {@link Output.WriteAcked} or {@link Output.RequestFailed}. */
  public List<Output> propose(long requestId, WriteBatch batch) {
    Objects.requireNonNull(batch, "write batch");
    for (int i = 0; i < batch.count(); i++) {
      if (batch.key(i).length > MAX_USER_KEY_BYTES) {
        throw new IllegalArgumentException("key of " + batch.key(i).length + " bytes is over the "
            + MAX_USER_KEY_BYTES + " bytes a replicated keyspace allows");
      }
    }
    byte[] encoded = BatchCodec.encode(batch);
    if (encoded.length > MAX_ENTRY_BYTES) {
      throw new IllegalArgumentException("write batch of " + encoded.length + " encoded bytes is over the "
          + MAX_ENTRY_BYTES + " bytes one replicated entry holds; split it");
    }
    if (leader == null) {
      failNotLeader(requestId);
    } else if (!leader.serving) {
      leader.queuedWrites.add(new Leadership.Queued(requestId, encoded));
    } else {
      appendAsLeader(requestId, new LogEntry.Write(encoded));
    }
    return drain();
  }

  /** Client read {@code requestId}; answered by {@link Output.ReadReady} or {@link Output.RequestFailed}. */
  public List<Output> read(long requestId) {
    if (leader == null) {
      failNotLeader(requestId);
    } else if (!leader.serving) {
      leader.queuedReads.add(requestId);
    } else {
      startRead(requestId);
    }
    return drain();
  }

  /**
   * Changes the replica set to {@code members}, which must differ from the current one by exactly
   * one replica, with no other change pending. Answered like a write.
   */
  public List<Output> changeConfig(long requestId, List<String> members) {
    List<String> next = new TreeSet<>(members).stream().toList();
    List<String> current = config();
    TreeSet<String> difference = new TreeSet<>(current);
    difference.addAll(next);
    difference.removeIf(m -> current.contains(m) && next.contains(m));
    if (difference.size() != 1) {
      throw new IllegalArgumentException("a configuration change adds or removes exactly one replica: "
          + current + " -> " + next);
    }
    if (leader == null || !leader.serving) {
      failNotLeader(requestId);
    } else if (!configsInLog.tailMap(commitIndex, false).isEmpty()) {
      out.add(new Output.RequestFailed(requestId, false, id,
          "another configuration change is not committed yet; retry when it is"));
    } else {
      appendAsLeader(requestId, new LogEntry.Config(next));
    }
    return drain();
  }

  /** The timer: retransmissions and heartbeats. */
  public List<Output> tick() {
    ticks++;
    if (leader != null) {
      switch (leader.phase) {
        case PREPARING -> {
          for (String m : config()) {
            if (!m.equals(id) && !leader.promises.containsKey(m)) {
              send(m, new Prepare(id, leader.epoch));
            }
          }
        }
        case FETCHING -> {
          if (ticks - leader.fetchTick < settings.checkpointRetryTicks()) {
            sendFetch();
          } else {
            // The source stopped answering (it may be down for good): ask every replica again
            // and adopt the best log of whichever majority answers now.
            leader.phase = Phase.PREPARING;
            leader.promises.clear();
            for (String m : config()) {
              if (!m.equals(id)) {
                send(m, new Prepare(id, leader.epoch));
              }
            }
            checkPromises();
          }
        }
        case LEADING -> {
          if (ticks % settings.heartbeatTicks() == 0) {
            for (Map.Entry<String, Progress> e : leader.progress.entrySet()) {
              e.getValue().next = e.getValue().match + 1;
              sendAppend(e.getKey(), true);
            }
          }
        }
      }
    }
    return drain();
  }

  /** A protocol message addressed to this replica. */
  public List<Output> receive(Message message) {
    if (message.epoch() > maxEpochSeen) {
      maxEpochSeen = message.epoch();
    }
    // A refusal names the epoch the refuser promised: the next attempt to lead must go above it.
    long promised = message instanceof Promise p ? p.promised()
        : message instanceof AppendReply r ? r.promised() : message instanceof FetchReply r ? r.promised() : 0;
    maxEpochSeen = Math.max(maxEpochSeen, promised);
    if (message instanceof Prepare p) {
      onPrepare(p);
    } else if (message instanceof Promise p) {
      onPromise(p);
    } else if (message instanceof Append a) {
      onAppend(a);
    } else if (message instanceof AppendReply r) {
      onAppendReply(r);
    } else if (message instanceof Fetch f) {
      onFetch(f);
    } else if (message instanceof FetchReply r) {
      onFetchReply(r);
    } else {
      throw new IllegalArgumentException("unknown message " + message);
    }
    return drain();
  }

  // ---------------------------------------------------------------- follower side

  private boolean refuses(long epoch, String from) {
    long promised = store.promisedEpoch();
    return refusesOlderEpochs && (epoch < promised || (epoch == promised && !from.equals(store.promisedTo())));
  }

  private void onPrepare(Prepare p) {
    if (p.epoch() < store.promisedEpoch() || (p.epoch() == store.promisedEpoch() && !p.from().equals(store.promisedTo()))) {
      send(p.from(), new Promise(id, p.epoch(), false, store.promisedEpoch(), 0, 0, 0));
      return;
    }
    if (p.epoch() > store.promisedEpoch()) {
      store.promise(p.epoch(), p.from());
    }
    stepDownBelow(p.epoch(), p.from());
    send(p.from(), new Promise(id, p.epoch(), true, p.epoch(), store.lastIndex(),
        store.epochAt(store.lastIndex()), commitIndex));
  }

  private void onAppend(Append a) {
    if (refuses(a.epoch(), a.from())) {
      send(a.from(), new AppendReply(id, a.epoch(), false, store.promisedEpoch(), false, 0, 0, 0));
      return;
    }
    if (a.epoch() > store.promisedEpoch()) {
      store.promise(a.epoch(), a.from());
    }
    stepDownBelow(a.epoch(), a.from());
    leaderHint = a.from();
    long prev = a.prevIndex();
    long prevEpoch = a.prevEpoch();
    List<LogEntry> entries = a.entries();
    long matchIndex = a.prevIndex() + a.entries().size();
    long snapshot = store.firstIndex() - 1;
    if (prev < snapshot) {
      // Entries through our snapshot point are applied here, hence committed and equal to the leader's.
      int skip = (int) Math.min(entries.size(), snapshot - prev);
      entries = entries.subList(skip, entries.size());
      prev = snapshot;
      prevEpoch = store.epochAt(snapshot);
      if (matchIndex < snapshot) {
        entries = List.of();
        prev = matchIndex;
      }
    }
    if (prev > store.lastIndex() || (prev >= snapshot && store.epochAt(prev) != prevEpoch)) {
      long hint = prev > store.lastIndex() ? store.lastIndex()
          : Math.max(snapshot, Math.min(prev - 1, Math.max(commitIndex, store.appliedIndex())));
      send(a.from(), new AppendReply(id, a.epoch(), true, store.promisedEpoch(), false, 0, hint, a.readSeq()));
      return;
    }
    appendMatching(entries);
    commitIndex = Math.max(commitIndex, Math.min(a.commitIndex(), matchIndex));
    applyCommitted();
    truncateLog(a.truncateThrough());
    send(a.from(), new AppendReply(id, a.epoch(), true, store.promisedEpoch(), true, matchIndex, matchIndex, a.readSeq()));
  }

  private void onFetch(Fetch f) {
    if (refuses(f.epoch(), f.from()) || f.epoch() != store.promisedEpoch()) {
      send(f.from(), new FetchReply(id, f.epoch(), false, store.promisedEpoch(), f.fromIndex(), 0, List.of(), 0));
      return;
    }
    if (f.fromIndex() < store.firstIndex()) {
      // The leader asks for entries this log dropped: it may need a checkpoint of this store,
      // which only this replica's host can stream (a host offers its own stores only).
      out.add(new Output.CheckpointNeeded(id, f.from()));
    }
    long from = Math.max(f.fromIndex(), store.firstIndex());
    List<LogEntry> entries =
        store.entries(from, store.lastIndex(), Math.min(f.maxEntries(), settings.maxEntriesPerMessage()));
    send(f.from(), new FetchReply(id, f.epoch(), true, f.epoch(), from, store.epochAt(from - 1), entries,
        store.lastIndex()));
  }

  /** Appends entries that follow a matched prefix, skipping those already held, truncating at a conflict. */
  private void appendMatching(List<LogEntry> entries) {
    int i = 0;
    for (; i < entries.size(); i++) {
      LogEntry e = entries.get(i);
      if (e.index() < store.firstIndex()) {
        continue; // applied here, hence committed and equal
      }
      if (e.index() > store.lastIndex()) {
        break;
      }
      if (store.epochAt(e.index()) != e.epoch()) {
        if (e.index() <= Math.max(commitIndex, store.appliedIndex())) {
          throw new IllegalStateException("replica " + id + ": entry " + e.index() + " of epoch " + e.epoch()
              + " conflicts with a committed entry of epoch " + store.epochAt(e.index()) + "; the log is corrupt");
        }
        truncateSuffix(e.index());
        break;
      }
    }
    if (i < entries.size()) {
      List<LogEntry> rest = entries.subList(i, entries.size());
      store.append(rest);
      rest.forEach(this::noteConfig);
    }
  }

  private void truncateSuffix(long fromIndex) {
    store.truncateSuffix(fromIndex);
    configsInLog.tailMap(fromIndex, true).clear();
  }

  private void noteConfig(LogEntry e) {
    if (e.payload() instanceof LogEntry.Config c) {
      configsInLog.put(e.index(), c.members());
    }
  }

  private void applyCommitted() {
    while (store.appliedIndex() < commitIndex) {
      LogEntry e = store.entry(store.appliedIndex() + 1);
      store.apply(e, commitIndex);
      configsInLog.headMap(e.index(), true).clear();
      if (leader != null) {
        Long requestId = leader.pendingWrites.remove(e.index());
        if (requestId != null) {
          out.add(new Output.WriteAcked(requestId, e.index()));
        }
        if (e.payload() instanceof LogEntry.Config c && !c.members().contains(id)) {
          stepDown("removed from the replica set at index " + e.index());
        }
      }
    }
    if (leader != null && leader.phase == Phase.LEADING) {
      if (!leader.serving && commitIndex >= leader.noOpIndex) {
        startServing();
      }
      serveReads();
    }
  }

  private void truncateLog(long throughHint) {
    long through = Math.min(store.appliedIndex(), Math.max(throughHint, store.appliedIndex() - settings.maxLogEntries()));
    if (leader != null) {
      through = Math.min(through, keptForCatchUp());
    }
    if (through - store.firstIndex() + 1 >= settings.truncateEvery()) {
      store.truncatePrefix(through);
    }
  }

  // ---------------------------------------------------------------- becoming leader

  private void onPromise(Promise p) {
    if (leader == null || p.epoch() != leader.epoch || leader.phase == Phase.LEADING) {
      return;
    }
    if (!p.granted()) {
      if (p.promised() >= leader.epoch) {
        stepDown("replica " + p.from() + " promised epoch " + p.promised());
      }
      return;
    }
    leader.promises.put(p.from(), p);
    leader.promisedCommit = Math.max(leader.promisedCommit, p.commitIndex());
    if (leader.phase == Phase.PREPARING) {
      checkPromises();
    }
  }

  /** With promises from a majority of the current configuration, adopt the best log, or wait. */
  private void checkPromises() {
    List<String> members = config();
    long granted = members.stream().filter(m -> m.equals(id) || leader.promises.containsKey(m)).count();
    if (granted < Quorum.majority(members.size())) {
      return;
    }
    Promise best = null;
    for (String m : members) {
      Promise p = leader.promises.get(m);
      if (p != null && isBetter(p, best == null ? store.epochAt(store.lastIndex()) : best.lastEpoch(),
          best == null ? store.lastIndex() : best.lastIndex())) {
        best = p;
      }
    }
    if (best == null) {
      establish();
    } else {
      leader.phase = Phase.FETCHING;
      leader.fetchSource = best.from();
      leader.fetchTarget = best.lastIndex();
      leader.fetchNext = Math.max(commitIndex, store.appliedIndex()) + 1;
      leader.fetchTick = ticks;
      sendFetch();
    }
  }

  private static boolean isBetter(Promise p, long lastEpoch, long lastIndex) {
    return p.lastEpoch() > lastEpoch || (p.lastEpoch() == lastEpoch && p.lastIndex() > lastIndex);
  }

  private void sendFetch() {
    send(leader.fetchSource, new Fetch(id, leader.epoch, leader.fetchNext, settings.maxEntriesPerMessage()));
  }

  private void onFetchReply(FetchReply r) {
    if (leader == null || leader.phase != Phase.FETCHING || r.epoch() != leader.epoch
        || !r.from().equals(leader.fetchSource) || (r.granted() && r.fromIndex() < leader.fetchNext)) {
      return;
    }
    if (!r.granted()) {
      if (r.promised() >= leader.epoch) {
        stepDown("replica " + r.from() + " promised epoch " + r.promised() + " while we fetched its log");
      }
      return;
    }
    // Entries through fetchNext - 1 equal the source's (committed, or fetched before). If the
    // source truncated its log past fetchNext, our log must match at the entry before its first.
    long prev = r.fromIndex() - 1;
    if (prev > store.lastIndex() || (prev >= store.firstIndex() - 1 && store.epochAt(prev) != r.prevEpoch())) {
      out.add(new Output.CheckpointNeeded(r.from(), id));
      return;
    }
    appendMatching(r.entries());
    leader.fetchNext = r.fromIndex() + r.entries().size();
    leader.fetchTick = ticks;
    if (leader.fetchNext <= leader.fetchTarget) {
      sendFetch();
      return;
    }
    if (store.lastIndex() > leader.fetchTarget) {
      truncateSuffix(leader.fetchTarget + 1);
    }
    // The adopted log may carry another configuration: its majority must have promised too.
    leader.phase = Phase.PREPARING;
    for (String m : config()) {
      if (!m.equals(id) && !leader.promises.containsKey(m)) {
        send(m, new Prepare(id, leader.epoch));
      }
    }
    checkPromises();
  }

  private void establish() {
    leader.phase = Phase.LEADING;
    commitIndex = Math.max(commitIndex, Math.min(leader.promisedCommit, store.lastIndex()));
    long noOp = store.lastIndex() + 1;
    store.append(List.of(new LogEntry(noOp, leader.epoch, new LogEntry.NoOp())));
    leader.noOpIndex = noOp;
    for (String m : config()) {
      if (!m.equals(id)) {
        leader.progress.put(m, new Progress(noOp));
      }
    }
    applyCommitted();
    if (leader != null) {
      // (applying the adopted log may have removed this replica from the set: then it stepped down)
      broadcast(true);
      advanceCommit();
    }
  }

  private void startServing() {
    leader.serving = true;
    out.add(new Output.Serving(leader.epoch));
    List<Leadership.Queued> writes = List.copyOf(leader.queuedWrites);
    List<Long> reads = List.copyOf(leader.queuedReads);
    leader.queuedWrites.clear();
    leader.queuedReads.clear();
    // Committing one of them may remove this replica from the set; the rest then fail.
    for (Leadership.Queued q : writes) {
      if (leader != null) {
        appendAsLeader(q.requestId(), new LogEntry.Write(q.batch()));
      } else {
        failNotLeader(q.requestId());
      }
    }
    for (long r : reads) {
      if (leader != null) {
        startRead(r);
      } else {
        failNotLeader(r);
      }
    }
  }

  // ---------------------------------------------------------------- leading

  private void appendAsLeader(long requestId, LogEntry.Payload payload) {
    LogEntry e = new LogEntry(store.lastIndex() + 1, leader.epoch, payload);
    store.append(List.of(e));
    noteConfig(e);
    leader.pendingWrites.put(e.index(), requestId);
    if (payload instanceof LogEntry.Config c) {
      for (String m : c.members()) {
        if (!m.equals(id)) {
          leader.progress.computeIfAbsent(m, k -> new Progress(e.index()));
        }
      }
      leader.progress.keySet().retainAll(c.members());
    }
    broadcast(false);
    advanceCommit();
  }

  private void broadcast(boolean force) {
    for (String m : leader.progress.keySet()) {
      sendAppend(m, force);
    }
  }

  private void sendAppend(String to, boolean force) {
    Progress p = leader.progress.get(to);
    long snapshot = store.firstIndex() - 1;
    long prev = p.next - 1;
    List<LogEntry> entries = List.of();
    if (prev < snapshot) {
      // The follower lacks entries this log no longer has: it needs a checkpoint. Probe at the
      // snapshot point so that it answers once it installed one.
      if (p.checkpointTick < 0 || ticks - p.checkpointTick >= settings.checkpointRetryTicks()) {
        p.checkpointTick = ticks;
        if (p.catchUpFrom < 0) {
          // (a retry keeps the first hold: a checkpoint the host took then may still be streaming)
          p.catchUpFrom = store.appliedIndex();
        }
        out.add(new Output.CheckpointNeeded(id, to));
      }
      prev = snapshot;
    } else if (p.next <= store.lastIndex() && p.next <= p.match + settings.maxInflightEntries()) {
      entries = store.entries(p.next, store.lastIndex(), settings.maxEntriesPerMessage());
    }
    if (entries.isEmpty() && !force) {
      return;
    }
    send(to, new Append(id, leader.epoch, prev, store.epochAt(prev), entries, commitIndex, leader.reads.round(),
        truncateThrough()));
    p.next = Math.max(p.next, prev + 1 + entries.size());
  }

  /**
   * The last index the log may drop while followers install checkpoints: a follower that installed
   * one continues from the entry after its applied index, which must still be here, or it would
   * need another checkpoint, and under a steady writer it could stay behind for good (issue 18).
   * A hold older than {@code maxCatchUpEntries} is given up (the follower's node may be gone); that
   * follower is asked a new checkpoint on the next retry.
   */
  private long keptForCatchUp() {
    long through = Long.MAX_VALUE;
    long applied = store.appliedIndex();
    for (Progress p : leader.progress.values()) {
      if (p.catchUpFrom < 0) {
        continue;
      }
      // Once installed, the follower streams the rest of the log: keep it from its match on.
      long from = Math.max(p.catchUpFrom, p.match);
      boolean caughtUp = p.match >= p.catchUpFrom && applied - p.match <= settings.maxLogEntries();
      if (caughtUp || applied - from > settings.maxCatchUpEntries()) {
        p.catchUpFrom = -1;
      } else {
        through = Math.min(through, from);
      }
    }
    return through;
  }

  /** Entries every replica of the configuration holds need not stay in the log. */
  private long truncateThrough() {
    long through = store.appliedIndex();
    for (String m : config()) {
      if (!m.equals(id)) {
        Progress p = leader.progress.get(m);
        through = Math.min(through, p == null ? 0 : p.match);
      }
    }
    return through;
  }

  private void onAppendReply(AppendReply r) {
    if (leader == null || leader.phase != Phase.LEADING || r.epoch() != leader.epoch) {
      return;
    }
    if (!r.accepted()) {
      if (r.promised() >= leader.epoch) {
        stepDown("replica " + r.from() + " promised epoch " + r.promised());
      }
      return;
    }
    Progress p = leader.progress.get(r.from());
    if (p == null) {
      return;
    }
    p.readAck = Math.max(p.readAck, r.readSeq());
    if (r.matched()) {
      p.match = Math.max(p.match, r.matchIndex());
      p.next = Math.max(p.next, p.match + 1);
    } else {
      if (r.hintIndex() < p.match) {
        // It no longer holds what it acknowledged (a store that lost unsynced writes), or this
        // reply is late: either way 0 is the only match known for sure; the next reply raises it.
        p.match = 0;
      }
      p.next = Math.max(p.match + 1, r.hintIndex() + 1);
    }
    advanceCommit();
    if (leader != null) {
      truncateLog(truncateThrough());
      confirmReads();
      if (leader != null && leader.progress.containsKey(r.from())) {
        sendAppend(r.from(), false);
      }
    }
  }

  private void advanceCommit() {
    long n = Quorum.majorityValue(config(), m -> m.equals(id) ? store.lastIndex() : matchOf(m));
    if (n > commitIndex && store.epochAt(n) == leader.epoch) {
      commitIndex = n;
      applyCommitted();
      if (leader != null) {
        truncateLog(truncateThrough());
      }
    }
  }

  private long matchOf(String member) {
    Progress p = leader.progress.get(member);
    return p == null ? 0 : p.match;
  }

  // ---------------------------------------------------------------- read index

  private void startRead(long requestId) {
    boolean alone = config().stream().allMatch(m -> m.equals(id));
    if (leader.reads.add(requestId, commitIndex, alone)) {
      broadcast(true);
    }
    confirmReads();
  }

  private void confirmReads() {
    long confirmed = confirmedReadRound();
    serveReads(confirmed);
    if (leader.reads.confirm(confirmed)) {
      broadcast(true);
    }
  }

  private long confirmedReadRound() {
    return Quorum.majorityValue(config(), m -> m.equals(id) ? leader.reads.round() : readAckOf(m));
  }

  private long readAckOf(String member) {
    Progress p = leader.progress.get(member);
    return p == null ? 0 : p.readAck;
  }

  private void serveReads() {
    serveReads(confirmedReadRound());
  }

  private void serveReads(long confirmed) {
    for (long r : leader.reads.ready(confirmed, store.appliedIndex())) {
      out.add(new Output.ReadReady(r));
    }
  }

  // ---------------------------------------------------------------- stepping down

  /** A message of a later epoch than the one led here: someone else leads now. */
  private void stepDownBelow(long epoch, String newLeader) {
    if (leader != null && epoch > leader.epoch) {
      leaderHint = newLeader;
      stepDown("replica " + newLeader + " leads epoch " + epoch);
    }
  }

  private void stepDown(String reason) {
    if (leader == null) {
      return;
    }
    Leadership old = leader;
    leader = null;
    String hint = leaderHint;
    old.pendingWrites.values().forEach(r -> out.add(new Output.RequestFailed(r, true, hint,
        "leadership of epoch " + old.epoch + " lost before the write committed (" + reason
            + "); it may or may not be applied")));
    old.queuedWrites.forEach(q -> out.add(new Output.RequestFailed(q.requestId(), false, hint,
        "leadership of epoch " + old.epoch + " lost (" + reason + ")")));
    old.queuedReads.forEach(r -> out.add(new Output.RequestFailed(r, false, hint,
        "leadership of epoch " + old.epoch + " lost (" + reason + ")")));
    old.reads.drain().forEach(r -> out.add(new Output.RequestFailed(r, false, hint,
        "leadership of epoch " + old.epoch + " lost (" + reason + ")")));
    out.add(new Output.SteppedDown(old.epoch, reason));
  }

  private void failNotLeader(long requestId) {
    out.add(new Output.RequestFailed(requestId, false, leaderHint(),
        "replica " + id + " does not serve this shard now" + (leaderHint() == null ? "" : "; try " + leaderHint())));
  }

  private void send(String to, Message m) {
    out.add(new Output.Send(to, m));
  }

  private List<Output> drain() {
    List<Output> result = List.copyOf(out);
    out.clear();
    return result;
  }
}
