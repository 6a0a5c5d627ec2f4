package dev.strata.metamorphic;

import akka.actor.typed.ActorSystem;
import dev.strata.Bound;
import dev.strata.DurabilityAccess;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.Transaction;
import dev.strata.TransactionConflictException;
import dev.strata.WriteBatch;
import dev.strata.fs.FileSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A Strata store in one directory under one option set, through the public API, on the disk or
 * (through the test-only hook) on an in-memory file system. Not thread-safe.
 */
final class StoreTarget implements Target {
  private final ActorSystem<?> system;
  private final Path dir;
  private final StrataOptions options;
  /** Null: the disk. */
  private final FileSystem fs;
  private final Map<Integer, Snapshot> snapshots = new HashMap<>();
  private final Map<Integer, StrataIterator> iterators = new HashMap<>();
  private final Map<Integer, Transaction> transactions = new HashMap<>();
  private Strata db;

  StoreTarget(ActorSystem<?> system, Path dir, StrataOptions options, FileSystem fs) {
    this.system = system;
    this.dir = dir;
    this.options = options;
    this.fs = fs;
    this.db = open();
  }

  private Strata open() {
    return fs == null ? Strata.open(system, dir, options) : DurabilityAccess.open(system, dir, options, fs);
  }

  @Override
  public String apply(Op op) {
    if (op instanceof Op.Put p) {
      db.put(bytes(p.key()), bytes(p.value()));
      return "ok";
    } else if (op instanceof Op.Delete d) {
      db.delete(bytes(d.key()));
      return "ok";
    } else if (op instanceof Op.Batch b) {
      WriteBatch batch = new WriteBatch();
      for (Op.Write w : b.writes()) {
        if (w.value() == null) {
          batch.delete(bytes(w.key()));
        } else {
          batch.put(bytes(w.key()), bytes(w.value()));
        }
      }
      db.write(batch);
      return "ok";
    } else if (op instanceof Op.Get g) {
      return Target.describe(db.get(bytes(g.key())));
    } else if (op instanceof Op.Scan s) {
      return drain(db.scan(bound(s.lower()), bound(s.upper())), s.limit());
    } else if (op instanceof Op.NewSnapshot n) {
      snapshots.put(n.id(), db.snapshot());
      return "ok";
    } else if (op instanceof Op.SnapshotGet g) {
      return Target.describe(snapshots.get(g.id()).get(bytes(g.key())));
    } else if (op instanceof Op.SnapshotScan s) {
      return drain(snapshots.get(s.id()).scan(bound(s.lower()), bound(s.upper())), s.limit());
    } else if (op instanceof Op.CloseSnapshot c) {
      snapshots.remove(c.id()).close();
      return "ok";
    } else if (op instanceof Op.OpenIterator o) {
      iterators.put(o.id(), db.scan(bound(o.lower()), bound(o.upper())));
      return "ok";
    } else if (op instanceof Op.IteratorNext n) {
      return Target.entries(entries(iterators.get(n.id())), n.count());
    } else if (op instanceof Op.CloseIterator c) {
      iterators.remove(c.id()).close();
      return "ok";
    } else if (op instanceof Op.Begin b) {
      transactions.put(b.id(), db.begin());
      return "ok";
    } else if (op instanceof Op.TxnPut p) {
      transactions.get(p.id()).put(bytes(p.key()), bytes(p.value()));
      return "ok";
    } else if (op instanceof Op.TxnDelete d) {
      transactions.get(d.id()).delete(bytes(d.key()));
      return "ok";
    } else if (op instanceof Op.TxnGet g) {
      return Target.describe(transactions.get(g.id()).get(bytes(g.key())));
    } else if (op instanceof Op.TxnScan s) {
      return drain(transactions.get(s.id()).scan(bound(s.lower()), bound(s.upper())), s.limit());
    } else if (op instanceof Op.Commit c) {
      try (Transaction t = transactions.remove(c.id())) {
        t.commit();
        return "ok";
      } catch (TransactionConflictException e) {
        return "conflict";
      }
    } else if (op instanceof Op.Rollback r) {
      transactions.remove(r.id()).rollback();
      return "ok";
    } else if (op instanceof Op.Flush) {
      db.flush();
      return "ok";
    } else if (op instanceof Op.Compact) {
      db.compact();
      return "ok";
    } else if (op instanceof Op.Reopen) {
      if (!options.walEnabled()) {
        db.flush(); // close flushes too; said here because without it the writes would be gone
      }
      db.close();
      db = open();
      return "ok";
    }
    throw new IllegalArgumentException("unknown operation " + op);
  }

  private static String drain(StrataIterator it, int limit) {
    try (it) {
      return Target.entries(entries(it), limit);
    }
  }

  /** A strata iterator as a Java one over string entries (consumes the iterator as it goes). */
  private static Iterator<Map.Entry<String, String>> entries(StrataIterator it) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.isValid();
      }

      @Override
      public Map.Entry<String, String> next() {
        if (!it.isValid()) {
          throw new NoSuchElementException();
        }
        Map.Entry<String, String> e = new AbstractMap.SimpleImmutableEntry<>(string(it.key()), string(it.value()));
        it.next();
        return e;
      }
    };
  }

  private static Bound bound(Op.Bound b) {
    return switch (b.kind()) {
      case 'u' -> Bound.unbounded();
      case 'i' -> Bound.included(bytes(b.key()));
      default -> Bound.excluded(bytes(b.key()));
    };
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String string(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    iterators.values().forEach(StrataIterator::close);
    snapshots.values().forEach(Snapshot::close);
    transactions.values().forEach(Transaction::close);
    db.close();
  }
}
