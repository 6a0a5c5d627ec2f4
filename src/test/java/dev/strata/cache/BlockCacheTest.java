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

  /** What a table reader does: look the block up, and on a miss offer the block it read. */
  private static byte[] read(BlockCache.FileBlocks<byte[]> f, long offset, int size) {
    byte[] cached = f.get(offset);
    if (cached != null) {
      return cached;
    }
    byte[] block = new byte[size];
    f.put(offset, block);
    return block;
  }

  /** Misses {@code times} times on a block that is not cached: its readers' demand before it is put. */
  private static void missOn(BlockCache.FileBlocks<byte[]> f, long offset, int times) {
    for (int i = 0; i < times; i++) {
      assertNull(f.get(offset));
    }
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
  void aBlockAskedForMoreOftenDisplacesOneNotReadSinceTheClockLastPassed() {
    BlockCache cache = new BlockCache(300, 1);
    BlockCache.FileBlocks<byte[]> f = file(cache);
    read(f, 0, 100);
    read(f, 100, 100);
    read(f, 200, 100);
    f.get(0); // read again: spared once by the clock, so 100 is the one to go
    missOn(f, 300, 2);
    f.put(300, new byte[100]);
    assertNull(f.get(100));
    assertTrue(f.get(0) != null && f.get(200) != null && f.get(300) != null);
    assertEquals(300, cache.usedBytes());
  }

  @Test
  void aBlockAskedForNoMoreOftenThanTheVictimIsNotAdmitted() {
    BlockCache cache = new BlockCache(300, 1);
    BlockCache.FileBlocks<byte[]> f = file(cache);
    for (int round = 0; round < 2; round++) {
      read(f, 0, 100);
      read(f, 100, 100);
      read(f, 200, 100);
    }
    missOn(f, 300, 1);
    f.put(300, new byte[100]);
    assertNull(f.get(300), "read once, it would have displaced a block read twice");
    assertTrue(f.get(0) != null && f.get(100) != null && f.get(200) != null);
    assertEquals(300, cache.usedBytes());
  }

  @Test
  void blocksReadOnceInPassingDoNotFlushOutTheBlocksReadOftenAndKeepTheirBytesCounted() {
    int blockBytes = 4096;
    BlockCache cache = new BlockCache(100 * blockBytes, 1);
    BlockCache.FileBlocks<byte[]> hot = file(cache);
    BlockCache.FileBlocks<byte[]> scanned = file(cache);
    for (int round = 0; round < 4; round++) {
      for (long block = 0; block < 100; block++) {
        read(hot, block, blockBytes);
      }
    }
    // A compaction's input or a long scan, ten times the cache and each block once, while the
    // hot blocks go on being read.
    for (long block = 0; block < 1000; block++) {
      read(scanned, block, blockBytes);
      read(hot, block % 100, blockBytes);
    }
    for (long block = 0; block < 100; block++) {
      assertTrue(hot.get(block) != null, "hot block " + block + " was flushed out by a one-off pass");
    }
    assertEquals(100 * blockBytes, cache.usedBytes());
  }

  @Test
  void aLargerBlockEvictsAsManyBlocksAsItNeeds() {
    BlockCache cache = new BlockCache(300, 1);
    BlockCache.FileBlocks<byte[]> f = file(cache);
    read(f, 0, 100);
    read(f, 100, 100);
    read(f, 200, 100);
    missOn(f, 300, 3);
    f.put(300, new byte[146]);
    assertNull(f.get(0));
    assertNull(f.get(100));
    assertEquals(246, cache.usedBytes());
  }

  @Test
  void closingAFileDropsItsBlocksAndGivesTheirBytesBack() {
    BlockCache cache = new BlockCache(10_000, 4);
    BlockCache.FileBlocks<byte[]> closing = file(cache);
    BlockCache.FileBlocks<byte[]> staying = file(cache);
    for (long offset = 0; offset < 20; offset++) {
      read(closing, offset * 100, 100);
      read(staying, offset * 100, 50);
    }
    assertEquals(20 * 150, cache.usedBytes());
    closing.close();
    assertEquals(20 * 50, cache.usedBytes());
    for (long offset = 0; offset < 20; offset++) {
      assertNull(closing.get(offset * 100));
      assertTrue(staying.get(offset * 100) != null, "the other file's block at " + offset * 100);
    }
    closing.put(0, new byte[100]);
    assertNull(closing.get(0), "a closed file caches nothing more");
    closing.close(); // a second close changes nothing
    assertEquals(20 * 50, cache.usedBytes());
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
    f.close();
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

  @Test
  void concurrentReadersOfOneHotSetAllGetTheBlockThatWasCachedWhileAnotherFileIsClosed()
      throws InterruptedException {
    long seed = System.nanoTime();
    System.out.println("concurrentReadersOfOneHotSet seed " + seed);
    BlockCache cache = new BlockCache(64 * 1024, 4);
    BlockCache.FileBlocks<byte[]> f = file(cache);
    BlockCache.FileBlocks<byte[]> closing = file(cache);
    byte[][] canonical = new byte[64][];
    for (int i = 0; i < canonical.length; i++) {
      canonical[i] = new byte[100 + i];
      canonical[i][0] = (byte) i;
    }
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      long threadSeed = seed + t;
      Thread thread = new Thread(() -> {
        java.util.Random rnd = new java.util.Random(threadSeed);
        try {
          for (int i = 0; i < 100_000; i++) {
            int block = rnd.nextInt(canonical.length);
            byte[] got = f.get(block);
            if (got == null) {
              f.put(block, canonical[block]);
            } else if (got != canonical[block]) {
              throw new AssertionError("block " + block + " came back as another block (" + got.length + " bytes)");
            }
            if (i % 1000 == 0) {
              read(closing, rnd.nextInt(100), 100);
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      threads.add(thread);
      thread.start();
    }
    closing.close();
    for (Thread thread : threads) {
      thread.join();
    }
    assertTrue(failures.isEmpty(), "seed " + seed + ": " + failures);
    long resident = 0;
    for (long offset = 0; offset < canonical.length; offset++) {
      byte[] b = f.get(offset);
      resident += b == null ? 0 : b.length;
    }
    assertEquals(resident, cache.usedBytes(), "seed " + seed + ": the closed file left no bytes counted");
    assertTrue(resident > 0, "seed " + seed);
  }
}
