package dev.strata.util;

import java.util.Arrays;

/**
 * A growable byte array for assembling encoded records: unlike ByteArrayOutputStream it is not
 * synchronized, exposes its backing array (so callers checksum and write it without a copy) and
 * can be reset and reused. Fixed-width integers are little-endian. Not thread-safe.
 */
public final class ByteBuilder {
  private byte[] buf;
  private int size;

  public ByteBuilder() {
    this(256);
  }

  public ByteBuilder(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  public int size() {
    return size;
  }

  /** The backing array; only {@code [0, size())} is meaningful and it is replaced as it grows. */
  public byte[] array() {
    return buf;
  }

  public void reset() {
    size = 0;
  }

  /**
   * Makes room for {@code length} more bytes and returns the offset they start at in {@link
   * #array()}; the caller writes there and then records the new size with {@link #size(int)}.
   */
  public int reserve(int length) {
    ensure(length);
    return size;
  }

  /** Records that {@code [0, newSize)} of {@link #array()} is meaningful (after {@link #reserve}). */
  public void size(int newSize) {
    if (newSize < 0 || newSize > buf.length) {
      throw new IndexOutOfBoundsException("size " + newSize + " outside the buffer's " + buf.length + " bytes");
    }
    size = newSize;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  public ByteBuilder putByte(int b) {
    ensure(1);
    buf[size++] = (byte) b;
    return this;
  }

  public ByteBuilder putBytes(byte[] src) {
    return putBytes(src, 0, src.length);
  }

  public ByteBuilder putBytes(byte[] src, int off, int len) {
    ensure(len);
    System.arraycopy(src, off, buf, size, len);
    size += len;
    return this;
  }

  public ByteBuilder putVarint32(int value) {
    ensure(Varint.MAX_VARINT32_BYTES);
    size = Varint.put32(buf, size, value);
    return this;
  }

  public ByteBuilder putVarint64(long value) {
    ensure(Varint.MAX_VARINT64_BYTES);
    size = Varint.put64(buf, size, value);
    return this;
  }

  public ByteBuilder putIntLE(int value) {
    ensure(4);
    Bytes.putIntLE(buf, size, value);
    size += 4;
    return this;
  }

  public ByteBuilder putLongLE(long value) {
    ensure(8);
    Bytes.putLongLE(buf, size, value);
    size += 8;
    return this;
  }

  private void ensure(int extra) {
    long needed = (long) size + extra;
    if (needed > buf.length) {
      if (needed > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("buffer would exceed 2 GiB");
      }
      long grown = Math.max(needed, Math.min((long) buf.length * 2, Integer.MAX_VALUE - 8));
      buf = Arrays.copyOf(buf, (int) grown);
    }
  }
}
