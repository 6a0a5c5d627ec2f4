package dev.strata.cli;

import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.Snapshot;
import dev.strata.StrataStats;
import dev.strata.Transaction;
import dev.strata.TransactionConflictException;
import java.util.Locale;
import java.util.function.UnaryOperator;

/** {@link KeyValueStore} over a {@link Strata} store, which it owns. Thread-safe, as Strata is. */
final class StrataStore implements KeyValueStore {
  private final Strata db;

  StrataStore(Strata db) {
    this.db = db;
  }

  @Override
  public void put(byte[] key, byte[] value) {
    db.put(key, value);
  }

  @Override
  public byte[] get(byte[] key) {
    return db.get(key);
  }

  @Override
  public void delete(byte[] key) {
    db.delete(key);
  }

  @Override
  public StrataIterator scan(Bound lower, Bound upper) {
    return db.scan(lower, upper);
  }

  @Override
  public void flush() {
    db.flush();
  }

  @Override
  public ReadView snapshot() {
    Snapshot snap = db.snapshot();
    return new ReadView() {
      @Override
      public byte[] get(byte[] key) {
        return snap.get(key);
      }

      @Override
      public void close() {
        snap.close();
      }
    };
  }

  @Override
  public boolean readModifyWrite(byte[] key, UnaryOperator<byte[]> update) {
    try (Transaction txn = db.begin()) {
      txn.put(key, update.apply(txn.get(key)));
      txn.commit();
      return true;
    } catch (TransactionConflictException e) {
      return false;
    }
  }

  @Override
  public void compact() {
    db.compact();
  }

  @Override
  public void waitForBackgroundWork() {
    db.waitForCompactions();
  }

  @Override
  public long syncCount() {
    return db.stats().walSyncs();
  }

  @Override
  public String statsReport() {
    StrataStats stats = db.stats();
    if (stats == null) {
      return "(the store reported no statistics)";
    }
    StringBuilder report = new StringBuilder(stats.toString());
    long user = stats.userBytesWritten();
    if (user > 0) {
      long written = stats.walBytesWritten() + stats.flushBytesWritten() + stats.compactionBytesWritten();
      report.append(String.format(Locale.ROOT, "%nwrite amplification: %.2f (wal + flush + compaction over user bytes)",
          (double) written / user));
    }
    return report.toString();
  }

  @Override
  public void close() {
    db.close();
  }
}
