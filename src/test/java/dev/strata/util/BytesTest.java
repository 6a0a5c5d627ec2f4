package dev.strata.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bytes.compareUnsigned orders byte ranges as Arrays.compareUnsigned does: the same sign, always. */
class BytesTest {
  @ParameterizedTest(name = "{0} vs {1}: {2}")
  @CsvSource({
      // a (hex), b (hex), sign of a - b
      "'', '', 0",
      "'', 00, -1",
      "00, '', 1",
      "7f, 80, -1",
      "80, 7f, 1",
      "ff, 00, 1",
      "0001020304050607, 0001020304050607, 0",
      "0001020304050607, 000102030405060700, -1",
      "00010203040506ff, 0001020304050680, 1",
      "80000000000000000000000000000000, 7fffffffffffffffffffffffffffffff, 1",
      "3030303030303030303030303030303031, 303030303030303030303030303030303030, 1",
      "30303030303030303030303030303030, 30303030303030303030303030303031, -1",
      "ffffffffffffffff01, ffffffffffffffff0100, -1",
  })
  void ordersAsUnsignedBytesWithAShorterPrefixFirst(String a, String b, int sign) {
    byte[] x = HexFormat.of().parseHex(a);
    byte[] y = HexFormat.of().parseHex(b);
    assertEquals(sign, Integer.signum(Bytes.compareUnsigned(x, 0, x.length, y, 0, y.length)));
    assertEquals(-sign, Integer.signum(Bytes.compareUnsigned(y, 0, y.length, x, 0, x.length)));
  }

  @Test
  void agreesWithArraysOnRandomRangesAtEveryOffset() {
    Random random = new Random(17);
    byte[] pool = {0x00, 0x01, 0x30, 0x7f, (byte) 0x80, (byte) 0xfe, (byte) 0xff};
    for (int i = 0; i < 200_000; i++) {
      byte[] a = new byte[random.nextInt(40)];
      for (int j = 0; j < a.length; j++) {
        a[j] = pool[random.nextInt(pool.length)];
      }
      // b shares a prefix of a most of the time, so that mismatches land at every position
      byte[] b = Arrays.copyOf(a, random.nextInt(40));
      for (int j = random.nextInt(b.length + 1); j < b.length; j++) {
        b[j] = pool[random.nextInt(pool.length)];
      }
      int aOff = random.nextInt(a.length + 1);
      int bOff = random.nextInt(b.length + 1);
      int aLen = random.nextInt(a.length - aOff + 1);
      int bLen = random.nextInt(b.length - bOff + 1);
      int expected = Integer.signum(Arrays.compareUnsigned(a, aOff, aOff + aLen, b, bOff, bOff + bLen));
      assertEquals(expected, Integer.signum(Bytes.compareUnsigned(a, aOff, aLen, b, bOff, bLen)),
          () -> HexFormat.of().formatHex(a, aOff, aOff + aLen) + " vs " + HexFormat.of().formatHex(b, bOff, bOff + bLen));
    }
  }
}
