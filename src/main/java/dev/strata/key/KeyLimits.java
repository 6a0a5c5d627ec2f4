package dev.strata.key;

import dev.strata.Limits;
import java.util.Objects;

/**
 * The checks that enforce the public size limits ({@link Limits}) on keys and values at the API
 * boundary, with one wording for every caller. Stateless; thread-safe.
 */
public final class KeyLimits {
  private KeyLimits() {}

  public static byte[] checkKey(byte[] key) {
    Objects.requireNonNull(key, "key must not be null");
    if (key.length > Limits.MAX_KEY_BYTES) {
      throw new IllegalArgumentException("key is " + key.length + " bytes; the limit is " + Limits.MAX_KEY_BYTES);
    }
    return key;
  }

  public static byte[] checkValue(byte[] value) {
    Objects.requireNonNull(value, "value must not be null (use delete to remove a key)");
    if (value.length > Limits.MAX_VALUE_BYTES) {
      throw new IllegalArgumentException("value is " + value.length + " bytes; the limit is " + Limits.MAX_VALUE_BYTES);
    }
    return value;
  }
}
