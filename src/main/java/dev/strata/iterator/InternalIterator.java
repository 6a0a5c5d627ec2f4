package dev.strata.iterator;

import dev.strata.key.ValueKind;

/**
 * The one iterator interface every layer implements (memtable, block, table, level, merge):
 * a forward cursor over internal entries in internal-key order (user key ascending, sequence
 * descending). Versions and tombstones are all visible here; hiding them is the job of the
 * user-facing iterator on top.
 *
 * <p>Not thread-safe. The arrays returned by {@link #userKey()} and {@link #value()} stay valid
 * after {@link #next()} (they are never overwritten in place), so a caller may keep them. Each
 * {@link #value()} call makes a new array that nothing else holds (a zero-length value may be a
 * shared empty array), so a caller may also hand it on.
 *
 * <p>An abstract class rather than an interface: a merge calls its children, whose classes differ
 * (memtable, table, level), several times per entry, and such a call dispatches through the
 * class's vtable in one load where an interface call searches the itable.
 */
public abstract class InternalIterator implements AutoCloseable {
  public abstract boolean isValid();

  public abstract void seekToFirst();

  /**
   * Positions at the first entry at or after (userKey, sequence) in internal-key order: the first
   * entry with a greater user key, or with this user key and a sequence at most {@code sequence}.
   * {@code seek(k, InternalKey.MAX_SEQUENCE)} lands on the newest version of k or the next key.
   */
  public abstract void seek(byte[] userKey, long sequence);

  public abstract void next();

  public abstract byte[] userKey();

  public abstract long sequence();

  public abstract ValueKind kind();

  /**
   * The entry's sequence and kind in one call, encoded as in an internal key ({@code sequence << 8
   * | kind code}, see {@link dev.strata.key.InternalKey}): the merge takes both per entry, and
   * through layers of iterators one call costs half of two.
   */
  public long trailer() {
    return dev.strata.key.InternalKey.trailer(sequence(), kind());
  }

  /** The value, in a new array (see above); an empty array for a tombstone. */
  public abstract byte[] value();

  @Override
  public abstract void close();
}
