package dev.strata.sst;

import dev.strata.util.ByteBuilder;
import dev.strata.util.Bytes;
import dev.strata.util.Crc32c;

/**
 * The 5 bytes that follow every block in a table file (data, index, filter, properties):
 *
 * <pre>
 * type  uint8                   compression code; 0 = none, the only one format version 1 writes
 * crc   uint32 little-endian    masked CRC32C over the block contents and the type byte
 * </pre>
 *
 * <p>The type byte is covered by the checksum so that a flipped type cannot make a reader
 * misinterpret intact contents.
 */
final class BlockTrailer {
  static final int BYTES = 5;
  static final int TYPE_UNCOMPRESSED = 0;

  private BlockTrailer() {}

  /** Appends the trailer for the block held in {@code block[0, size())}. */
  static void append(ByteBuilder block) {
    int contents = block.size();
    block.putByte(TYPE_UNCOMPRESSED);
    block.putIntLE(Crc32c.maskedOf(block.array(), 0, contents + 1));
  }

  /**
   * Checks the trailer at {@code buf[size, size + BYTES)} against {@code buf[0, size)}; returns
   * null when it holds, else what is wrong.
   */
  static String verify(byte[] buf, int size) {
    int stored = Crc32c.unmask(Bytes.getIntLE(buf, size + 1));
    int actual = Crc32c.compute(buf, 0, size + 1);
    if (stored != actual) {
      return String.format("checksum mismatch (stored %08x, computed %08x)", stored, actual);
    }
    int type = buf[size] & 0xff;
    if (type != TYPE_UNCOMPRESSED) {
      return "unknown block type " + type;
    }
    return null;
  }
}
