package dev.strata;

import java.util.Arrays;
import java.util.Objects;

/**
 * Decides, during compaction, which keys to drop. A filter sees each key's newest version, and
 * only when no open snapshot or transaction can read that version (it was written after the newest
 * of them began): a version an open reader sees is kept whatever the filters say, so a snapshot
 * or transaction never sees a key vanish because a filter was added after it began, and the
 * filter catches up on those keys at a compaction after the reader closes. A dropped key reads as
 * absent afterwards: compaction writes a tombstone in its place where older data may lie below,
 * and nothing at the bottom level. Caveat, as with RocksDB's filters: a snapshot or transaction
 * that begins while a filtering compaction runs (so after the filter was added) may see the keys
 * it drops vanish when that compaction is installed. Filters must be thread-safe and fast: they
 * run inside compaction, once per key.
 */
@FunctionalInterface
public interface CompactionFilter {

  /** True to drop {@code key}, whose newest version holds {@code value}. */
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
