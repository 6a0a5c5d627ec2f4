package dev.strata.cache;

import dev.strata.sst.Block;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A byte-bounded LRU cache of decoded blocks, keyed by (cache id, block offset). Each table reader
 * takes a fresh {@link #newCacheId()} when it opens, so two files never share keys even when one
 * store reuses a file number or two stores share the cache.
 *
 * <p>Thread-safe. The cache is split into shards by a hash of the key, each an access-ordered
 * {@link LinkedHashMap} under its own lock with an equal share of the capacity, so concurrent
 * readers rarely wait for one another. Eviction is LRU within a shard, which approximates global
 * LRU once shards hold many blocks; a small cache therefore gets fewer shards (one below 2 MiB) so
 * that a shard is never too small to hold a block. A block larger than a shard's share is not
 * cached at all. Capacity 0 disables the cache: every get misses and put does nothing.
 */
public final class BlockCache {
  private static final AtomicLong NEXT_CACHE_ID = new AtomicLong(1);
  private static final int MAX_SHARDS = 16;
  /** No shard is given less than this, unless the whole cache is smaller. */
  private static final long MIN_SHARD_BYTES = 1L << 20;

  private final long capacityBytes;
  private final Shard[] shards;
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

  /** A cache id never handed out before in this JVM. */
  public static long newCacheId() {
    return NEXT_CACHE_ID.getAndIncrement();
  }

  /** The cached block, or null; counts a hit or a miss. */
  public Block get(long cacheId, long offset) {
    Block block = capacityBytes == 0 ? null : shardFor(cacheId, offset).get(new Key(cacheId, offset));
    (block != null ? hits : misses).increment();
    return block;
  }

  /** Caches a block, charging {@link Block#sizeBytes()} and evicting the least recently used. */
  public void put(long cacheId, long offset, Block block) {
    if (capacityBytes == 0) {
      return;
    }
    shardFor(cacheId, offset).put(new Key(cacheId, offset), block);
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

  private Shard shardFor(long cacheId, long offset) {
    // A multiplicative mix: offsets are multiples of similar block sizes and ids are small
    // consecutive numbers, so the raw bits would crowd a few shards.
    long h = (cacheId * 0x9E3779B97F4A7C15L) ^ (offset * 0xC2B2AE3D27D4EB4FL);
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

  private record Key(long cacheId, long offset) {}

  private static final class Shard {
    private final long capacity;
    private final LinkedHashMap<Key, Block> map = new LinkedHashMap<>(64, 0.75f, true);
    private long used;

    Shard(long capacity) {
      this.capacity = capacity;
    }

    synchronized Block get(Key key) {
      return map.get(key);
    }

    synchronized void put(Key key, Block block) {
      long size = block.sizeBytes();
      if (size > capacity) {
        return;
      }
      Block previous = map.put(key, block);
      used += size - (previous == null ? 0 : previous.sizeBytes());
      // Iteration order is least recently used first; the block just put is last, and fits alone.
      Iterator<Map.Entry<Key, Block>> eldest = map.entrySet().iterator();
      while (used > capacity) {
        Block evicted = eldest.next().getValue();
        eldest.remove();
        used -= evicted.sizeBytes();
      }
    }

    synchronized long usedBytes() {
      return used;
    }
  }
}
