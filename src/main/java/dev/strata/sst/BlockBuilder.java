package dev.strata.sst;

import dev.strata.util.ByteBuilder;
import java.util.Arrays;

/**
 * Builds one block: data blocks and the index block share this layout. Keys are encoded internal
 * keys; the builder does not check their order (the {@link TableBuilder} does).
 *
 * <pre>
 * block    = entry* restart* restartCount
 * entry    = shared    varint32   bytes this key shares with the previous key (0 at a restart)
 *            unshared  varint32   bytes of key that follow
 *            valueLen  varint32
 *            keyDelta  [unshared] the key's bytes after the shared prefix
 *            value     [valueLen]
 * restart  = int32 little-endian  offset of a restart entry from the block start; ascending,
 *                                 the first is 0; one every restartInterval entries
 * restartCount = int32 little-endian; 0 only for a block with no entries
 * </pre>
 *
 * <p>Why restarts: prefix compression makes each key depend on the one before, so a reader could
 * only scan from the start. At a restart the key is stored whole, which lets a seek binary-search
 * the restarts and then scan at most {@code restartInterval} entries.
 *
 * <p>The block trailer (type byte and checksum) is added by the table writer, not here. Not
 * thread-safe.
 */
final class BlockBuilder {
  private final int restartInterval;
  private final ByteBuilder buffer = new ByteBuilder(4096);
  private int[] restarts = new int[16];
  private int restartCount;
  private int entriesSinceRestart;
  private int entryCount;
  private byte[] lastKey = new byte[64];
  private int lastKeyLength;
  private boolean finished;

  BlockBuilder(int restartInterval) {
    if (restartInterval < 1) {
      throw new IllegalArgumentException("restartInterval must be at least 1, got " + restartInterval);
    }
    this.restartInterval = restartInterval;
  }

  void add(byte[] key, int keyOff, int keyLen, byte[] value, int valueOff, int valueLen) {
    if (finished) {
      throw new IllegalStateException("block already finished; reset it first");
    }
    int shared = 0;
    if (entriesSinceRestart == restartInterval || entryCount == 0) {
      addRestart(buffer.size());
      entriesSinceRestart = 0;
    } else {
      int max = Math.min(lastKeyLength, keyLen);
      int mismatch = Arrays.mismatch(lastKey, 0, max, key, keyOff, keyOff + max);
      shared = mismatch < 0 ? max : mismatch;
    }
    int unshared = keyLen - shared;
    buffer.putVarint32(shared).putVarint32(unshared).putVarint32(valueLen);
    buffer.putBytes(key, keyOff + shared, unshared);
    buffer.putBytes(value, valueOff, valueLen);
    rememberLastKey(key, keyOff, keyLen);
    entriesSinceRestart++;
    entryCount++;
  }

  /** Appends the restart array; the returned buffer holds the finished block until {@link #reset}. */
  ByteBuilder finish() {
    if (!finished) {
      for (int i = 0; i < restartCount; i++) {
        buffer.putIntLE(restarts[i]);
      }
      buffer.putIntLE(restartCount);
      finished = true;
    }
    return buffer;
  }

  void reset() {
    buffer.reset();
    restartCount = 0;
    entriesSinceRestart = 0;
    entryCount = 0;
    lastKeyLength = 0;
    finished = false;
  }

  /** The size the block will have when finished (before the trailer). */
  int estimatedSize() {
    if (finished) {
      return buffer.size();
    }
    return buffer.size() + 4 * restartCount + 4;
  }

  int entryCount() {
    return entryCount;
  }

  boolean isEmpty() {
    return entryCount == 0;
  }

  private void addRestart(int offset) {
    if (restartCount == restarts.length) {
      restarts = Arrays.copyOf(restarts, restarts.length * 2);
    }
    restarts[restartCount++] = offset;
  }

  private void rememberLastKey(byte[] key, int off, int len) {
    if (lastKey.length < len) {
      lastKey = new byte[Math.max(len, lastKey.length * 2)];
    }
    System.arraycopy(key, off, lastKey, 0, len);
    lastKeyLength = len;
  }
}
