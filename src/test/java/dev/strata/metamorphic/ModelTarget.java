package dev.strata.metamorphic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The specification the store is compared with: a {@link TreeMap} (string order is byte order for
 * the generator's ASCII keys), snapshots and open iterators as copies of it, transactions as a
 * copy plus their own writes. Commits follow snapshot isolation: a transaction that writes a key
 * some other write committed after it began fails with a conflict, and a transaction with no
 * writes always commits. Every write takes the next sequence number, as in the store. Not
 * thread-safe.
 */
final class ModelTarget implements Target {
  /** A transaction's delete, told apart from a value by identity. */
  private static final String TOMBSTONE = new String("tombstone");

  private final TreeMap<String, String> data = new TreeMap<>();
  private final Map<String, Long> lastWrite = new HashMap<>();
  private final Map<Integer, TreeMap<String, String>> snapshots = new HashMap<>();
  private final Map<Integer, Iterator<Map.Entry<String, String>>> iterators = new HashMap<>();
  private final Map<Integer, Txn> transactions = new HashMap<>();
  private long sequence;

  private record Txn(long start, TreeMap<String, String> snapshot, TreeMap<String, String> writes) {}

  @Override
  public String apply(Op op) {
    if (op instanceof Op.Put p) {
      write(p.key(), p.value());
      return "ok";
    } else if (op instanceof Op.Delete d) {
      write(d.key(), null);
      return "ok";
    } else if (op instanceof Op.Batch b) {
      b.writes().forEach(w -> write(w.key(), w.value()));
      return "ok";
    } else if (op instanceof Op.Get g) {
      return Target.describe(data.get(g.key()));
    } else if (op instanceof Op.Scan s) {
      return Target.entries(range(data, s.lower(), s.upper()).iterator(), s.limit());
    } else if (op instanceof Op.NewSnapshot n) {
      snapshots.put(n.id(), new TreeMap<>(data));
      return "ok";
    } else if (op instanceof Op.SnapshotGet g) {
      return Target.describe(snapshots.get(g.id()).get(g.key()));
    } else if (op instanceof Op.SnapshotScan s) {
      return Target.entries(range(snapshots.get(s.id()), s.lower(), s.upper()).iterator(), s.limit());
    } else if (op instanceof Op.CloseSnapshot c) {
      snapshots.remove(c.id());
      return "ok";
    } else if (op instanceof Op.OpenIterator o) {
      iterators.put(o.id(), range(data, o.lower(), o.upper()).iterator());
      return "ok";
    } else if (op instanceof Op.IteratorNext n) {
      return Target.entries(iterators.get(n.id()), n.count());
    } else if (op instanceof Op.CloseIterator c) {
      iterators.remove(c.id());
      return "ok";
    } else if (op instanceof Op.Begin b) {
      transactions.put(b.id(), new Txn(sequence, new TreeMap<>(data), new TreeMap<>()));
      return "ok";
    } else if (op instanceof Op.TxnPut p) {
      transactions.get(p.id()).writes().put(p.key(), p.value());
      return "ok";
    } else if (op instanceof Op.TxnDelete d) {
      transactions.get(d.id()).writes().put(d.key(), TOMBSTONE);
      return "ok";
    } else if (op instanceof Op.TxnGet g) {
      return Target.describe(view(transactions.get(g.id())).get(g.key()));
    } else if (op instanceof Op.TxnScan s) {
      return Target.entries(range(view(transactions.get(s.id())), s.lower(), s.upper()).iterator(), s.limit());
    } else if (op instanceof Op.Commit c) {
      return commit(transactions.remove(c.id()));
    } else if (op instanceof Op.Rollback r) {
      transactions.remove(r.id());
      return "ok";
    } else if (op instanceof Op.Flush || op instanceof Op.Compact || op instanceof Op.Reopen) {
      return "ok";
    }
    throw new IllegalArgumentException("unknown operation " + op);
  }

  private void write(String key, String value) {
    sequence++;
    lastWrite.put(key, sequence);
    if (value == null) {
      data.remove(key);
    } else {
      data.put(key, value);
    }
  }

  private String commit(Txn t) {
    if (t.writes().isEmpty()) {
      return "ok";
    }
    for (String key : t.writes().keySet()) {
      if (lastWrite.getOrDefault(key, 0L) > t.start()) {
        return "conflict";
      }
    }
    t.writes().forEach((k, v) -> write(k, v == TOMBSTONE ? null : v));
    return "ok";
  }

  /** The transaction's snapshot with its own writes laid over it. */
  private static TreeMap<String, String> view(Txn t) {
    TreeMap<String, String> v = new TreeMap<>(t.snapshot());
    t.writes().forEach((k, val) -> {
      if (val == TOMBSTONE) {
        v.remove(k);
      } else {
        v.put(k, val);
      }
    });
    return v;
  }

  /** The entries between the bounds, copied (so later writes do not show); empty when they cross. */
  static List<Map.Entry<String, String>> range(NavigableMap<String, String> map, Op.Bound lower, Op.Bound upper) {
    NavigableMap<String, String> tail = lower.kind() == 'u' ? map : map.tailMap(lower.key(), lower.kind() == 'i');
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (Map.Entry<String, String> e : tail.entrySet()) {
      if (upper.kind() != 'u') {
        int c = e.getKey().compareTo(upper.key());
        if (upper.kind() == 'i' ? c > 0 : c >= 0) {
          break;
        }
      }
      out.add(Map.entry(e.getKey(), e.getValue()));
    }
    return out;
  }

  @Override
  public void close() {}
}
