package dev.strata.cluster.sharding;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The shard hash is part of the on-disk contract: it must stay MurmurHash3 x86_32, seed 0. */
class ShardHashTest {
  @Test
  void isMurmur3X86With32BitsAndSeedZero() {
    // Reference values of MurmurHash3_x86_32 (as in mmh3 and Guava's murmur3_32_fixed).
    assertEquals(0, ShardHash.murmur3(new byte[0]));
    assertEquals(613153351, ShardHash.murmur3(b("hello")));
    assertEquals(-156908512, ShardHash.murmur3(b("foo")));
  }

  @Test
  void shardIsTheHashFloorModTheShardCount() {
    for (int i = 0; i < 1000; i++) {
      byte[] key = b("key-" + i);
      int shard = ShardHash.shardOf(key, 7);
      assertTrue(shard >= 0 && shard < 7);
      assertEquals(Math.floorMod(ShardHash.murmur3(key), 7), shard);
    }
  }

  @Test
  void everyTailLengthIsHashed() {
    // Keys of 1, 2 and 3 bytes past a block take the three tail branches: each byte must count.
    for (String s : new String[] {"abcde", "abcdef", "abcdefg"}) {
      byte[] key = b(s);
      byte[] changed = key.clone();
      changed[changed.length - 1]++;
      assertTrue(ShardHash.murmur3(key) != ShardHash.murmur3(changed), s);
    }
  }

  @Test
  void aShardCountBelowOneIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShardHash.shardOf(b("k"), 0));
    assertTrue(e.getMessage().contains("at least 1 shard"), e.getMessage());
  }
}
