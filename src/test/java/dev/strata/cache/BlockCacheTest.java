package dev.strata.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The cache holds opaque blocks: here byte arrays, each charged its length, since the cache must
 * work without knowing what an SST block is.
 */
class BlockCacheTest {
  private static BlockCache.FileBlocks<byte[]> file(BlockCache cache) {
    return cache.forFile(block -> block.length);
  }

  @Test
  void aBlockPutIsFoundUnderItsFileAndOffsetOnly() {
    BlockCache cache = new BlockCache(10_000);
    BlockCache.FileBlocks<byte[]> one = file(cache);
    BlockCache.FileBlocks<byte[]> other = file(cache);
    byte[] block = new byte[100];
    one.put(4096, block);
    assertSame(block, one.get(4096));
    assertNull(other.get(4096), "another file's block at the same offset");
    assertNull(one.get(0), "another block of the same file");
  }

  @Test
  void twoFilesAtOneOffsetKeepTheirOwnBlocks() {
    BlockCache cache = new BlockCache(10_000);
    BlockCache.FileBlocks<byte[]> one = file(cache);
    BlockCache.FileBlocks<String> other = cache.forFile(String::length);
    byte[] block = new byte[10];
    one.put(0, block);
    other.put(0, "another file's block");
    assertSame(block, one.get(0));
    assertEquals("another file's block", other.get(0));
  }

  @Test
  void theLeastRecentlyUsedBlockIsEvictedWhenBytesExceedTheCapacity() {
    BlockCache cache = new BlockCache(300, 1);
    BlockCache.FileBlocks<byte[]> f = file(cache);
    f.put(0, new byte[100]);
    f.put(100, new byte[100]);
    f.put(200, new byte[100]);
    f.get(0); // now 100 is the least recently used
    f.put(300, new byte[100]);
    assertNull(f.get(100));
    assertTrue(f.get(0) != null && f.get(200) != null && f.get(300) != null);
    assertEquals(300, cache.usedBytes());
  }

  @Test
  void aLargerBlockEvictsAsManyBlocksAsItNeeds() {
    BlockCache cache = new BlockCache(300, 1);
    BlockCache.FileBlocks<byte[]> f = file(cache);
    f.put(0, new byte[100]);
    f.put(100, new byte[100]);
    f.put(200, new byte[100]);
    f.put(300, new byte[146]);
    assertNull(f.get(0));
    assertNull(f.get(100));
    assertEquals(246, cache.usedBytes());
  }

  @Test
  void usedBytesChargeEachBlocksSizeAndReplacingABlockRechargesIt() {
    BlockCache cache = new BlockCache(10_000, 1);
    BlockCache.FileBlocks<byte[]> one = file(cache);
    BlockCache.FileBlocks<byte[]> other = file(cache);
    one.put(0, new byte[100]);
    other.put(0, new byte[50]);
    assertEquals(150, cache.usedBytes());
    one.put(0, new byte[30]);
    assertEquals(80, cache.usedBytes());
  }

  @Test
  void aBlockIsChargedWhatItCostWhenPutEvenIfItsSizeChangesLater() {
    BlockCache cache = new BlockCache(10_000, 1);
    BlockCache.FileBlocks<long[]> f = cache.forFile(block -> block[0]);
    long[] growing = {100};
    f.put(0, growing);
    growing[0] = 5000;
    f.put(0, new long[] {40});
    assertEquals(40, cache.usedBytes(), "the replaced block gave back the 100 it was charged");
  }

  @Test
  void aBlockLargerThanTheCapacityIsNotCached() {
    BlockCache cache = new BlockCache(100, 1);
    BlockCache.FileBlocks<byte[]> f = file(cache);
    f.put(0, new byte[50]);
    f.put(50, new byte[101]);
    assertNull(f.get(50));
    assertEquals(50, cache.usedBytes(), "the resident block stays");
  }

  @Test
  void hitsAndMissesAreCounted() {
    BlockCache cache = new BlockCache(10_000);
    BlockCache.FileBlocks<byte[]> f = file(cache);
    f.get(0);
    f.put(0, new byte[40]);
    f.get(0);
    f.get(0);
    f.get(1);
    assertEquals(2, cache.hits());
    assertEquals(2, cache.misses());
  }

  @Test
  void capacityZeroDisablesTheCache() {
    BlockCache cache = new BlockCache(0);
    BlockCache.FileBlocks<byte[]> f = file(cache);
    f.put(0, new byte[40]);
    assertNull(f.get(0));
    assertEquals(0, cache.usedBytes());
    assertEquals(0, cache.hits());
    assertEquals(1, cache.misses());
    assertEquals(0, cache.capacityBytes());
  }

  @Test
  void aNegativeCapacityIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BlockCache(-1));
    assertTrue(e.getMessage().contains("capacityBytes must be >= 0"), e.getMessage());
  }

  @Test
  void aNegativeChargeIsRejected() {
    BlockCache.FileBlocks<byte[]> f = new BlockCache(10_000).forFile(block -> -1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.put(0, new byte[1]));
    assertTrue(e.getMessage().contains("size must be >= 0"), e.getMessage());
  }

  @Test
  void aNullBlockIsRejected() {
    BlockCache.FileBlocks<byte[]> f = file(new BlockCache(10_000));
    assertThrows(NullPointerException.class, () -> f.put(0, null));
  }

  @Test
  void aShardedCacheStaysWithinItsCapacityAndUsesMostOfIt() {
    long capacity = 64L << 20;
    BlockCache cache = new BlockCache(capacity);
    List<BlockCache.FileBlocks<byte[]>> files = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      files.add(file(cache));
    }
    byte[] block = new byte[146];
    long puts = 2 * capacity / 146;
    for (long i = 0; i < puts; i++) {
      files.get((int) (i % 7)).put(i * 4096, block);
    }
    assertTrue(cache.usedBytes() <= capacity, cache.toString());
    assertTrue(cache.usedBytes() > capacity * 0.95, "shards left much of the capacity unused: " + cache);
  }

  @Test
  void concurrentReadersAndWritersKeepTheAccountingExact() throws InterruptedException {
    BlockCache cache = new BlockCache(20_000, 4);
    BlockCache.FileBlocks<byte[]> f = file(cache);
    List<byte[]> blocks = new ArrayList<>();
    for (int size = 19; size <= 146; size++) {
      blocks.add(new byte[size]);
    }
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < 200_000; i++) {
          long offset = rnd.nextInt(1000);
          if (f.get(offset) == null) {
            f.put(offset, blocks.get(rnd.nextInt(blocks.size())));
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
      byte[] b = f.get(offset);
      resident += b == null ? 0 : b.length;
    }
    assertEquals(resident, cache.usedBytes(), "usedBytes must equal the bytes of the resident blocks");
    assertTrue(cache.usedBytes() <= 20_000);
  }
}
