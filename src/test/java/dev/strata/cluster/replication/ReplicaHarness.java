package dev.strata.cluster.replication;

import dev.strata.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Replicas of one shard wired by hand, for the rule tests: messages wait in a queue until a test
 * delivers (or drops) them, and client outputs are collected per replica.
 */
final class ReplicaHarness {
  static final ReplicaSettings SETTINGS = new ReplicaSettings(16, 256, 1, 1_000, 1, 5);

  final ReplicaSettings settings;
  final Map<String, MemoryStorage> storage = new LinkedHashMap<>();
  final Map<String, Replica> replicas = new LinkedHashMap<>();
  final Deque<Output.Send> network = new ArrayDeque<>();
  /** Every non-Send output, in order, as "replica: output". */
  final List<String> events = new ArrayList<>();
  final List<Output> outputs = new ArrayList<>();

  ReplicaHarness() {
    this(SETTINGS);
  }

  ReplicaHarness(ReplicaSettings settings) {
    this.settings = settings;
  }

  /** A bootstrapped shard whose replica set is {@code ids}. */
  static ReplicaHarness of(String... ids) {
    return of(SETTINGS, ids);
  }

  /** A bootstrapped shard whose replica set is {@code ids}, its replicas tuned by {@code settings}. */
  static ReplicaHarness of(ReplicaSettings settings, String... ids) {
    ReplicaHarness h = new ReplicaHarness(settings);
    for (String id : ids) {
      MemoryStorage s = new MemoryStorage();
      Replica.bootstrap(s, List.of(ids));
      h.storage.put(id, s);
      h.replicas.put(id, Replica.open(id, s, settings));
    }
    return h;
  }

  /** Adds an empty, not bootstrapped replica (one that joins later). */
  ReplicaHarness withEmpty(String id) {
    MemoryStorage s = new MemoryStorage();
    storage.put(id, s);
    replicas.put(id, Replica.open(id, s, settings));
    return this;
  }

  Replica r(String id) {
    return replicas.get(id);
  }

  /** Reopens {@code id} from its durable state, as after a crash. */
  Replica restart(String id) {
    Replica r = Replica.open(id, storage.get(id), settings);
    replicas.put(id, r);
    network.removeIf(s -> s.to().equals(id));
    return r;
  }

  List<Output> handle(String id, List<Output> out) {
    for (Output o : out) {
      if (o instanceof Output.Send s) {
        network.add(s);
      } else {
        events.add(id + ": " + o);
        outputs.add(o);
      }
    }
    return out;
  }

  /** Delivers queued messages (and those they cause) until none is left; drops those {@code drop} matches. */
  ReplicaHarness deliver(Predicate<Output.Send> drop) {
    for (int i = 0; i < 10_000 && !network.isEmpty(); i++) {
      Output.Send s = network.poll();
      if (!drop.test(s)) {
        handle(s.to(), replicas.get(s.to()).receive(s.message()));
      }
    }
    return this;
  }

  ReplicaHarness deliverAll() {
    return deliver(s -> false);
  }

  /** Makes {@code id} lead and delivers everything, so that it serves. */
  ReplicaHarness lead(String id) {
    handle(id, r(id).startLeading());
    return deliverAll();
  }

  static WriteBatch put(String key, String value) {
    return new WriteBatch().put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
  }

  String value(String id, String key) {
    byte[] v = storage.get(id).get(key.getBytes(StandardCharsets.UTF_8));
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  boolean has(Output o) {
    return outputs.contains(o);
  }

  <T extends Output> List<T> outputsOf(Class<T> type) {
    return outputs.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
