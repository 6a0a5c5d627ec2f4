package dev.strata.cluster.sharding;

import java.util.Objects;

/**
 * Which shard of a keyspace a key belongs to: {@code floorMod(murmur3_32(key, seed 0), shards)}.
 *
 * <p>This function is part of the on-disk contract: every shard store holds exactly the keys that
 * map to its shard number, so changing the hash (or its seed) would strand every stored key in
 * the wrong shard. MurmurHash3 x86 32-bit (Austin Appleby's reference {@code MurmurHash3_x86_32}),
 * over the key's bytes, little-endian 4-byte blocks, seed 0; {@code murmur3_32("")} is 0 and
 * {@code murmur3_32("hello")} is {@code 0x248bfa47}, as in the reference and in Guava's
 * {@code Hashing.murmur3_32_fixed()}.
 *
 * <p>Stateless and thread-safe.
 */
public final class ShardHash {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private ShardHash() {}

  /** The shard of {@code key} among {@code shards} (at least 1). */
  public static int shardOf(byte[] key, int shards) {
    Objects.requireNonNull(key, "key must not be null");
    if (shards < 1) {
      throw new IllegalArgumentException("a keyspace has at least 1 shard, not " + shards);
    }
    return Math.floorMod(murmur3(key), shards);
  }

  /** MurmurHash3 x86 32-bit of {@code data} with seed 0. */
  public static int murmur3(byte[] data) {
    int h = 0;
    int blocks = data.length / 4;
    for (int i = 0; i < blocks; i++) {
      int j = i * 4;
      int k = (data[j] & 0xff) | (data[j + 1] & 0xff) << 8 | (data[j + 2] & 0xff) << 16 | (data[j + 3] & 0xff) << 24;
      h ^= mixK(k);
      h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
    }
    int tail = blocks * 4;
    int k = 0;
    switch (data.length & 3) {
      case 3:
        k ^= (data[tail + 2] & 0xff) << 16;
        // fall through
      case 2:
        k ^= (data[tail + 1] & 0xff) << 8;
        // fall through
      case 1:
        k ^= data[tail] & 0xff;
        h ^= mixK(k);
        break;
      default:
        break;
    }
    h ^= data.length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  private static int mixK(int k) {
    k *= C1;
    k = Integer.rotateLeft(k, 15);
    return k * C2;
  }
}
