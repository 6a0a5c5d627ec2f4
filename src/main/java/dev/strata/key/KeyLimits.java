package dev.strata.key;

import java.util.Objects;

/**
 * The size limits on keys and values, and the checks that enforce them at the API boundary.
 *
 * <p>Why these numbers: a key must fit the 16-bit shared/unshared fields that block prefix
 * compression leaves room for comfortably, and a value must fit one WAL record and one data block
 * without turning a single entry into a memory hazard for readers.
 */
public final class KeyLimits {
  /** Longest key accepted: 64 KiB. Empty keys are legal. */
  public static final int MAX_KEY_BYTES = 64 * 1024;
  /** Longest value accepted: 16 MiB. Empty values are legal and differ from absent. */
  public static final int MAX_VALUE_BYTES = 16 * 1024 * 1024;
  /** Most key and value bytes one write batch may carry: 256 MiB. */
  public static final long MAX_BATCH_BYTES = 256L * 1024 * 1024;

  private KeyLimits() {}

  public static byte[] checkKey(byte[] key) {
    Objects.requireNonNull(key, "key must not be null");
    if (key.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("key is " + key.length + " bytes; the limit is " + MAX_KEY_BYTES);
    }
    return key;
  }

  public static byte[] checkValue(byte[] value) {
    Objects.requireNonNull(value, "value must not be null (use delete to remove a key)");
    if (value.length > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException("value is " + value.length + " bytes; the limit is " + MAX_VALUE_BYTES);
    }
    return value;
  }
}
