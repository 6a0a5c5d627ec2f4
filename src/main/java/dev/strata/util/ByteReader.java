package dev.strata.util;

import dev.strata.CorruptionException;
import java.util.Arrays;

/**
 * A cursor over {@code buf[offset, limit)} that decodes what {@link ByteBuilder} encodes. Running
 * past the limit or meeting a malformed varint throws {@link CorruptionException} with a message
 * that gives the position; the caller knows the file and adds it. Not thread-safe.
 */
public final class ByteReader {
  private final byte[] buf;
  private final int start;
  private final int limit;
  private int pos;

  public ByteReader(byte[] buf, int offset, int limit) {
    if (offset < 0 || limit > buf.length || offset > limit) {
      throw new IndexOutOfBoundsException("[" + offset + ", " + limit + ") of " + buf.length);
    }
    this.buf = buf;
    this.start = offset;
    this.limit = limit;
    this.pos = offset;
  }

  /** Bytes consumed so far. */
  public int consumed() {
    return pos - start;
  }

  public int remaining() {
    return limit - pos;
  }

  public boolean hasRemaining() {
    return pos < limit;
  }

  public int readByte() {
    need(1);
    return buf[pos++] & 0xFF;
  }

  public int readIntLE() {
    need(4);
    int v = Bytes.getIntLE(buf, pos);
    pos += 4;
    return v;
  }

  public long readLongLE() {
    need(8);
    long v = Bytes.getLongLE(buf, pos);
    pos += 8;
    return v;
  }

  /** A 32-bit varint, as an unsigned value widened to long. */
  public long readVarint32() {
    long r = Varint.decode32(buf, pos, limit);
    if (r == Varint.MALFORMED) {
      throw new CorruptionException("malformed varint32 at byte " + consumed());
    }
    pos = Varint.position(r);
    return Varint.value(r) & 0xFFFFFFFFL;
  }

  public long readVarint64() {
    long value = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      need(1);
      int b = buf[pos++];
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw new CorruptionException("malformed varint64 ending at byte " + consumed());
  }

  /** A varint32 length that must fit in what is left: the guard against absurd allocations. */
  public int readLength() {
    long n = readVarint32();
    if (n > remaining()) {
      throw new CorruptionException("length " + n + " at byte " + consumed() + " exceeds the " + remaining() + " bytes left");
    }
    return (int) n;
  }

  public byte[] readBytes(int n) {
    need(n);
    byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return out;
  }

  private void need(int n) {
    if (n < 0 || n > limit - pos) {
      throw new CorruptionException("wanted " + n + " bytes at byte " + consumed() + ", only " + remaining() + " left");
    }
  }
}
