package dev.strata.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.sst.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class BlockCacheTest {
  /**
   * A valid block of exactly {@code size} bytes (19 to 146): one entry with an 8-byte key and a
   * value that fills the rest.
   */
  static Block blockOfSize(int size) {
    int valueLength = size - 3 - 8 - 8;
    byte[] b = new byte[size];
    b[0] = 0;
    b[1] = 8;
    b[2] = (byte) valueLength;
    b[size - 4] = 1; // restart count 1 (little-endian); the restart offset before it is 0
    return new Block(b);
  }

  @Test
  void aBlockPutIsFoundUnderItsIdAndOffsetOnly() {
    BlockCache cache = new BlockCache(10_000);
    Block block = blockOfSize(100);
    cache.put(1, 4096, block);
    assertSame(block, cache.get(1, 4096));
    assertNull(cache.get(2, 4096), "another table's block at the same offset");
    assertNull(cache.get(1, 0), "another block of the same table");
  }

  @Test
  void theLeastRecentlyUsedBlockIsEvictedWhenBytesExceedTheCapacity() {
    BlockCache cache = new BlockCache(300, 1);
    cache.put(1, 0, blockOfSize(100));
    cache.put(1, 100, blockOfSize(100));
    cache.put(1, 200, blockOfSize(100));
    cache.get(1, 0); // now 100 is the least recently used
    cache.put(1, 300, blockOfSize(100));
    assertNull(cache.get(1, 100));
    assertTrue(cache.get(1, 0) != null && cache.get(1, 200) != null && cache.get(1, 300) != null);
    assertEquals(300, cache.usedBytes());
  }

  @Test
  void aLargerBlockEvictsAsManyBlocksAsItNeeds() {
    BlockCache cache = new BlockCache(300, 1);
    cache.put(1, 0, blockOfSize(100));
    cache.put(1, 100, blockOfSize(100));
    cache.put(1, 200, blockOfSize(100));
    cache.put(1, 300, blockOfSize(146));
    assertNull(cache.get(1, 0));
    assertNull(cache.get(1, 100));
    assertEquals(246, cache.usedBytes());
  }

  @Test
  void usedBytesChargeEachBlocksSizeAndReplacingABlockRechargesIt() {
    BlockCache cache = new BlockCache(10_000, 1);
    cache.put(1, 0, blockOfSize(100));
    cache.put(2, 0, blockOfSize(50));
    assertEquals(150, cache.usedBytes());
    cache.put(1, 0, blockOfSize(30));
    assertEquals(80, cache.usedBytes());
  }

  @Test
  void aBlockLargerThanTheCapacityIsNotCached() {
    BlockCache cache = new BlockCache(100, 1);
    cache.put(1, 0, blockOfSize(50));
    cache.put(1, 50, blockOfSize(101));
    assertNull(cache.get(1, 50));
    assertEquals(50, cache.usedBytes(), "the resident block stays");
  }

  @Test
  void hitsAndMissesAreCounted() {
    BlockCache cache = new BlockCache(10_000);
    cache.get(1, 0);
    cache.put(1, 0, blockOfSize(40));
    cache.get(1, 0);
    cache.get(1, 0);
    cache.get(1, 1);
    assertEquals(2, cache.hits());
    assertEquals(2, cache.misses());
  }

  @Test
  void capacityZeroDisablesTheCache() {
    BlockCache cache = new BlockCache(0);
    cache.put(1, 0, blockOfSize(40));
    assertNull(cache.get(1, 0));
    assertEquals(0, cache.usedBytes());
    assertEquals(0, cache.hits());
    assertEquals(1, cache.misses());
    assertEquals(0, cache.capacityBytes());
  }

  @Test
  void aNegativeCapacityIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new BlockCache(-1));
  }

  @Test
  void cacheIdsAreNeverReused() {
    long a = BlockCache.newCacheId();
    long b = BlockCache.newCacheId();
    assertNotEquals(a, b);
  }

  @Test
  void aShardedCacheStaysWithinItsCapacityAndUsesMostOfIt() {
    long capacity = 64L << 20;
    BlockCache cache = new BlockCache(capacity);
    Block block = blockOfSize(146);
    long puts = 2 * capacity / 146;
    for (long i = 0; i < puts; i++) {
      cache.put(i % 7, i * 4096, block);
    }
    assertTrue(cache.usedBytes() <= capacity, cache.toString());
    assertTrue(cache.usedBytes() > capacity * 0.95, "shards left much of the capacity unused: " + cache);
  }

  @Test
  void concurrentReadersAndWritersKeepTheAccountingExact() throws InterruptedException {
    BlockCache cache = new BlockCache(20_000, 4);
    List<Block> blocks = new ArrayList<>();
    for (int size = 19; size <= 146; size++) {
      blocks.add(blockOfSize(size));
    }
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < 200_000; i++) {
          long offset = rnd.nextInt(1000);
          if (cache.get(1, offset) == null) {
            cache.put(1, offset, blocks.get(rnd.nextInt(blocks.size())));
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(800_000, cache.hits() + cache.misses());
    long resident = 0;
    for (long offset = 0; offset < 1000; offset++) {
      Block b = cache.get(1, offset);
      resident += b == null ? 0 : b.sizeBytes();
    }
    assertEquals(resident, cache.usedBytes(), "usedBytes must equal the bytes of the resident blocks");
    assertTrue(cache.usedBytes() <= 20_000);
  }
}
