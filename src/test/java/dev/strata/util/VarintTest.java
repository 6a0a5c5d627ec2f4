package dev.strata.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.CorruptionException;
import org.junit.jupiter.api.Test;

class VarintTest {
  private static final long[] VALUES = {0, 1, 127, 128, 300, 16_383, 16_384, (1L << 21) - 1, 1L << 28,
      0xFFFFFFFFL, 1L << 35, Long.MAX_VALUE, -1L};

  @Test
  void sevenBitsPerByteLeastSignificantFirst() {
    ByteBuilder b = new ByteBuilder();
    b.putVarint32(300);
    assertArrayEquals(new byte[] {(byte) 0xAC, 0x02}, b.toByteArray());
  }

  @Test
  void varint64RoundTripsAndHasThePredictedLength() {
    ByteBuilder b = new ByteBuilder();
    for (long v : VALUES) {
      int before = b.size();
      b.putVarint64(v);
      assertEquals(Varint.length64(v), b.size() - before, "length of " + v);
    }
    ByteReader r = new ByteReader(b.array(), 0, b.size());
    for (long v : VALUES) {
      assertEquals(v, r.readVarint64());
    }
    assertEquals(0, r.remaining());
  }

  @Test
  void varint32RoundTripsAsUnsigned() {
    ByteBuilder b = new ByteBuilder();
    int[] values = {0, 1, 127, 128, 1 << 20, Integer.MAX_VALUE, -1};
    for (int v : values) {
      b.putVarint32(v);
    }
    int pos = 0;
    for (int v : values) {
      long r = Varint.decode32(b.array(), pos, b.size());
      assertEquals(v, Varint.value(r));
      pos = Varint.position(r);
    }
    assertEquals(b.size(), pos);
    assertEquals(5, Varint.length32(-1));
  }

  @Test
  void aTruncatedOrOverlongVarintIsMalformed() {
    byte[] truncated = {(byte) 0x80, (byte) 0x80};
    assertEquals(Varint.MALFORMED, Varint.decode32(truncated, 0, 2));
    byte[] sixBytes = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01};
    assertEquals(Varint.MALFORMED, Varint.decode32(sixBytes, 0, 6));
    byte[] above32Bits = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x1F};
    assertEquals(Varint.MALFORMED, Varint.decode32(above32Bits, 0, 5));
    assertThrows(CorruptionException.class, () -> new ByteReader(truncated, 0, 2).readVarint64());
  }

  @Test
  void aReaderRefusesToReadPastItsLimit() {
    ByteReader r = new ByteReader(new byte[] {5, 1, 2}, 0, 3);
    assertThrows(CorruptionException.class, r::readLength);
    assertThrows(CorruptionException.class, () -> new ByteReader(new byte[3], 0, 3).readIntLE());
  }

  @Test
  void fixedWidthIntegersAreLittleEndian() {
    ByteBuilder b = new ByteBuilder();
    b.putIntLE(0x01020304).putLongLE(0x0102030405060708L);
    assertArrayEquals(new byte[] {4, 3, 2, 1, 8, 7, 6, 5, 4, 3, 2, 1}, b.toByteArray());
    ByteReader r = new ByteReader(b.array(), 0, b.size());
    assertEquals(0x01020304, r.readIntLE());
    assertEquals(0x0102030405060708L, r.readLongLE());
  }
}
