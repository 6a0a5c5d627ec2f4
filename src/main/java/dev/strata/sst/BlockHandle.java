package dev.strata.sst;

import dev.strata.util.ByteBuilder;
import dev.strata.util.ByteReader;

/**
 * Where a block lives in a table file: its offset and its size, the size counting the block's
 * contents but not its 5-byte trailer. In the index a handle is encoded as
 * {@code offset varint64 | size varint32}; in the footer as two fixed 64-bit integers.
 */
record BlockHandle(long offset, int size) {
  static final BlockHandle NONE = new BlockHandle(0, 0);

  /** Offset of the first byte after the block and its trailer. */
  long end() {
    return offset + size + BlockTrailer.BYTES;
  }

  void encodeTo(ByteBuilder out) {
    out.putVarint64(offset).putVarint32(size);
  }

  static BlockHandle decodeFrom(ByteReader in) {
    long offset = in.readVarint64();
    long size = in.readVarint32();
    if (offset < 0 || size > Integer.MAX_VALUE - BlockTrailer.BYTES) {
      throw new dev.strata.CorruptionException("bad block handle (offset " + offset + ", size " + size + ")");
    }
    return new BlockHandle(offset, (int) size);
  }
}
