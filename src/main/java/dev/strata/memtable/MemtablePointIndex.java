package dev.strata.memtable;

import dev.strata.key.InternalKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A hash index from each user key in a memtable to the skip-list node of its newest version, so
 * that a point lookup of a key the memtable holds costs one or two probes instead of a walk down
 * the skip list: in a large memtable that walk is a dozen levels of cold cache lines, and with
 * skewed reads over recently updated keys (YCSB B and F) it was most of a get's time.
 *
 * <p>Open addressing with linear probing over a fixed table sized from the memtable's size
 * limit; slots hold node addresses (0: empty) and are never cleared. A key's slot is replaced
 * only by a node of a higher sequence. When the table would pass its load limit, or a probe
 * runs too long, the index is <em>saturated</em>: it takes no more keys, and lookups stop using
 * it, so the skip list answers every lookup from then on. The flag is raised before the node
 * that found the table full is linked, so a reader that may see that node (its sequence
 * published after the insert) sees the flag too, and never an older version from the index.
 *
 * <p>Thread-safety: one writer (the memtable's, serialized by the engine), any number of
 * readers. A slot is written with a release store after its node is complete, and read with an
 * acquire load, so a reader that finds a node sees all of it.
 */
final class MemtablePointIndex {
  /** Slots per byte of memtable size limit: 1/64, so 4 MiB of slots for a 32 MiB memtable. */
  static final int BYTES_PER_SLOT = 64;
  private static final int MIN_SLOTS = 1 << 10;
  private static final int MAX_SLOTS = 1 << 24;
  /** The most probes an insert makes before it saturates the index. */
  private static final int MAX_PROBES = 32;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

  private final long[] slots;
  private final int mask;
  private final int maxKeys;
  /** Writer only. */
  private int keys;
  private volatile boolean saturated;

  MemtablePointIndex(long memtableSizeBytes) {
    long wanted = Math.max(MIN_SLOTS, Math.min(MAX_SLOTS, memtableSizeBytes / BYTES_PER_SLOT));
    int size = Integer.highestOneBit((int) wanted);
    if (size < wanted) {
      size <<= 1;
    }
    this.slots = new long[size];
    this.mask = size - 1;
    this.maxKeys = size / 4 * 3;
  }

  /**
   * Writer, after {@code node} is linked into {@code list}: makes {@code node} the newest
   * version of its key. Before it is linked (see {@link #reserve}) when the table is full.
   */
  void put(ArenaSkipList list, long hash, byte[] key, long node, long trailer) {
    if (saturated) {
      return;
    }
    int i = slotOf(hash);
    for (int probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) & mask) {
      long current = slots[i];
      if (current == 0) {
        SLOT.setRelease(slots, i, node);
        keys++;
        return;
      }
      if (list.keyEquals(current, key)) {
        if (InternalKey.sequenceOf(trailer) > InternalKey.sequenceOf(list.trailer(current))) {
          SLOT.setRelease(slots, i, node);
        }
        return;
      }
    }
    saturated = true; // not reached while reserve() is called first: kept as the safe answer
  }

  /**
   * Writer, before linking a node for {@code key}: saturates the index if the key would need a
   * new slot that the table cannot give, so that the flag is up before the node can be read.
   */
  void reserve(ArenaSkipList list, long hash, byte[] key) {
    if (saturated) {
      return;
    }
    int i = slotOf(hash);
    for (int probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) & mask) {
      long current = slots[i];
      if (current == 0) {
        if (keys >= maxKeys) {
          saturated = true;
        }
        return;
      }
      if (list.keyEquals(current, key)) {
        return; // replaces its slot: always room
      }
    }
    saturated = true;
  }

  /**
   * The node of the newest version of {@code key}, 0 when the memtable does not hold the key, or
   * -1 when the index cannot say (it is saturated): then the skip list must be asked.
   */
  long find(ArenaSkipList list, long hash, byte[] key) {
    if (saturated) {
      return -1;
    }
    int i = slotOf(hash);
    for (int probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) & mask) {
      long current = (long) SLOT.getAcquire(slots, i);
      if (current == 0) {
        return 0;
      }
      if (list.keyEquals(current, key)) {
        return current;
      }
    }
    return -1;
  }

  /** Whether the index took no more keys at some point (a lookup then asks the skip list). */
  boolean saturated() {
    return saturated;
  }

  private int slotOf(long hash) {
    return (int) (hash ^ (hash >>> 31)) & mask;
  }
}
