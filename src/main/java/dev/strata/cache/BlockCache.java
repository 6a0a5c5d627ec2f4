package dev.strata.cache;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * A byte-bounded cache of blocks, keyed by (file, offset). It knows nothing of what a block is: a
 * table reader takes a {@link FileBlocks} view of its own with {@link #forFile}, saying what one
 * of its blocks costs in bytes, and gets and puts its blocks through that view, and closes the
 * view when it closes the file, which drops the file's blocks. Every view has a file id no other
 * view of this cache shares, so two files never see each other's blocks, even when one store
 * reuses a file number or two stores share the cache.
 *
 * <p>Thread-safe. The cache is split into shards by a hash of the key, each with an equal share of
 * the capacity and a lock of its own that only puts and drops take: a get is a lookup in a
 * {@link ConcurrentHashMap} and takes no lock, so readers never wait for each other or for a
 * put. A small cache gets fewer shards (one below 2 MiB) so that a shard is never too small to
 * hold a block; a block larger than a shard's share is not cached at all. Capacity 0 disables the
 * cache: every get misses and put does nothing.
 *
 * <p>Eviction is CLOCK (second chance: a block read since the hand last passed it is spared once),
 * which approximates LRU without a write to a shared list on every hit. Admission is TinyLFU's
 * (see {@link FrequencySketch}): once a shard is full, a new block displaces the one the clock
 * picks only if it has been asked for more often lately. Why: these blocks live on the Java heap,
 * and a cache that admits every block it misses turns each miss of a random read over data larger
 * than itself into an old-generation object evicted soon after; the collector's work for that
 * churn made random reads with a 32 MiB cache slower than with none (about 2x, 1M keys). A block
 * read once (a compaction's input, a scan's pass) rarely enters; a block read again and again
 * does, and stays.
 */
public final class BlockCache {
  private static final int MAX_SHARDS = 16;
  /** No shard is given less than this, unless the whole cache is smaller. */
  private static final long MIN_SHARD_BYTES = 1L << 20;

  private final long capacityBytes;
  private final Shard[] shards;
  private final AtomicLong nextFileId = new AtomicLong(1);
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  public BlockCache(long capacityBytes) {
    this(capacityBytes, shardsFor(capacityBytes));
  }

  /** With an explicit shard count (a power of two), so tests can make LRU order exact. */
  BlockCache(long capacityBytes, int shardCount) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("capacityBytes must be >= 0 (0 disables the cache), got " + capacityBytes);
    }
    if (shardCount < 1 || Integer.bitCount(shardCount) != 1) {
      throw new IllegalArgumentException("shardCount must be a power of two, got " + shardCount);
    }
    this.capacityBytes = capacityBytes;
    this.shards = new Shard[shardCount];
    long perShard = capacityBytes / shardCount;
    for (int i = 0; i < shardCount; i++) {
      // The remainder goes to shard 0 so the shard capacities add up to the whole.
      shards[i] = new Shard(i == 0 ? perShard + capacityBytes % shardCount : perShard);
    }
  }

  /**
   * A view for one open file's blocks, under a file id never handed out before by this cache.
   *
   * @param sizeBytes what a block costs in the cache: its bytes in memory, not null
   */
  public <B> FileBlocks<B> forFile(ToLongFunction<? super B> sizeBytes) {
    Objects.requireNonNull(sizeBytes, "sizeBytes must not be null");
    return new FileBlocks<>(this, nextFileId.getAndIncrement(), sizeBytes);
  }

  public long hits() {
    return hits.sum();
  }

  public long misses() {
    return misses.sum();
  }

  public long usedBytes() {
    long used = 0;
    for (Shard s : shards) {
      used += s.usedBytes();
    }
    return used;
  }

  public long capacityBytes() {
    return capacityBytes;
  }

  @Override
  public String toString() {
    return "BlockCache{used=" + usedBytes() + "/" + capacityBytes + " bytes, hits=" + hits() + ", misses=" + misses() + "}";
  }

  /** The cached block, or null; counts a hit or a miss, and the access in the shard's sketch. */
  private Object get(long fileId, long offset) {
    Object block = capacityBytes == 0 ? null : shardFor(fileId, offset).get(fileId, offset);
    (block != null ? hits : misses).increment();
    return block;
  }

  /** Caches a block at its charge, if the shard admits it (see the class comment). */
  private void put(FileBlocks<?> owner, long offset, Object block, long charge) {
    if (capacityBytes == 0) {
      return;
    }
    if (charge < 0) {
      throw new IllegalArgumentException("a block's size must be >= 0, got " + charge);
    }
    shardFor(owner.fileId, offset).put(owner, new Key(owner.fileId, offset), block, charge);
  }

  /** Drops every block of {@code fileId}, giving their bytes back. */
  private void drop(long fileId) {
    if (capacityBytes == 0) {
      return;
    }
    for (Shard s : shards) {
      s.drop(fileId);
    }
  }

  private Shard shardFor(long fileId, long offset) {
    return shards[(int) (hash(fileId, offset) & (shards.length - 1))];
  }

  private static long hash(long fileId, long offset) {
    // A multiplicative mix: offsets are multiples of similar block sizes and ids are small
    // consecutive numbers, so the raw bits would crowd a few shards.
    long h = (fileId * 0x9E3779B97F4A7C15L) ^ (offset * 0xC2B2AE3D27D4EB4FL);
    return h ^ (h >>> 29);
  }

  private static int shardsFor(long capacityBytes) {
    int shards = 1;
    while (shards < MAX_SHARDS && capacityBytes / (shards * 2L) >= MIN_SHARD_BYTES) {
      shards *= 2;
    }
    return shards;
  }

  /**
   * One file's blocks in a {@link BlockCache}, by offset. Only this view puts under its file id,
   * so what it gets back is always a block it put: of type {@code B}.
   *
   * <p>Thread-safe, as the cache is.
   */
  public static final class FileBlocks<B> {
    private final BlockCache cache;
    private final long fileId;
    private final ToLongFunction<? super B> sizeBytes;
    private volatile boolean closed;
    /**
     * Set by the first put, before it looks for the close: a close that then finds it unset knows
     * no put can have entered a block, and skips the walk over every shard (most tables never
     * cache a block: those without compressed blocks do not use the cache at all).
     */
    private volatile boolean mayHoldBlocks;

    private FileBlocks(BlockCache cache, long fileId, ToLongFunction<? super B> sizeBytes) {
      this.cache = cache;
      this.fileId = fileId;
      this.sizeBytes = sizeBytes;
    }

    /** The block cached at {@code offset}, or null; counts a hit or a miss in the cache. */
    @SuppressWarnings("unchecked") // only put() below stores under this fileId, and only B's
    public B get(long offset) {
      return (B) cache.get(fileId, offset);
    }

    /**
     * Offers {@code block} to the cache at {@code offset}, charged its size: it enters if there
     * is room, or if it has been asked for more often lately than the blocks it would displace.
     */
    public void put(long offset, B block) {
      Objects.requireNonNull(block, "block must not be null");
      if (!mayHoldBlocks) {
        mayHoldBlocks = true;
      }
      if (!closed) {
        cache.put(this, offset, block, sizeBytes.applyAsLong(block));
      }
    }

    /**
     * Drops this file's blocks from the cache and stops caching more: its file is closed, and
     * its blocks would only take the place of live ones until the clock came round to them.
     * Idempotent, and exact even against concurrent puts: a put checks for the close under the
     * lock of its shard, which the drop takes after marking the view closed.
     */
    public void close() {
      if (!closed) {
        closed = true;
        if (mayHoldBlocks) {
          cache.drop(fileId);
        }
      }
    }
  }

  private record Key(long fileId, long offset) {}

  /**
   * A block with the charge it was put at, so that eviction subtracts exactly what put added, and
   * the clock's mark: read since the hand last passed it.
   */
  private static final class Entry {
    final Object block;
    final long charge;
    volatile boolean referenced;

    Entry(Object block, long charge) {
      this.block = block;
      this.charge = charge;
    }
  }

  /**
   * One shard. Gets read the map without the lock; puts and drops change the map, the clock and
   * {@code used} under it. Invariant (under the lock): every key of the map is in the clock exactly
   * once, and {@code used} is the sum of the map's charges.
   */
  private static final class Shard {
    /** Blocks a shard is assumed to average, to size its sketch: SST blocks are 4 KiB by default. */
    private static final long TYPICAL_BLOCK_BYTES = 4096;

    private final long capacity;
    private final ConcurrentHashMap<Key, Entry> map = new ConcurrentHashMap<>();
    /** The clock: keys in the order the hand meets them, the hand at the head. */
    private final ArrayDeque<Key> clock = new ArrayDeque<>();
    private final FrequencySketch sketch;
    private long used;

    Shard(long capacity) {
      this.capacity = capacity;
      this.sketch = new FrequencySketch(capacity / TYPICAL_BLOCK_BYTES);
    }

    Object get(long fileId, long offset) {
      sketch.increment(hash(fileId, offset));
      Entry e = map.get(new Key(fileId, offset));
      if (e == null) {
        return null;
      }
      if (!e.referenced) {
        e.referenced = true; // written only when it changes: hot blocks' readers share the line
      }
      return e.block;
    }

    synchronized void put(FileBlocks<?> owner, Key key, Object block, long charge) {
      if (charge > capacity || owner.closed) {
        return;
      }
      Entry previous = map.get(key);
      if (previous != null) {
        // Two readers missed the same block, or a block was put again: the key keeps its place.
        Entry replacement = new Entry(block, charge);
        replacement.referenced = true;
        map.put(key, replacement);
        used += charge - previous.charge;
        evictUntilWithin(0, -1);
        return;
      }
      if (used + charge > capacity && !evictUntilWithin(charge, sketch.frequency(hash(key.fileId(), key.offset())))) {
        return;
      }
      map.put(key, new Entry(block, charge));
      clock.addLast(key);
      used += charge;
    }

    /**
     * Evicts until {@code incoming} more bytes fit; false, evicting nothing more, when the victim
     * the clock picks has been asked for at least as often as the newcomer ({@code frequency};
     * -1 evicts regardless).
     */
    private boolean evictUntilWithin(long incoming, int frequency) {
      while (used + incoming > capacity) {
        Key victim = clock.pollFirst();
        Entry e = map.get(victim);
        if (e.referenced) {
          e.referenced = false; // its second chance
          clock.addLast(victim);
          continue;
        }
        if (frequency >= 0 && sketch.frequency(hash(victim.fileId(), victim.offset())) >= frequency) {
          clock.addFirst(victim); // the hand stays on it: the next newcomer meets it first
          return false;
        }
        map.remove(victim);
        used -= e.charge;
      }
      return true;
    }

    synchronized void drop(long fileId) {
      if (!clock.removeIf(k -> k.fileId() == fileId)) {
        return;
      }
      map.entrySet().removeIf(e -> {
        if (e.getKey().fileId() != fileId) {
          return false;
        }
        used -= e.getValue().charge;
        return true;
      });
    }

    synchronized long usedBytes() {
      return used;
    }
  }
}
