package dev.strata.metamorphic;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Draws one operation sequence from a seed. Every snapshot, iterator and transaction it opens is
 * closed again, at the latest right before a reopen (which needs none open) and at the end. Keys
 * come from a small space (so reads hit written keys, and overwrites and deletes pile up versions)
 * of names of different lengths ({@code k042} sorts before {@code k042-b} before {@code k043});
 * values range from empty to larger than a data block. Not thread-safe.
 */
final class OpGenerator {
  private static final int KEYS = 300;

  private final SplittableRandom rnd;
  private final List<Op> ops = new ArrayList<>();
  private final TreeSet<Integer> snapshots = new TreeSet<>();
  private final TreeSet<Integer> iterators = new TreeSet<>();
  private final TreeSet<Integer> transactions = new TreeSet<>();
  private int nextId;

  private OpGenerator(long seed) {
    this.rnd = new SplittableRandom(seed);
  }

  static List<Op> generate(long seed, int count) {
    OpGenerator g = new OpGenerator(seed);
    while (g.ops.size() < count) {
      g.next();
    }
    g.closeAll();
    return List.copyOf(g.ops);
  }

  private void next() {
    int r = rnd.nextInt(1000);
    if (r < 250) {
      ops.add(new Op.Put(key(), value()));
    } else if (r < 330) {
      ops.add(new Op.Delete(key()));
    } else if (r < 380) {
      List<Op.Write> writes = new ArrayList<>();
      for (int i = 1 + rnd.nextInt(12); i > 0; i--) {
        writes.add(new Op.Write(key(), rnd.nextInt(5) == 0 ? null : value()));
      }
      ops.add(new Op.Batch(writes));
    } else if (r < 530) {
      ops.add(new Op.Get(key()));
    } else if (r < 580) {
      ops.add(new Op.Scan(lower(), upper(), limit()));
    } else if (r < 600) {
      int id = nextId++;
      snapshots.add(id);
      ops.add(new Op.NewSnapshot(id));
    } else if (r < 650 && !snapshots.isEmpty()) {
      ops.add(rnd.nextBoolean() ? new Op.SnapshotGet(pick(snapshots), key())
          : new Op.SnapshotScan(pick(snapshots), lower(), upper(), limit()));
    } else if (r < 665 && !snapshots.isEmpty()) {
      int id = pick(snapshots);
      snapshots.remove(id);
      ops.add(new Op.CloseSnapshot(id));
    } else if (r < 680 && iterators.size() < 4) {
      int id = nextId++;
      iterators.add(id);
      ops.add(new Op.OpenIterator(id, lower(), upper()));
    } else if (r < 710 && !iterators.isEmpty()) {
      ops.add(new Op.IteratorNext(pick(iterators), 1 + rnd.nextInt(20)));
    } else if (r < 720 && !iterators.isEmpty()) {
      int id = pick(iterators);
      iterators.remove(id);
      ops.add(new Op.CloseIterator(id));
    } else if (r < 740 && transactions.size() < 3) {
      int id = nextId++;
      transactions.add(id);
      ops.add(new Op.Begin(id));
    } else if (r < 860 && !transactions.isEmpty()) {
      int id = pick(transactions);
      int t = rnd.nextInt(10);
      ops.add(t < 4 ? new Op.TxnPut(id, key(), value()) : t < 6 ? new Op.TxnDelete(id, key())
          : t < 9 ? new Op.TxnGet(id, key()) : new Op.TxnScan(id, lower(), upper(), limit()));
    } else if (r < 890 && !transactions.isEmpty()) {
      int id = pick(transactions);
      transactions.remove(id);
      ops.add(rnd.nextInt(4) == 0 ? new Op.Rollback(id) : new Op.Commit(id));
    } else if (r < 915) {
      ops.add(new Op.Flush());
    } else if (r < 925) {
      ops.add(new Op.Compact());
    } else if (r < 932) {
      closeAll();
      ops.add(new Op.Reopen());
    } else {
      ops.add(new Op.Put(key(), value()));
    }
  }

  private void closeAll() {
    for (int id : iterators) {
      ops.add(new Op.CloseIterator(id));
    }
    for (int id : snapshots) {
      ops.add(new Op.CloseSnapshot(id));
    }
    for (int id : transactions) {
      ops.add(rnd.nextBoolean() ? new Op.Commit(id) : new Op.Rollback(id));
    }
    iterators.clear();
    snapshots.clear();
    transactions.clear();
  }

  private int pick(TreeSet<Integer> ids) {
    int skip = rnd.nextInt(ids.size());
    for (int id : ids) {
      if (skip-- == 0) {
        return id;
      }
    }
    throw new IllegalStateException();
  }

  private String key() {
    String k = String.format("k%03d", rnd.nextInt(KEYS));
    return rnd.nextInt(5) == 0 ? k + "-" + (char) ('a' + rnd.nextInt(3)) : k;
  }

  private Op.Bound lower() {
    int r = rnd.nextInt(10);
    return r < 2 ? Op.Bound.UNBOUNDED : new Op.Bound(r < 6 ? 'i' : 'e', key());
  }

  private Op.Bound upper() {
    int r = rnd.nextInt(10);
    return r < 2 ? Op.Bound.UNBOUNDED : new Op.Bound(r < 6 ? 'e' : 'i', key());
  }

  private int limit() {
    return rnd.nextInt(4) == 0 ? Integer.MAX_VALUE : 1 + rnd.nextInt(30);
  }

  private String value() {
    int r = rnd.nextInt(100);
    int length = r < 5 ? 0 : r < 90 ? 1 + rnd.nextInt(100) : 100 + rnd.nextInt(3000);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append((char) ('a' + rnd.nextInt(26)));
    }
    return sb.toString();
  }
}
