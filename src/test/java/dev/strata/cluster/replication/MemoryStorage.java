package dev.strata.cluster.replication;

import dev.strata.WriteBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@link ReplicaStorage} in memory, for the simulation and the rule tests: "durable" means it
 * survives the {@link Replica} object, which the simulation throws away on a crash. It checks the
 * contract (appends follow, truncations spare applied entries) as strictly as {@link ShardStore}.
 * Not thread-safe.
 */
final class MemoryStorage implements ReplicaStorage {
  private long promisedEpoch;
  private String promisedTo;
  private final TreeMap<Long, LogEntry> log = new TreeMap<>();
  private long firstIndex = 1;
  private long snapshotEpoch;
  private long appliedIndex;
  private long commitIndex;
  private List<String> config = List.of();
  /** User data, hex key -> value, in key order. */
  private final TreeMap<String, byte[]> data = new TreeMap<>();
  private Consumer<LogEntry> onApply = e -> { };

  /** Called with every entry applied here (the simulation checks that all replicas apply the same). */
  MemoryStorage onApply(Consumer<LogEntry> listener) {
    this.onApply = listener;
    return this;
  }

  /** A copy of everything, as a checkpoint of this replica's store would hold. */
  MemoryStorage copy() {
    MemoryStorage c = new MemoryStorage();
    c.promisedEpoch = promisedEpoch;
    c.promisedTo = promisedTo;
    c.log.putAll(log);
    c.firstIndex = firstIndex;
    c.snapshotEpoch = snapshotEpoch;
    c.appliedIndex = appliedIndex;
    c.commitIndex = commitIndex;
    c.config = config;
    data.forEach((k, v) -> c.data.put(k, v.clone()));
    c.onApply = onApply;
    return c;
  }

  byte[] get(byte[] key) {
    byte[] v = data.get(HexFormat.of().formatHex(key));
    return v == null ? null : v.clone();
  }

  /** The user data as "key=value" lines, for comparing replicas. */
  String dump() {
    StringBuilder b = new StringBuilder();
    data.forEach((k, v) -> b.append(k).append('=').append(new String(v)).append('\n'));
    return b.toString();
  }

  Map<String, byte[]> data() {
    return data;
  }

  @Override
  public long promisedEpoch() {
    return promisedEpoch;
  }

  @Override
  public String promisedTo() {
    return promisedTo;
  }

  @Override
  public void promise(long epoch, String to) {
    if (epoch < promisedEpoch) {
      throw new IllegalStateException("promise " + epoch + " below " + promisedEpoch);
    }
    promisedEpoch = epoch;
    promisedTo = to;
  }

  @Override
  public long firstIndex() {
    return firstIndex;
  }

  @Override
  public long lastIndex() {
    return log.isEmpty() ? firstIndex - 1 : log.lastKey();
  }

  @Override
  public long epochAt(long index) {
    if (index == 0) {
      return 0;
    }
    if (index == firstIndex - 1) {
      return snapshotEpoch;
    }
    return entry(index).epoch();
  }

  @Override
  public LogEntry entry(long index) {
    LogEntry e = log.get(index);
    if (e == null) {
      throw new IllegalArgumentException("no log entry " + index + " in " + firstIndex + ".." + lastIndex());
    }
    return e;
  }

  @Override
  public List<LogEntry> entries(long from, long to, int max) {
    List<LogEntry> result = new ArrayList<>();
    for (LogEntry e : log.subMap(from, true, to, true).values()) {
      if (result.size() == max) {
        break;
      }
      result.add(e);
    }
    return result;
  }

  @Override
  public void append(List<LogEntry> entries) {
    long expected = lastIndex() + 1;
    for (LogEntry e : entries) {
      if (e.index() != expected++) {
        throw new IllegalArgumentException("entry " + e.index() + " does not follow " + (expected - 2));
      }
      log.put(e.index(), e);
    }
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    if (fromIndex <= appliedIndex) {
      throw new IllegalArgumentException("truncating applied entries from " + fromIndex + ", applied " + appliedIndex);
    }
    log.tailMap(fromIndex, true).clear();
  }

  @Override
  public void truncatePrefix(long throughIndex) {
    if (throughIndex > appliedIndex) {
      throw new IllegalArgumentException("dropping unapplied entries through " + throughIndex);
    }
    if (throughIndex < firstIndex) {
      return;
    }
    snapshotEpoch = epochAt(throughIndex);
    log.headMap(throughIndex, true).clear();
    firstIndex = throughIndex + 1;
  }

  @Override
  public long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public long commitIndex() {
    return commitIndex;
  }

  @Override
  public List<String> appliedConfig() {
    return config;
  }

  @Override
  public void apply(LogEntry entry, long commit) {
    if (entry.index() != appliedIndex + 1) {
      throw new IllegalArgumentException("applying " + entry.index() + " after " + appliedIndex);
    }
    if (entry.payload() instanceof LogEntry.Write w) {
      WriteBatch b = BatchCodec.decode(w.batch());
      for (int i = 0; i < b.count(); i++) {
        String k = HexFormat.of().formatHex(b.key(i));
        if (b.isDelete(i)) {
          data.remove(k);
        } else {
          data.put(k, Arrays.copyOf(b.value(i), b.value(i).length));
        }
      }
    } else if (entry.payload() instanceof LogEntry.Config c) {
      config = c.members();
    }
    appliedIndex = entry.index();
    commitIndex = commit;
    onApply.accept(entry);
  }
}
