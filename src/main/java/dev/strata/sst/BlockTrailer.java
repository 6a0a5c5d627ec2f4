package dev.strata.sst;

import dev.strata.util.ByteBuilder;
import dev.strata.util.Bytes;
import dev.strata.util.Crc32c;
import java.nio.ByteBuffer;

/**
 * The 5 bytes that follow every block in a table file (data, index, filter, properties):
 *
 * <pre>
 * type  uint8                   how the stored contents are encoded (see BlockCodec):
 *                               0 = none (the only type format version 1 writes), 1 = lz4
 *                               (version 2, data blocks only)
 * crc   uint32 little-endian    masked CRC32C over the stored contents and the type byte
 * </pre>
 *
 * <p>The type byte is covered by the checksum so that a flipped type cannot make a reader
 * misinterpret intact contents; the checksum covers the contents as stored (compressed), so a
 * damaged block is caught before it reaches the decompressor.
 */
final class BlockTrailer {
  static final int BYTES = 5;
  static final int TYPE_UNCOMPRESSED = BlockCodec.TYPE_NONE;

  private BlockTrailer() {}

  /** Appends the trailer of an uncompressed block held in {@code block[0, size())}. */
  static void append(ByteBuilder block) {
    append(block, TYPE_UNCOMPRESSED);
  }

  /** Appends the trailer for the block held in {@code block[0, size())}, stored as {@code type}. */
  static void append(ByteBuilder block, int type) {
    int contents = block.size();
    block.putByte(type);
    block.putIntLE(Crc32c.maskedOf(block.array(), 0, contents + 1));
  }

  /** The type byte of the trailer at {@code buf[size, size + BYTES)}. */
  static int type(byte[] buf, int size) {
    return buf[size] & 0xff;
  }

  /** The type byte of the trailer at {@code buf[size, size + BYTES)}. */
  static int type(ByteBuffer buf, int size) {
    return buf.get(size) & 0xff;
  }

  /**
   * Checks the trailer at {@code buf[size, size + BYTES)} against {@code buf[0, size)}; returns
   * null when it holds, else what is wrong.
   */
  static String verify(byte[] buf, int size) {
    int stored = Crc32c.unmask(Bytes.getIntLE(buf, size + 1));
    return verify(stored, Crc32c.compute(buf, 0, size + 1), type(buf, size));
  }

  /** As {@link #verify(byte[], int)}, for a block lent in a buffer (absolute: it stays as it was). */
  static String verify(ByteBuffer buf, int size) {
    int stored = Crc32c.unmask((buf.get(size + 1) & 0xff) | (buf.get(size + 2) & 0xff) << 8
        | (buf.get(size + 3) & 0xff) << 16 | (buf.get(size + 4) & 0xff) << 24);
    return verify(stored, Crc32c.compute(buf, 0, size + 1), type(buf, size));
  }

  private static String verify(int stored, int actual, int type) {
    if (stored != actual) {
      return String.format("checksum mismatch (stored %08x, computed %08x)", stored, actual);
    }
    if (type != BlockCodec.TYPE_NONE && type != BlockCodec.TYPE_LZ4) {
      return "unknown block type " + type;
    }
    return null;
  }
}
