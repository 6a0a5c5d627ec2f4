package dev.strata.util;

/**
 * LevelDB-style varints: seven bits per byte, least significant group first, the high bit set on
 * every byte but the last. A 32-bit varint takes 1 to 5 bytes, a 64-bit one 1 to 10.
 *
 * <p>Decoding returns the value and the position after it packed into one {@code long}
 * ({@code position << 32 | value}) so that hot loops decode without allocating; a malformed or
 * truncated varint returns {@link #MALFORMED} (negative, which no packed result can be).
 */
public final class Varint {
  /** Returned by the packed decoders when the varint is malformed or runs past the limit. */
  public static final long MALFORMED = -1L;

  public static final int MAX_VARINT32_BYTES = 5;
  public static final int MAX_VARINT64_BYTES = 10;

  private Varint() {}

  /** Bytes {@code value} takes as a varint; the int is read as unsigned. */
  public static int length32(int value) {
    return length64(value & 0xFFFFFFFFL);
  }

  /** Bytes {@code value} takes as a varint; the long is read as unsigned. */
  public static int length64(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  /** Writes {@code value} (unsigned) at {@code pos}; returns the position after it. */
  public static int put32(byte[] dst, int pos, int value) {
    return put64(dst, pos, value & 0xFFFFFFFFL);
  }

  /** Writes {@code value} (unsigned) at {@code pos}; returns the position after it. */
  public static int put64(byte[] dst, int pos, long value) {
    while ((value & ~0x7FL) != 0) {
      dst[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    dst[pos++] = (byte) value;
    return pos;
  }

  /**
   * Decodes a 32-bit varint from {@code src[pos, limit)}. Returns {@code newPos << 32 | value}
   * (value as unsigned 32 bits) or {@link #MALFORMED}.
   */
  public static long decode32(byte[] src, int pos, int limit) {
    long value = 0;
    for (int shift = 0; shift <= 28 && pos < limit; shift += 7) {
      int b = src[pos++];
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value > 0xFFFFFFFFL ? MALFORMED : ((long) pos << 32) | value;
      }
    }
    return MALFORMED;
  }

  /** The value half of a packed decode result. */
  public static int value(long packed) {
    return (int) packed;
  }

  /** The position half of a packed decode result. */
  public static int position(long packed) {
    return (int) (packed >>> 32);
  }
}
