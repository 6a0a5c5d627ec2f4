package dev.strata.sst;

import dev.strata.Compression;
import dev.strata.CorruptionException;
import dev.strata.util.ByteBuilder;
import dev.strata.util.Lz4BlockDecoder;
import dev.strata.util.Varint;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Compresses and decompresses the contents of a block, by the type code its trailer records (see
 * {@link BlockTrailer}). The stored contents of a compressed block:
 *
 * <pre>
 * type 0 (none) = the block as it is
 * type 1 (lz4)  = uncompressedLength varint32 | LZ4 block-format bytes (no frame, no checksum of
 *                 its own: the trailer's CRC32C covers these bytes)
 * </pre>
 *
 * <p>LZ4 compression is lz4-java's pure-Java implementation ({@link LZ4Factory#safeInstance()}: no
 * JNI, no {@code sun.misc.Unsafe}); decompression is {@link Lz4BlockDecoder}, which checks every
 * length and offset and rejects malformed input, at about half the cost of lz4-java's safe
 * decompressor. A block that does not shrink by at
 * least 1/8 is stored raw (LevelDB's rule): the saving would not pay for decompressing it.
 *
 * <p>Decompression is static and thread-safe. An instance compresses into a buffer it reuses and
 * is not thread-safe: one table builder owns one.
 */
final class BlockCodec {
  static final int TYPE_NONE = 0;
  static final int TYPE_LZ4 = 1;

  private static final LZ4Factory LZ4 = LZ4Factory.safeInstance();

  private final Compression compression;
  private final LZ4Compressor lz4;
  private final ByteBuilder out = new ByteBuilder(4096);
  private byte[] scratch = new byte[0];

  BlockCodec(Compression compression) {
    this.compression = compression;
    this.lz4 = compression == Compression.LZ4 ? LZ4.fastCompressor() : null;
  }

  /** The trailer type code of blocks this codec compresses. */
  int type() {
    return typeOf(compression);
  }

  static int typeOf(Compression c) {
    return switch (c) {
      case NONE -> TYPE_NONE;
      case LZ4 -> TYPE_LZ4;
    };
  }

  /** True when a compressed form of {@code compressed} bytes is worth keeping for {@code raw} bytes. */
  static boolean worthKeeping(int compressed, int raw) {
    return compressed < raw - raw / 8;
  }

  /**
   * The stored contents of {@code block[0, length)} under this codec, in a buffer reused by the
   * next call; null for {@link Compression#NONE} or when the block does not shrink by 1/8.
   */
  ByteBuilder compress(byte[] block, int length) {
    if (lz4 == null) {
      return null;
    }
    int max = lz4.maxCompressedLength(length);
    if (scratch.length < max) {
      scratch = new byte[max];
    }
    int n = lz4.compress(block, 0, length, scratch, 0, max);
    out.reset();
    out.putVarint32(length).putBytes(scratch, 0, n);
    return worthKeeping(out.size(), length) ? out : null;
  }

  /**
   * The most bytes {@code storedLength} stored bytes can decompress to (see {@link
   * Lz4BlockDecoder#maxDecodedLength}): a larger claim is corrupt, and must not make the reader
   * allocate gigabytes.
   */
  static int maxUncompressedLength(int storedLength) {
    return Lz4BlockDecoder.maxDecodedLength(storedLength);
  }

  /**
   * The uncompressed block held, as type {@code type}, in {@code stored[0, length)}; for type 0
   * that is {@code stored} itself. Never returns bytes the codec did not produce in full.
   *
   * @param maxLength the largest uncompressed length to accept (see {@link #maxUncompressedLength})
   * @throws CorruptionException (without the file's name) on an unknown type or malformed contents
   */
  static byte[] decompress(int type, byte[] stored, int length, int maxLength) {
    switch (type) {
      case TYPE_NONE:
        return stored;
      case TYPE_LZ4: {
        long packed = Varint.decode32(stored, 0, Math.min(5, length));
        if (packed == Varint.MALFORMED) {
          throw new CorruptionException("lz4 block has a malformed uncompressed length");
        }
        int expected = Varint.value(packed);
        if (expected < 0 || expected > maxLength) {
          throw new CorruptionException("lz4 block claims " + Integer.toUnsignedString(expected)
              + " uncompressed bytes, more than the " + maxLength + " a block may hold");
        }
        byte[] block = new byte[expected];
        Lz4BlockDecoder.decode(stored, Varint.position(packed), length, block);
        return block;
      }
      default:
        throw new CorruptionException("unknown block type " + type);
    }
  }

  /**
   * The uncompressed block held, as a compressed type, in {@code stored[0, length)} (absolute: the
   * buffer's position and limit stay as they were), which may be a memory mapping: one bulk copy
   * out of it, then {@link #decompress(int, byte[], int, int)}, whose decoder indexes arrays
   * (cheaper than decoding from the buffer byte by byte).
   *
   * @throws CorruptionException as {@link #decompress(int, byte[], int, int)}; type 0 counts as
   *     unknown here, since a raw block is used as it is stored and never reaches this method
   */
  static byte[] decompress(int type, ByteBuffer stored, int length, int maxLength) {
    if (type == TYPE_NONE) {
      throw new CorruptionException("unknown block type " + type);
    }
    byte[] copy = new byte[length];
    stored.get(0, copy);
    return decompress(type, copy, length, maxLength);
  }
}
