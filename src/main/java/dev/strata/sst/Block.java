package dev.strata.sst;

import dev.strata.CorruptionException;
import dev.strata.util.Bytes;

/**
 * One decoded block (layout in {@link BlockBuilder}), ready to iterate. Its restart array is
 * validated on construction; entries are validated as they are decoded.
 *
 * <p>Immutable and thread-safe: a block is shared through the block cache by every reader of the
 * table, and each reader iterates it with its own {@link BlockIterator}.
 */
public final class Block {
  private final byte[] data;
  private final int length;
  private final int restartsOffset;
  private final int restartCount;
  // Where the block came from, kept only to name it in corruption messages.
  private final String fileName;
  private final String kind;
  private final long fileOffset;

  /** A block held in memory alone, as tests build it. */
  public Block(byte[] contents) {
    this(contents, contents.length, "<memory>", "test", 0);
  }

  /**
   * @param data holds the block in {@code [0, length)}; anything after it (the trailer the reader
   *     read in the same call) is ignored but charged to the cache, since it shares the array
   */
  Block(byte[] data, int length, String fileName, String kind, long fileOffset) {
    this.data = data;
    this.length = length;
    this.fileName = fileName;
    this.kind = kind;
    this.fileOffset = fileOffset;
    if (length < 4 || length > data.length) {
      throw corruption("block of " + length + " bytes is too short for its restart count");
    }
    int count = Bytes.getIntLE(data, length - 4);
    if (count < 0 || count > (length - 4) / 4) {
      throw corruption("restart count " + count + " does not fit in " + length + " bytes");
    }
    this.restartCount = count;
    this.restartsOffset = length - 4 - 4 * count;
    validateRestarts();
  }

  private void validateRestarts() {
    if (restartCount == 0) {
      if (restartsOffset != 0) {
        throw corruption("entries without a restart point");
      }
      return;
    }
    int previous = -1;
    for (int i = 0; i < restartCount; i++) {
      int r = restartOffset(i);
      boolean ok = i == 0 ? r == 0 : r > previous && r < restartsOffset;
      if (!ok) {
        throw corruption("restart " + i + " has bad offset " + r);
      }
      previous = r;
    }
  }

  /** Bytes this block holds in memory: what the block cache charges for it. */
  public int sizeBytes() {
    return data.length;
  }

  public BlockIterator iterator() {
    return new BlockIterator(this);
  }

  byte[] data() {
    return data;
  }

  /** Where entries end and the restart array begins. */
  int entriesEnd() {
    return restartsOffset;
  }

  int restartCount() {
    return restartCount;
  }

  int restartOffset(int i) {
    return Bytes.getIntLE(data, restartsOffset + 4 * i);
  }

  CorruptionException corruption(String detail) {
    return new CorruptionException(fileName + ": " + kind + " block at offset " + fileOffset + ": " + detail);
  }
}
