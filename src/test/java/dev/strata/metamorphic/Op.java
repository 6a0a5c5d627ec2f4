package dev.strata.metamorphic;

import java.util.List;

/**
 * One operation of a metamorphic test sequence (see {@link MetamorphicTest}). Keys and values are
 * strings; a null value in a batch or transaction write is a delete. Snapshots, transactions and
 * iterators are named by small integers the generator hands out. Immutable.
 */
sealed interface Op {
  /** A scan bound: kind 'u' unbounded, 'i' included, 'e' excluded. */
  record Bound(char kind, String key) {
    static final Bound UNBOUNDED = new Bound('u', null);

    @Override
    public String toString() {
      return kind == 'u' ? "*" : (kind == 'i' ? "[" : "(") + key;
    }
  }

  record Put(String key, String value) implements Op {}

  record Delete(String key) implements Op {}

  /** A write batch: entries in order, null values are deletes. */
  record Batch(List<Write> writes) implements Op {}

  record Write(String key, String value) {}

  record Get(String key) implements Op {}

  /** Reads up to {@code limit} entries of a scan between the bounds, then closes it. */
  record Scan(Bound lower, Bound upper, int limit) implements Op {}

  record NewSnapshot(int id) implements Op {}

  record SnapshotGet(int id, String key) implements Op {}

  record SnapshotScan(int id, Bound lower, Bound upper, int limit) implements Op {}

  record CloseSnapshot(int id) implements Op {}

  /** Opens an iterator and keeps it open across later operations. */
  record OpenIterator(int id, Bound lower, Bound upper) implements Op {}

  /** Reads the next {@code count} entries of an open iterator. */
  record IteratorNext(int id, int count) implements Op {}

  record CloseIterator(int id) implements Op {}

  record Begin(int id) implements Op {}

  record TxnPut(int id, String key, String value) implements Op {}

  record TxnDelete(int id, String key) implements Op {}

  record TxnGet(int id, String key) implements Op {}

  record TxnScan(int id, Bound lower, Bound upper, int limit) implements Op {}

  record Commit(int id) implements Op {}

  record Rollback(int id) implements Op {}

  record Flush() implements Op {}

  record Compact() implements Op {}

  /** Closes the store and opens it again (with the WAL off, after a flush). */
  record Reopen() implements Op {}
}
