package dev.strata.cluster.replication;

import dev.strata.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A deterministic simulation of one shard's replicas: one seed decides every message loss, delay,
 * duplication and reordering, every partition, crash and restart, every leader change (including
 * a deposed leader that still believes it leads), configuration change and client request. The
 * durable state ({@link MemoryStorage}) survives a crash; the {@link Replica} object, in-flight
 * messages to the node and its unanswered client requests do not.
 *
 * <p>It checks, while running: no two replicas apply different entries at one index; an
 * acknowledged write is the entry at the index it was acknowledged with; a read never returns a
 * value older than a write acknowledged before the read began. At the end it heals everything and
 * checks that the shard serves again, that every replica of the configuration holds the same data,
 * that this data is the fold of the committed log, and that every key holds its last acknowledged
 * value or a later committed one. Violations are collected, not thrown, so a test can show them.
 */
final class ReplicationSimulation {
  private static final int KEYS = 6;

  private final long seed;
  private final Random rnd;
  private final ReplicaSettings settings = new ReplicaSettings(8, 64, 2, 40, 10, 20);
  private final List<String> pool = new ArrayList<>();
  private final Map<String, MemoryStorage> storage = new HashMap<>();
  private final Map<String, Replica> live = new HashMap<>();
  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private final List<String> violations = new ArrayList<>();
  private final TreeMap<Long, LogEntry> committed = new TreeMap<>();
  private final Map<String, Long> valueIndex = new HashMap<>();
  private final Map<Long, Op> pending = new LinkedHashMap<>();
  /** Per key: the log index and clock of each acknowledged write of it. */
  private final Map<String, List<long[]>> acked = new HashMap<>();
  private final boolean epochRule;
  private Set<String> partition;
  private String designated;
  private List<String> lastConfig;
  private long now;
  private long clock;
  private long nextRequest = 1;
  private long eventSeq;
  private int ackedWrites;
  private int servedReads;
  private int checkpoints;
  private int leaderChanges;
  /** Steps in which two or more replicas believed they led. */
  private int dualLeaderSteps;

  private record Op(long id, String node, boolean write, String[] keys, byte[] encoded, long start) {}

  private record Event(long at, long seq, String to, Message message, MemoryStorage checkpoint)
      implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
    }
  }

  ReplicationSimulation(long seed, int replicas, boolean epochRule) {
    this.seed = seed;
    this.rnd = new Random(seed);
    this.epochRule = epochRule;
    for (int i = 0; i <= replicas; i++) {
      pool.add("r" + i);
    }
    lastConfig = pool.subList(0, replicas);
    Consumer<LogEntry> check = this::applied;
    for (String id : pool) {
      MemoryStorage s = new MemoryStorage().onApply(check);
      if (lastConfig.contains(id)) {
        Replica.bootstrap(s, lastConfig);
      }
      storage.put(id, s);
      live.put(id, open(id));
    }
    designated = lastConfig.get(rnd.nextInt(replicas));
  }

  private Replica open(String id) {
    Replica r = Replica.open(id, storage.get(id), settings);
    r.refusesOlderEpochs = epochRule;
    return r;
  }

  List<String> violations() {
    return violations;
  }

  int acknowledgedWrites() {
    return ackedWrites;
  }

  int servedReads() {
    return servedReads;
  }

  String summary() {
    return "seed " + seed + ": " + ackedWrites + " writes acknowledged, " + servedReads + " reads served, "
        + committed.size() + " entries committed, " + checkpoints + " checkpoints, " + leaderChanges
        + " leader changes, " + dualLeaderSteps + " steps with two leaders, " + violations.size() + " violations";
  }

  /** Runs {@code steps} steps of chaos, then heals and checks the end state. */
  ReplicationSimulation run(int steps) {
    try {
      for (int i = 0; i < steps && violations.isEmpty(); i++) {
        step(true);
      }
      if (violations.isEmpty()) {
        heal();
      }
    } catch (RuntimeException e) {
      violations.add("exception at step " + now + ": " + e + " at "
          + java.util.Arrays.stream(e.getStackTrace()).limit(4).map(String::valueOf).toList());
    }
    return this;
  }

  private void step(boolean chaos) {
    now++;
    if (chaos) {
      chaos();
    }
    if (!lastConfig.contains(designated)) {
      // Placement follows the replica set: a removed leader is replaced.
      designated = lastConfig.get(rnd.nextInt(lastConfig.size()));
      leaderChanges++;
    }
    Replica leader = live.get(designated);
    if (leader != null && !leader.isLeading() && rnd.nextInt(4) == 0) {
      handle(designated, leader.startLeading());
    }
    if (chaos && rnd.nextInt(3) == 0) {
      clientRequest();
    }
    if (now % 3 == 0) {
      for (String id : pool) {
        Replica r = live.get(id);
        if (r != null) {
          handle(id, r.tick());
        }
      }
    }
    while (!events.isEmpty() && events.peek().at <= now) {
      deliver(events.poll());
    }
    if (live.values().stream().filter(Replica::isLeading).count() > 1) {
      dualLeaderSteps++;
    }
  }

  private void chaos() {
    int dice = rnd.nextInt(1000);
    if (dice < 8) {
      crashOne();
    } else if (dice < 20) {
      restartOne();
    } else if (dice < 26) {
      partition = partition == null ? randomMinority() : null;
    } else if (dice < 34) {
      moveLeader(rnd.nextBoolean());
    } else if (dice < 38) {
      changeConfig();
    }
  }

  private void crashOne() {
    List<String> up = pool.stream().filter(live::containsKey).toList();
    if (up.isEmpty()) {
      return;
    }
    String id = up.get(rnd.nextInt(up.size()));
    live.remove(id);
    pending.values().removeIf(op -> op.node.equals(id));
  }

  private void restartOne() {
    List<String> down = pool.stream().filter(id -> !live.containsKey(id)).toList();
    if (!down.isEmpty()) {
      String id = down.get(rnd.nextInt(down.size()));
      live.put(id, open(id));
    }
  }

  private Set<String> randomMinority() {
    List<String> members = new ArrayList<>(pool);
    java.util.Collections.shuffle(members, rnd);
    return new TreeSet<>(members.subList(0, 1 + rnd.nextInt((pool.size() - 1) / 2)));
  }

  /** Placement moves the leader; the old one is told to stop only if {@code tellOld}, else it still believes it leads. */
  private void moveLeader(boolean tellOld) {
    String next = lastConfig.get(rnd.nextInt(lastConfig.size()));
    if (next.equals(designated)) {
      return;
    }
    Replica old = live.get(designated);
    if (tellOld && old != null) {
      handle(designated, old.stopLeading());
    }
    designated = next;
    leaderChanges++;
  }

  private void changeConfig() {
    Replica leader = live.get(designated);
    if (leader == null || !leader.isServing()) {
      return;
    }
    List<String> config = new ArrayList<>(leader.config());
    if (config.size() < pool.size()) {
      config.add(pool.stream().filter(id -> !config.contains(id)).findFirst().orElseThrow());
    } else {
      List<String> others = config.stream().filter(id -> !id.equals(designated)).toList();
      config.remove(others.get(rnd.nextInt(others.size())));
    }
    long id = nextRequest++;
    pending.put(id, new Op(id, designated, false, new String[0], null, ++clock));
    handle(designated, leader.changeConfig(id, config));
  }

  /** Clients mostly ask the designated leader, sometimes any replica that believes it leads (a deposed one too). */
  private void clientRequest() {
    String node = designated;
    if (rnd.nextInt(4) == 0) {
      List<String> leading = pool.stream().filter(id -> live.containsKey(id) && live.get(id).isLeading()).toList();
      if (!leading.isEmpty()) {
        node = leading.get(rnd.nextInt(leading.size()));
      }
    }
    Replica r = live.get(node);
    if (r == null) {
      return;
    }
    clientRequest(node, r);
  }

  private void clientRequest(String node, Replica r) {
    long id = nextRequest++;
    if (rnd.nextInt(5) < 3) {
      WriteBatch b = new WriteBatch();
      int n = 1 + rnd.nextInt(2);
      String[] keys = new String[n];
      for (int i = 0; i < n; i++) {
        keys[i] = "k" + rnd.nextInt(KEYS);
        b.put(keys[i].getBytes(StandardCharsets.UTF_8), ("v" + id + "." + i).getBytes(StandardCharsets.UTF_8));
      }
      pending.put(id, new Op(id, node, true, keys, BatchCodec.encode(b), ++clock));
      handle(node, r.propose(id, b));
    } else {
      pending.put(id, new Op(id, node, false, new String[] {"k" + rnd.nextInt(KEYS)}, null, ++clock));
      handle(node, r.read(id));
    }
  }

  // ---------------------------------------------------------------- outputs and messages

  private void handle(String node, List<Output> outputs) {
    for (Output o : outputs) {
      if (o instanceof Output.Send s) {
        send(s.to(), s.message());
      } else if (o instanceof Output.WriteAcked a) {
        writeAcked(node, a);
      } else if (o instanceof Output.ReadReady r) {
        readReady(node, r);
      } else if (o instanceof Output.RequestFailed f) {
        Op op = pending.remove(f.requestId());
        if (op == null) {
          violations.add("request " + f.requestId() + " failed twice or was never made: " + f);
        }
      } else if (o instanceof Output.CheckpointNeeded c) {
        MemoryStorage source = storage.get(c.source());
        if (live.containsKey(c.source())) {
          events.add(new Event(now + 5 + rnd.nextInt(20), eventSeq++, c.target(), null, source.copy()));
        }
      }
    }
  }

  private void send(String to, Message m) {
    if (rnd.nextInt(100) < 10) {
      return;
    }
    int copies = rnd.nextInt(100) < 5 ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      int delay = 1 + (rnd.nextInt(10) == 0 ? rnd.nextInt(40) : rnd.nextInt(6));
      events.add(new Event(now + delay, eventSeq++, to, m, null));
    }
  }

  private void deliver(Event e) {
    Replica r = live.get(e.to);
    if (r == null) {
      return;
    }
    if (e.checkpoint != null) {
      install(e.to, e.checkpoint);
      return;
    }
    if (partition != null && partition.contains(e.message.from()) != partition.contains(e.to)) {
      return;
    }
    handle(e.to, r.receive(e.message));
  }

  private void install(String target, MemoryStorage checkpoint) {
    if (!Replica.mayInstallCheckpoint(storage.get(target), checkpoint)) {
      return;
    }
    checkpoints++;
    storage.put(target, checkpoint);
    live.put(target, open(target));
    pending.values().removeIf(op -> op.node.equals(target));
  }

  // ---------------------------------------------------------------- checks while running

  private void applied(LogEntry e) {
    LogEntry before = committed.putIfAbsent(e.index(), e);
    if (before != null && !before.equals(e)) {
      violations.add("index " + e.index() + " applied as " + before + " and as " + e);
    }
    if (before == null && e.payload() instanceof LogEntry.Write w) {
      WriteBatch b = BatchCodec.decode(w.batch());
      for (int i = 0; i < b.count(); i++) {
        valueIndex.put(new String(b.value(i), StandardCharsets.UTF_8), e.index());
      }
    }
    if (before == null && e.payload() instanceof LogEntry.Config c) {
      lastConfig = c.members();
    }
  }

  private void writeAcked(String node, Output.WriteAcked a) {
    Op op = pending.remove(a.requestId());
    if (op == null) {
      violations.add("request " + a.requestId() + " acknowledged twice or never made");
      return;
    }
    LogEntry e = committed.get(a.index());
    if (e == null) {
      violations.add("request " + a.requestId() + " acknowledged at index " + a.index() + ", which no replica applied");
    } else if (op.write && !e.payload().equals(new LogEntry.Write(op.encoded))) {
      violations.add("write " + a.requestId() + " acknowledged at index " + a.index() + ", which holds " + e);
    } else if (!op.write && !(e.payload() instanceof LogEntry.Config)) {
      violations.add("config change " + a.requestId() + " acknowledged at index " + a.index() + ", which holds " + e);
    }
    if (op.write) {
      ackedWrites++;
      long ack = ++clock;
      for (String k : op.keys) {
        acked.computeIfAbsent(k, x -> new ArrayList<>()).add(new long[] {a.index(), ack});
      }
    }
  }

  private void readReady(String node, Output.ReadReady r) {
    Op op = pending.remove(r.requestId());
    if (op == null) {
      violations.add("read " + r.requestId() + " served twice or never made");
      return;
    }
    servedReads++;
    String key = op.keys[0];
    byte[] value = storage.get(node).get(key.getBytes(StandardCharsets.UTF_8));
    long index = value == null ? 0 : valueIndex.getOrDefault(new String(value, StandardCharsets.UTF_8), -1L);
    if (index < 0) {
      violations.add("read " + r.requestId() + " of " + key + " at " + node + " returned uncommitted " + new String(value));
    }
    long newest = newestAckedBefore(key, op.start);
    if (index < newest) {
      violations.add("read " + r.requestId() + " of " + key + " at " + node + " returned the value of index " + index
          + ", older than the write at index " + newest + " acknowledged before the read began");
    }
  }

  private long newestAckedBefore(String key, long clockLimit) {
    long newest = 0;
    for (long[] a : acked.getOrDefault(key, List.of())) {
      if (a[1] < clockLimit) {
        newest = Math.max(newest, a[0]);
      }
    }
    return newest;
  }

  // ---------------------------------------------------------------- the end

  private void heal() {
    partition = null;
    for (String id : pool) {
      if (!live.containsKey(id)) {
        live.put(id, open(id));
      }
    }
    designated = lastConfig.get(rnd.nextInt(lastConfig.size()));
    for (String id : pool) {
      if (!id.equals(designated)) {
        handle(id, live.get(id).stopLeading());
      }
    }
    for (int i = 0; i < 5_000 && !converged(); i++) {
      step(false);
    }
    Replica leader = live.get(designated);
    if (!converged()) {
      violations.add("no convergence after healing: " + pool.stream().map(id -> live.get(id).toString()).toList()
          + ", applied "
          + pool.stream().map(id -> id + "=" + storage.get(id).appliedIndex()).toList() + ", pending "
          + pending.values().stream().limit(3).toList());
      return;
    }
    int before = ackedWrites;
    long id = nextRequest++;
    WriteBatch last = new WriteBatch().put("k0".getBytes(StandardCharsets.UTF_8), ("v" + id + ".0").getBytes(StandardCharsets.UTF_8));
    pending.put(id, new Op(id, designated, true, new String[] {"k0"}, BatchCodec.encode(last), ++clock));
    handle(designated, leader.propose(id, last));
    for (int i = 0; i < 2_000 && !converged(); i++) {
      step(false);
    }
    if (ackedWrites == before) {
      violations.add("a write after healing was not acknowledged");
    }
    checkEndState(live.get(designated));
  }

  private boolean converged() {
    Replica leader = live.get(designated);
    if (!leader.isServing() || !pending.isEmpty()) {
      return false;
    }
    long commit = leader.commitIndex();
    return storage.get(designated).lastIndex() == commit
        && leader.config().stream().allMatch(id -> storage.get(id).appliedIndex() == commit);
  }

  private void checkEndState(Replica leader) {
    String expected = storage.get(designated).dump();
    for (String id : leader.config()) {
      String actual = storage.get(id).dump();
      if (!actual.equals(expected)) {
        violations.add("replica " + id + " holds\n" + actual + "but leader " + designated + " holds\n" + expected);
      }
    }
    TreeMap<String, byte[]> fold = new TreeMap<>();
    for (long i = 1; i <= storage.get(designated).appliedIndex(); i++) {
      LogEntry e = committed.get(i);
      if (e == null) {
        violations.add("no replica applied index " + i);
        return;
      }
      if (e.payload() instanceof LogEntry.Write w) {
        WriteBatch b = BatchCodec.decode(w.batch());
        for (int j = 0; j < b.count(); j++) {
          fold.put(HexFormat.of().formatHex(b.key(j)), b.value(j));
        }
      }
    }
    StringBuilder folded = new StringBuilder();
    fold.forEach((k, v) -> folded.append(k).append('=').append(new String(v)).append('\n'));
    if (!folded.toString().equals(expected)) {
      violations.add("leader data is not the fold of the committed log:\n" + expected + "vs\n" + folded);
    }
    for (Map.Entry<String, List<long[]>> e : acked.entrySet()) {
      byte[] value = storage.get(designated).get(e.getKey().getBytes(StandardCharsets.UTF_8));
      long index = value == null ? 0 : valueIndex.getOrDefault(new String(value, StandardCharsets.UTF_8), -1L);
      long newest = newestAckedBefore(e.getKey(), Long.MAX_VALUE);
      if (index < newest) {
        violations.add("key " + e.getKey() + " ends with the value of index " + index
            + " though the write at index " + newest + " was acknowledged");
      }
    }
  }
}
