package dev.strata;

import dev.strata.key.KeyLimits;
import java.util.Arrays;

/**
 * An ordered group of puts and deletes applied all or nothing. Keys and values are copied when
 * added, so the caller may reuse its arrays. Not thread-safe: build it on one thread, then hand it
 * to {@link Strata#write}; do not modify a batch while a write of it is in flight.
 */
public final class WriteBatch {
  private byte[][] keys = new byte[8][];
  private byte[][] values = new byte[8][];
  private int count;
  private long dataBytes;

  public WriteBatch() {}

  /** Adds a put of {@code value} under {@code key}; an empty value is a real value. */
  public WriteBatch put(byte[] key, byte[] value) {
    KeyLimits.checkKey(key);
    KeyLimits.checkValue(value);
    add(key.clone(), value.clone());
    return this;
  }

  /** Adds a delete (a tombstone) of {@code key}; deleting an absent key is fine. */
  public WriteBatch delete(byte[] key) {
    KeyLimits.checkKey(key);
    add(key.clone(), null);
    return this;
  }

  private void add(byte[] key, byte[] value) {
    long bytes = (long) key.length + (value == null ? 0 : value.length);
    if (dataBytes + bytes > Limits.MAX_BATCH_BYTES) {
      throw new IllegalArgumentException("write batch would exceed " + Limits.MAX_BATCH_BYTES
          + " bytes of keys and values; split it into several batches");
    }
    if (count == keys.length) {
      keys = Arrays.copyOf(keys, count * 2);
      values = Arrays.copyOf(values, count * 2);
    }
    keys[count] = key;
    values[count] = value;
    count++;
    dataBytes += bytes;
  }

  /** The number of operations in the batch. */
  public int count() {
    return count;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** Key and value bytes held by the batch. */
  public long dataBytes() {
    return dataBytes;
  }

  /** The key of operation {@code i} (the batch's own array: do not modify it). */
  public byte[] key(int i) {
    checkIndex(i);
    return keys[i];
  }

  /** The value of operation {@code i}, or null when it is a delete. */
  public byte[] value(int i) {
    checkIndex(i);
    return values[i];
  }

  public boolean isDelete(int i) {
    checkIndex(i);
    return values[i] == null;
  }

  /** Removes every operation, so the batch can be reused. */
  public WriteBatch clear() {
    Arrays.fill(keys, 0, count, null);
    Arrays.fill(values, 0, count, null);
    count = 0;
    dataBytes = 0;
    return this;
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException("operation " + i + " of a batch of " + count);
    }
  }

  @Override
  public String toString() {
    return "WriteBatch(" + count + " ops, " + dataBytes + " bytes)";
  }
}
