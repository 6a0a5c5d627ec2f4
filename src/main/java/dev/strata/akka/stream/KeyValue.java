package dev.strata.akka.stream;

import dev.strata.Limits;
import dev.strata.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One element of a Strata stream: a put of a value under a key, or a delete of a key. What
 * {@link StrataFlow} and {@link StrataSink} write and what {@link StrataSource} emits (always
 * puts). An empty value is a real value, as in the store; a delete is a tombstone, never an empty
 * value.
 *
 * <p>Immutable and thread-safe: the factories copy the arrays they are given, and
 * {@link #key()} and {@link #value()} return copies, so neither side can change an element
 * another stage holds. Two elements are equal when they are the same operation on equal bytes.
 */
public final class KeyValue {
  private final byte[] key;
  /** Null for a delete. */
  private final byte[] value;

  private KeyValue(byte[] key, byte[] value) {
    this.key = key;
    this.value = value;
  }

  /**
   * A put of {@code value} under {@code key}. Throws {@link NullPointerException} for a null
   * array and {@link IllegalArgumentException} past the store's size limits
   * ({@link Limits#MAX_KEY_BYTES}, {@link Limits#MAX_VALUE_BYTES}), here rather than when the
   * batch is written.
   */
  public static KeyValue put(byte[] key, byte[] value) {
    checkKey(key);
    Objects.requireNonNull(value, "value must not be null (use delete to remove a key)");
    if (value.length > Limits.MAX_VALUE_BYTES) {
      throw new IllegalArgumentException("value is " + value.length + " bytes; the limit is " + Limits.MAX_VALUE_BYTES);
    }
    return new KeyValue(key.clone(), value.clone());
  }

  /** A delete (a tombstone) of {@code key}; deleting an absent key is fine. */
  public static KeyValue delete(byte[] key) {
    checkKey(key);
    return new KeyValue(key.clone(), null);
  }

  /** The store's own check, made early, in the store's words. */
  private static void checkKey(byte[] key) {
    Objects.requireNonNull(key, "key must not be null");
    if (key.length > Limits.MAX_KEY_BYTES) {
      throw new IllegalArgumentException("key is " + key.length + " bytes; the limit is " + Limits.MAX_KEY_BYTES);
    }
  }

  /** A put of arrays nobody else holds (an iterator's copies): no second copy. */
  static KeyValue owning(byte[] key, byte[] value) {
    return new KeyValue(key, value);
  }

  /** A copy of the key. */
  public byte[] key() {
    return key.clone();
  }

  /** A copy of the value, or null when this is a delete. */
  public byte[] value() {
    return value == null ? null : value.clone();
  }

  public boolean isDelete() {
    return value == null;
  }

  /** The key itself, for the stages of this package, which do not modify it. */
  byte[] keyArray() {
    return key;
  }

  /** Key and value bytes, as a {@link WriteBatch} counts them: the weight of the element in a batch. */
  long dataBytes() {
    return (long) key.length + (value == null ? 0 : value.length);
  }

  /** Appends this operation to {@code batch} (which copies the arrays). */
  void addTo(WriteBatch batch) {
    if (value == null) {
      batch.delete(key);
    } else {
      batch.put(key, value);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyValue other && Arrays.equals(key, other.key) && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(key) + Arrays.hashCode(value); // null (a delete) 0, empty 1
  }

  /** The bytes as UTF-8 (malformed bytes replaced), for logs and test failures. */
  @Override
  public String toString() {
    String k = new String(key, StandardCharsets.UTF_8);
    return value == null ? "delete(" + k + ")" : "put(" + k + ", " + new String(value, StandardCharsets.UTF_8) + ")";
  }
}
