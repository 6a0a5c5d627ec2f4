package dev.strata.memtable;

import dev.strata.key.InternalKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A hash index from user keys in a memtable to the skip-list node of each one's newest version, so
 * that a point lookup of a key the memtable holds costs one or two probes instead of a walk down
 * the skip list: in a large memtable that walk is a dozen levels of cold cache lines, and with
 * skewed reads over recently updated keys (YCSB B and F) it was most of a get's time. A key
 * inserted as an append (after every key the list holds) is left out: the list finds it cheaply,
 * and it can only be a key not held before, so no older version of it is in the index. Every
 * later version of it is not an append, and is indexed.
 *
 * <p>Open addressing with linear probing over a fixed table sized from the memtable's size
 * limit; slots hold node addresses (0: empty) and are never cleared. A node address uses the
 * low 47 bits (chunk index below 2^15, offset below 2^32), so a slot keeps 16 bits of the key's
 * hash above it: a probe compares keys only when those match, instead of reading the key of
 * every node it passes (a cache miss each). A key's slot is replaced
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
  private static final int TAG_SHIFT = 47;
  private static final long NODE_MASK = (1L << TAG_SHIFT) - 1;

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
    int i = writerSlot(list, hash, key);
    if (i < 0) {
      saturated = true; // not reached while reserve() is called first: kept as the safe answer
      return;
    }
    long slot = slots[i];
    if (slot == 0) {
      keys++;
    } else if (InternalKey.sequenceOf(trailer) <= InternalKey.sequenceOf(list.trailer(slot & NODE_MASK))) {
      return; // never replace a newer version
    }
    SLOT.setRelease(slots, i, tagOf(hash) | node);
  }

  /**
   * Writer, before linking a node for {@code key}: saturates the index if the key would need a
   * new slot that the table cannot give, so that the flag is up before the node can be read.
   */
  void reserve(ArenaSkipList list, long hash, byte[] key) {
    if (saturated) {
      return;
    }
    int i = writerSlot(list, hash, key);
    if (i < 0 || (slots[i] == 0 && keys >= maxKeys)) {
      saturated = true; // a key already held replaces its slot: always room
    }
  }

  /** Writer only (plain loads): the slot holding {@code key}, else the empty one it would take, else -1. */
  private int writerSlot(ArenaSkipList list, long hash, byte[] key) {
    long tag = tagOf(hash);
    int i = slotOf(hash);
    for (int probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) & mask) {
      long slot = slots[i];
      if (slot == 0 || ((slot & ~NODE_MASK) == tag && list.keyEquals(slot & NODE_MASK, key))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The node of the newest version of {@code key}, 0 when the index does not hold the key (the
   * memtable may still: a key appended at the end of the list is not indexed), or -1 when the
   * index is saturated. Either way the skip list must then be asked.
   */
  long find(ArenaSkipList list, long hash, byte[] key) {
    if (saturated) {
      return -1;
    }
    long tag = tagOf(hash);
    int i = slotOf(hash);
    for (int probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) & mask) {
      long slot = (long) SLOT.getAcquire(slots, i);
      if (slot == 0) {
        return 0;
      }
      if ((slot & ~NODE_MASK) == tag && list.keyEquals(slot & NODE_MASK, key)) {
        return slot & NODE_MASK;
      }
    }
    return -1;
  }

  /** Whether the index took no more keys at some point (a lookup then asks the skip list). */
  boolean saturated() {
    return saturated;
  }

  /** The top 16 bits of the hash, in place above a node address. */
  private static long tagOf(long hash) {
    return (hash >>> TAG_SHIFT) << TAG_SHIFT;
  }

  private int slotOf(long hash) {
    return (int) (hash ^ (hash >>> 31)) & mask;
  }
}
