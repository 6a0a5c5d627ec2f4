package dev.strata.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * A byte-bounded LRU cache of blocks, keyed by (file, offset). It knows nothing of what a block
 * is: a table reader takes a {@link FileBlocks} view of its own with {@link #forFile}, saying what
 * one of its blocks costs in bytes, and gets and puts its blocks through that view. Every view has
 * a file id no other view of this cache shares, so two files never see each other's blocks, even
 * when one store reuses a file number or two stores share the cache.
 *
 * <p>Thread-safe. The cache is split into shards by a hash of the key, each an access-ordered
 * {@link LinkedHashMap} under its own lock with an equal share of the capacity, so concurrent
 * readers rarely wait for one another. Eviction is LRU within a shard, which approximates global
 * LRU once shards hold many blocks; a small cache therefore gets fewer shards (one below 2 MiB) so
 * that a shard is never too small to hold a block. A block larger than a shard's share is not
 * cached at all. Capacity 0 disables the cache: every get misses and put does nothing.
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

  /** The cached block, or null; counts a hit or a miss. */
  private Object get(long fileId, long offset) {
    Entry entry = capacityBytes == 0 ? null : shardFor(fileId, offset).get(new Key(fileId, offset));
    (entry != null ? hits : misses).increment();
    return entry == null ? null : entry.block();
  }

  /** Caches a block at its charge, evicting the least recently used. */
  private void put(long fileId, long offset, Object block, long charge) {
    if (capacityBytes == 0) {
      return;
    }
    if (charge < 0) {
      throw new IllegalArgumentException("a block's size must be >= 0, got " + charge);
    }
    shardFor(fileId, offset).put(new Key(fileId, offset), new Entry(block, charge));
  }

  private Shard shardFor(long fileId, long offset) {
    // A multiplicative mix: offsets are multiples of similar block sizes and ids are small
    // consecutive numbers, so the raw bits would crowd a few shards.
    long h = (fileId * 0x9E3779B97F4A7C15L) ^ (offset * 0xC2B2AE3D27D4EB4FL);
    h ^= h >>> 29;
    return shards[(int) (h & (shards.length - 1))];
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

    /** Caches {@code block} at {@code offset}, charging its size and evicting the least recently used. */
    public void put(long offset, B block) {
      Objects.requireNonNull(block, "block must not be null");
      cache.put(fileId, offset, block, sizeBytes.applyAsLong(block));
    }
  }

  private record Key(long fileId, long offset) {}

  /** A block with the charge it was put at, so that eviction subtracts exactly what put added. */
  private record Entry(Object block, long charge) {}

  private static final class Shard {
    private final long capacity;
    private final LinkedHashMap<Key, Entry> map = new LinkedHashMap<>(64, 0.75f, true);
    private long used;

    Shard(long capacity) {
      this.capacity = capacity;
    }

    synchronized Entry get(Key key) {
      return map.get(key);
    }

    synchronized void put(Key key, Entry entry) {
      if (entry.charge() > capacity) {
        return;
      }
      Entry previous = map.put(key, entry);
      used += entry.charge() - (previous == null ? 0 : previous.charge());
      // Iteration order is least recently used first; the block just put is last, and fits alone.
      Iterator<Map.Entry<Key, Entry>> eldest = map.entrySet().iterator();
      while (used > capacity) {
        Entry evicted = eldest.next().getValue();
        eldest.remove();
        used -= evicted.charge();
      }
    }

    synchronized long usedBytes() {
      return used;
    }
  }
}
