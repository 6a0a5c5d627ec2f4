package dev.strata.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashingTest {
  private static long xxh64(String s) {
    return Hashing.xxh64(s.getBytes(StandardCharsets.US_ASCII));
  }

  /** Published XXH64 values (seed 0): the filter format depends on this exact function. */
  @Test
  void matchesTheReferenceXxh64() {
    assertEquals(0xEF46DB3751D8E999L, xxh64(""));
    assertEquals(0xD24EC4F1A98C6E5BL, xxh64("a"));
    assertEquals(0x44BC2CF5AD770999L, xxh64("abc"));
    assertEquals(0x066ED728FCEEB3BEL, xxh64("message digest"));
    assertEquals(0xCFE1F278FA89835CL, xxh64("abcdefghijklmnopqrstuvwxyz"));
    assertEquals(0xAAA46907D3047814L, xxh64("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"));
    assertEquals(0xE04A477F19EE145DL, xxh64("1234567890".repeat(8)));
  }

  @Test
  void hashesASliceAsItsOwnBytes() {
    byte[] padded = "__abc__".getBytes(StandardCharsets.US_ASCII);
    assertEquals(xxh64("abc"), Hashing.xxh64(padded, 2, 3, 0));
  }
}
