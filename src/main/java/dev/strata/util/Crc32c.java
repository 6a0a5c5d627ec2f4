package dev.strata.util;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C (Castagnoli; hardware-accelerated by the JDK) and LevelDB's masking.
 *
 * <p>Why mask: the CRC of a byte string that itself embeds CRCs is weak (a CRC over data plus its
 * own CRC is a constant). Stored checksums are therefore rotated right by 15 bits and offset by a
 * constant, so a checksum field inside checksummed data no longer looks like one.
 */
public final class Crc32c {
  private static final int MASK_DELTA = 0xa282ead8;

  private Crc32c() {}

  public static int compute(byte[] b, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b, off, len);
    return (int) crc.getValue();
  }

  /**
   * The CRC32C of {@code b[off, off+len)} (absolute: the buffer's position and limit are left as
   * they were). A direct buffer, such as a memory mapping, is checksummed where it lies.
   */
  public static int compute(ByteBuffer b, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b.slice(off, len));
    return (int) crc.getValue();
  }

  public static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  public static int unmask(int masked) {
    int rot = masked - MASK_DELTA;
    return (rot >>> 17) | (rot << 15);
  }

  /** The masked CRC32C of {@code b[off, off+len)}: what the formats store. */
  public static int maskedOf(byte[] b, int off, int len) {
    return mask(compute(b, off, len));
  }
}
