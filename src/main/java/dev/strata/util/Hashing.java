package dev.strata.util;

/**
 * XXH64 (Yann Collet's xxHash, 64-bit variant), written out here so the bloom filter format does
 * not depend on a library's choice of hash. It is fast, passes SMHasher, and its 64 bits give two
 * independent 32-bit halves: the filter picks a block with one and its bits with the other. The
 * output is part of the SST filter format: changing this function is a format change.
 */
public final class Hashing {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private Hashing() {}

  public static long xxh64(byte[] b) {
    return xxh64(b, 0, b.length, 0);
  }

  public static long xxh64(byte[] b, int off, int len, long seed) {
    int p = off;
    int end = off + len;
    long h;
    if (len >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      int stripeLimit = end - 32;
      while (p <= stripeLimit) {
        v1 = round(v1, Bytes.getLongLE(b, p));
        v2 = round(v2, Bytes.getLongLE(b, p + 8));
        v3 = round(v3, Bytes.getLongLE(b, p + 16));
        v4 = round(v4, Bytes.getLongLE(b, p + 24));
        p += 32;
      }
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
      h = merge(h, v1);
      h = merge(h, v2);
      h = merge(h, v3);
      h = merge(h, v4);
    } else {
      h = seed + P5;
    }
    h += len;
    while (p + 8 <= end) {
      h ^= round(0, Bytes.getLongLE(b, p));
      h = Long.rotateLeft(h, 27) * P1 + P4;
      p += 8;
    }
    if (p + 4 <= end) {
      h ^= (Bytes.getIntLE(b, p) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      p += 4;
    }
    while (p < end) {
      h ^= (b[p] & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      p++;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  private static long merge(long acc, long val) {
    acc ^= round(0, val);
    return acc * P1 + P4;
  }
}
