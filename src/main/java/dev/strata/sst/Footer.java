package dev.strata.sst;

import dev.strata.CorruptionException;
import dev.strata.util.Bytes;
import dev.strata.util.Crc32c;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fixed-size end of every table file: where the metadata blocks are, and proof that the file
 * is a whole Strata table of a known version. All integers little-endian.
 *
 * <pre>
 * offset  size
 *  0      8    index block offset       uint64
 *  8      8    index block size         uint64  (contents only; the 5-byte trailer follows)
 * 16      8    filter block offset      uint64
 * 24      8    filter block size        uint64  (0 = the table has no filter)
 * 32      8    properties block offset  uint64
 * 40      8    properties block size    uint64
 * 48      4    format version           uint32  (1 or 2; see TableBuilder)
 * 52      4    masked CRC32C of bytes [0, 52)
 * 56      8    magic "STRATSST"         (ASCII, in file order)
 * 64           end of file
 * </pre>
 *
 * <p>Checks run in this order on read so that each message is the most useful one: magic first
 * (a foreign or truncated file is "not a Strata SST", not a checksum error), then the checksum,
 * then the version (a newer writer's file names the version this reader does not know).
 */
record Footer(BlockHandle index, BlockHandle filter, BlockHandle properties, int version) {
  static final int BYTES = 64;
  static final int CURRENT_VERSION = 2;
  /** Version 1: every block raw, properties without compression fields. Still read. */
  static final int OLDEST_READABLE_VERSION = 1;
  static final byte[] MAGIC = "STRATSST".getBytes(StandardCharsets.US_ASCII);
  private static final int CRC_OFFSET = 52;
  private static final int MAGIC_OFFSET = 56;

  byte[] encode() {
    byte[] out = new byte[BYTES];
    putHandle(out, 0, index);
    putHandle(out, 16, filter);
    putHandle(out, 32, properties);
    Bytes.putIntLE(out, 48, version);
    Bytes.putIntLE(out, CRC_OFFSET, Crc32c.maskedOf(out, 0, CRC_OFFSET));
    System.arraycopy(MAGIC, 0, out, MAGIC_OFFSET, MAGIC.length);
    return out;
  }

  /**
   * Decodes and checks a footer read from the last {@link #BYTES} bytes of a file of
   * {@code fileSize} bytes; every handle must point inside the part of the file before the footer.
   */
  static Footer decode(byte[] buf, long fileSize, String file) {
    if (!Arrays.equals(buf, MAGIC_OFFSET, BYTES, MAGIC, 0, MAGIC.length)) {
      throw new CorruptionException(file + ": not a Strata SST (bad magic number in the last 8 bytes)");
    }
    int stored = Crc32c.unmask(Bytes.getIntLE(buf, CRC_OFFSET));
    int actual = Crc32c.compute(buf, 0, CRC_OFFSET);
    if (stored != actual) {
      throw new CorruptionException(String.format(
          "%s: footer at offset %d: checksum mismatch (stored %08x, computed %08x)",
          file, fileSize - BYTES, stored, actual));
    }
    int version = Bytes.getIntLE(buf, 48);
    if (version < OLDEST_READABLE_VERSION || version > CURRENT_VERSION) {
      throw new CorruptionException(file + ": unknown SST format version " + Integer.toUnsignedString(version)
          + " (this reader knows versions " + OLDEST_READABLE_VERSION + " to " + CURRENT_VERSION + ")");
    }
    long limit = fileSize - BYTES;
    return new Footer(
        getHandle(buf, 0, limit, "index", file),
        getHandle(buf, 16, limit, "filter", file),
        getHandle(buf, 32, limit, "properties", file),
        version);
  }

  boolean hasFilter() {
    return filter.size() > 0;
  }

  private static void putHandle(byte[] out, int at, BlockHandle h) {
    Bytes.putLongLE(out, at, h.offset());
    Bytes.putLongLE(out, at + 8, h.size());
  }

  private static BlockHandle getHandle(byte[] buf, int at, long limit, String kind, String file) {
    long offset = Bytes.getLongLE(buf, at);
    long size = Bytes.getLongLE(buf, at + 8);
    boolean absentFilter = kind.equals("filter") && size == 0;
    if (!absentFilter && (offset < 0 || size < 0 || size > Integer.MAX_VALUE - BlockTrailer.BYTES
        || offset > limit - size - BlockTrailer.BYTES)) {
      throw new CorruptionException(file + ": footer: " + kind + " block handle (offset " + offset
          + ", size " + size + ") lies outside the " + limit + " bytes before the footer");
    }
    return absentFilter ? BlockHandle.NONE : new BlockHandle(offset, (int) size);
  }
}
