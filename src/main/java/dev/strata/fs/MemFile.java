package dev.strata.fs;

import java.util.Arrays;

/**
 * One file of {@link InMemoryFileSystem}, independent of its names (an inode): its current
 * content, as the operating system would hold it, and its durable content, as of its last sync.
 * Not thread-safe: guarded by the owning file system's monitor.
 */
final class MemFile {
  private byte[] data = new byte[0];
  private int length;
  private byte[] durable = new byte[0];

  int length() {
    return length;
  }

  /** Writes at {@code position}, growing the file (zero-filled) as needed. */
  void write(long position, byte[] src, int offset, int count) {
    setLength(Math.max(length, checkedEnd(position, count)));
    System.arraycopy(src, offset, data, (int) position, count);
  }

  /** Truncates, or extends with zeros. */
  void setLength(long newLength) {
    int n = checkedEnd(newLength, 0);
    if (n > data.length) {
      data = Arrays.copyOf(data, Math.max(n, (int) Math.min(Integer.MAX_VALUE - 8, 2L * data.length)));
    } else if (n < length) {
      Arrays.fill(data, n, length, (byte) 0);
    }
    length = n;
  }

  void read(long position, byte[] dst, int offset, int count) {
    System.arraycopy(data, (int) position, dst, offset, count);
  }

  void sync() {
    durable = Arrays.copyOf(data, length);
  }

  void revertToDurable() {
    data = durable.clone();
    length = durable.length;
  }

  /** Inverts every bit of one byte, in the current content and, if it reaches, the durable one. */
  void flipByte(long position) {
    if (position < 0 || position >= length) {
      throw new IllegalArgumentException("offset " + position + " is outside a file of " + length + " bytes");
    }
    data[(int) position] ^= (byte) 0xFF;
    if (position < durable.length) {
      durable[(int) position] ^= (byte) 0xFF;
    }
  }

  private static int checkedEnd(long position, int count) {
    long end = position + count;
    if (position < 0 || end > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("in-memory files are limited to 2 GiB, wanted " + end + " bytes");
    }
    return (int) end;
  }
}
