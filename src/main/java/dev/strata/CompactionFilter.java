package dev.strata;

import java.util.Arrays;
import java.util.Objects;

/**
 * Decides, during compaction, which keys to drop. A filter sees only versions no open snapshot or
 * transaction can still read (those at or below the watermark); versions above it are kept until
 * a later compaction, after their readers closed. A dropped key reads as absent afterwards:
 * compaction writes a tombstone in its place where older data may lie below, and nothing at the
 * bottom level. Filters must be thread-safe and fast: they run inside compaction, once per key.
 */
@FunctionalInterface
public interface CompactionFilter {

  /** True to drop {@code key}, whose newest version no reader still needs holds {@code value}. */
  boolean drop(byte[] key, byte[] value);

  /** Drops every key that starts with {@code prefix} (an empty prefix drops every key). */
  static CompactionFilter prefix(byte[] prefix) {
    Objects.requireNonNull(prefix, "prefix");
    byte[] p = prefix.clone();
    return new CompactionFilter() {
      @Override
      public boolean drop(byte[] key, byte[] value) {
        return key.length >= p.length && Arrays.equals(key, 0, p.length, p, 0, p.length);
      }

      @Override
      public String toString() {
        return "CompactionFilter.prefix(" + Arrays.toString(p) + ")";
      }
    };
  }
}
