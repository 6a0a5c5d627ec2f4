package dev.strata.mvcc;

import dev.strata.Bound;
import dev.strata.WriteBatch;
import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A transaction's private writes, newest per key, in key order: what its own reads see first and
 * what its commit turns into one write batch. A delete is kept as a tombstone so that it hides
 * the snapshot's value. Not thread-safe: a transaction belongs to one thread at a time.
 */
public final class WriteSet {
  /** Stands for a delete; compared by identity. */
  private static final byte[] TOMBSTONE = new byte[0];

  private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);

  /** Records a put; key and value are copied. */
  public void put(byte[] key, byte[] value) {
    writes.put(key.clone(), value.clone());
  }

  /** Records a delete. */
  public void delete(byte[] key) {
    writes.put(key.clone(), TOMBSTONE);
  }

  public boolean isEmpty() {
    return writes.isEmpty();
  }

  /** Whether this set decides {@code key}: it holds a put or a delete of it. */
  public boolean contains(byte[] key) {
    return writes.containsKey(key);
  }

  /** The value written for {@code key}, or null when it was deleted (see {@link #contains}). */
  public byte[] get(byte[] key) {
    byte[] v = writes.get(key);
    return v == null || v == TOMBSTONE ? null : v.clone();
  }

  /** The writes with keys between the bounds, in key order; a null value is a delete. */
  public NavigableMap<byte[], byte[]> range(Bound lower, Bound upper) {
    NavigableMap<byte[], byte[]> view = writes;
    if (!lower.isUnbounded()) {
      view = view.tailMap(lower.key(), lower.kind() == Bound.Kind.INCLUDED);
    }
    TreeMap<byte[], byte[]> copy = new TreeMap<>(Arrays::compareUnsigned);
    for (Map.Entry<byte[], byte[]> e : view.entrySet()) {
      // The upper bound is checked here rather than with headMap, which throws when the bounds
      // cross; crossed bounds select nothing, as they do in a scan of the store.
      if (!upper.isUnbounded()) {
        int c = Arrays.compareUnsigned(e.getKey(), upper.key());
        if (upper.kind() == Bound.Kind.INCLUDED ? c > 0 : c >= 0) {
          break;
        }
      }
      copy.put(e.getKey(), e.getValue() == TOMBSTONE ? null : e.getValue());
    }
    return copy;
  }

  /** Every key written, in order. */
  public Iterable<byte[]> keys() {
    return writes.keySet();
  }

  /** The writes as one batch, in key order, committed at consecutive sequences. */
  public WriteBatch toBatch() {
    WriteBatch batch = new WriteBatch();
    for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
      if (e.getValue() == TOMBSTONE) {
        batch.delete(e.getKey());
      } else {
        batch.put(e.getKey(), e.getValue());
      }
    }
    return batch;
  }
}
