package dev.strata.sst;

import dev.strata.CorruptionException;
import dev.strata.key.InternalKey;
import dev.strata.util.ByteBuilder;
import dev.strata.util.ByteReader;
import java.util.Arrays;

/**
 * The index block, decoded once at open into flat arrays: for data block i, its last encoded
 * internal key and its handle. The index block itself uses the {@link BlockBuilder} layout with
 * key = the last internal key of the data block and value = its handle
 * ({@code offset varint64 | size varint32}).
 *
 * <p>Decoding checks what a damaged index could otherwise turn into wrong answers: keys strictly
 * ascending, and data blocks contiguous from offset 0 up to the first metadata block. Immutable
 * and thread-safe.
 */
final class TableIndex {
  private final byte[] keys;
  private final int[] keyStarts;
  private final long[] offsets;
  private final int[] sizes;

  private TableIndex(byte[] keys, int[] keyStarts, long[] offsets, int[] sizes) {
    this.keys = keys;
    this.keyStarts = keyStarts;
    this.offsets = offsets;
    this.sizes = sizes;
  }

  /** Decodes and checks the index; {@code dataEnd} is where the last data block must end. */
  static TableIndex decode(Block block, long dataEnd) {
    ByteBuilder keys = new ByteBuilder(4096);
    int[] keyStarts = new int[65];
    long[] offsets = new long[64];
    int[] sizes = new int[64];
    int n = 0;
    long expectedOffset = 0;
    BlockIterator it = block.iterator();
    for (it.seekToFirst(); it.isValid(); it.next()) {
      if (n == offsets.length) {
        keyStarts = Arrays.copyOf(keyStarts, 2 * n + 1);
        offsets = Arrays.copyOf(offsets, 2 * n);
        sizes = Arrays.copyOf(sizes, 2 * n);
      }
      byte[] key = it.keyBuffer();
      int keyLen = it.keyLength();
      if (n > 0) {
        int prevStart = keyStarts[n - 1];
        if (InternalKey.compareEncoded(keys.array(), prevStart, keys.size() - prevStart, key, 0, keyLen) >= 0) {
          throw block.corruption("index entry " + n + " (" + EncodedKeys.describe(key, 0, keyLen)
              + ") is not after the one before it");
        }
      }
      BlockHandle handle;
      try {
        ByteReader value = new ByteReader(it.blockData(), it.valueOffset(), it.valueOffset() + it.valueLength());
        handle = BlockHandle.decodeFrom(value);
        if (value.hasRemaining()) {
          throw new CorruptionException(value.remaining() + " trailing bytes after the block handle");
        }
      } catch (CorruptionException e) {
        throw block.corruption("index entry " + n + ": " + e.getMessage());
      }
      if (handle.offset() != expectedOffset || handle.end() > dataEnd) {
        throw block.corruption("index entry " + n + " points at a data block (offset " + handle.offset()
            + ", size " + handle.size() + ") that is not where the previous one ends (" + expectedOffset
            + ") or runs past the data (" + dataEnd + ")");
      }
      expectedOffset = handle.end();
      keyStarts[n] = keys.size();
      keys.putBytes(key, 0, keyLen);
      offsets[n] = handle.offset();
      sizes[n] = handle.size();
      n++;
    }
    if (expectedOffset != dataEnd) {
      throw block.corruption("the indexed data blocks end at " + expectedOffset
          + " but the metadata blocks start at " + dataEnd);
    }
    keyStarts[n] = keys.size();
    return new TableIndex(keys.toByteArray(), Arrays.copyOf(keyStarts, n + 1), Arrays.copyOf(offsets, n),
        Arrays.copyOf(sizes, n));
  }

  int blockCount() {
    return offsets.length;
  }

  /**
   * The first data block whose last key is at or after (userKey, sequence): the only block where
   * the target's first candidate can be. {@link #blockCount()} when every block ends before it.
   */
  int findBlock(byte[] userKey, long sequence) {
    int lo = 0;
    int hi = offsets.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      int start = keyStarts[mid];
      if (SeekTarget.isAtOrAfter(keys, start, keyStarts[mid + 1] - start, userKey, sequence)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  long offset(int block) {
    return offsets[block];
  }

  int size(int block) {
    return sizes[block];
  }

  /** The stored sizes of every data block, summed (trailers not counted). */
  long dataBytes() {
    long sum = 0;
    for (int size : sizes) {
      sum += size;
    }
    return sum;
  }

  /** Block {@code block}'s last encoded internal key, as a fresh array. */
  byte[] lastKey(int block) {
    return Arrays.copyOfRange(keys, keyStarts[block], keyStarts[block + 1]);
  }

  /** Bytes the decoded index holds, for tools. */
  long memoryBytes() {
    return keys.length + 4L * keyStarts.length + 8L * offsets.length + 4L * sizes.length;
  }
}
