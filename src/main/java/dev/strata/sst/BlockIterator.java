package dev.strata.sst;

import dev.strata.iterator.InternalIterator;
import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import dev.strata.util.Varint;
import java.util.Arrays;

/**
 * A cursor over one {@link Block}. The current key is rebuilt into a reusable buffer (prefix
 * compression makes a key depend on the previous one) and compared there in place; user key and
 * value arrays are only materialized when asked for, and each call after a move returns fresh
 * arrays, as {@link InternalIterator} requires.
 *
 * <p>A malformed entry throws {@link dev.strata.CorruptionException} naming the block. Not
 * thread-safe; the block it reads is.
 */
public final class BlockIterator extends InternalIterator {
  private static final byte[] EMPTY = new byte[0];

  private final Block block;
  private final byte[] data;
  private final int entriesEnd;
  private byte[] key = new byte[64];
  private int keyLength;
  private int valueOffset;
  private int valueLength;
  private int nextEntry;
  private boolean valid;
  private byte[] userKeyCopy;

  BlockIterator(Block block) {
    this.block = block;
    this.data = block.data();
    this.entriesEnd = block.entriesEnd();
    this.nextEntry = entriesEnd;
  }

  @Override
  public boolean isValid() {
    return valid;
  }

  @Override
  public void seekToFirst() {
    nextEntry = 0;
    keyLength = 0;
    parseNext();
  }

  @Override
  public void seek(byte[] userKey, long sequence) {
    int restarts = block.restartCount();
    if (restarts == 0) {
      valid = false;
      return;
    }
    // The last restart whose key is still before the target; the target lies after it.
    int lo = 0;
    int hi = restarts - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (restartKeyIsAtOrAfter(mid, userKey, sequence)) {
        hi = mid - 1;
      } else {
        lo = mid;
      }
    }
    nextEntry = block.restartOffset(lo);
    keyLength = 0;
    parseNext();
    while (valid && !SeekTarget.isAtOrAfter(key, 0, keyLength, userKey, sequence)) {
      parseNext();
    }
  }

  @Override
  public void next() {
    if (!valid) {
      throw new IllegalStateException("next() on an exhausted block iterator");
    }
    parseNext();
  }

  @Override
  public byte[] userKey() {
    checkValid();
    if (userKeyCopy == null) {
      userKeyCopy = Arrays.copyOf(key, keyLength - InternalKey.TRAILER_BYTES);
    }
    return userKeyCopy;
  }

  @Override
  public long sequence() {
    checkValid();
    return InternalKey.sequenceOf(trailer());
  }

  @Override
  public ValueKind kind() {
    checkValid();
    ValueKind kind = InternalKey.kindOf(trailer());
    if (kind == null) {
      throw block.corruption("unknown value kind " + (trailer() & 0xff) + " in key "
          + InternalKey.printable(Arrays.copyOf(key, keyLength - InternalKey.TRAILER_BYTES)));
    }
    return kind;
  }

  @Override
  public byte[] value() {
    checkValid();
    return valueLength == 0 ? EMPTY : Arrays.copyOfRange(data, valueOffset, valueOffset + valueLength);
  }

  @Override
  public void close() {
    valid = false;
  }

  /** True when the current user key equals {@code userKey}, compared without copying. */
  boolean userKeyEquals(byte[] userKey) {
    return Arrays.equals(key, 0, keyLength - InternalKey.TRAILER_BYTES, userKey, 0, userKey.length);
  }

  /** The buffer holding the current encoded internal key in {@code [0, keyLength())}; reused. */
  byte[] keyBuffer() {
    return key;
  }

  int keyLength() {
    return keyLength;
  }

  byte[] blockData() {
    return data;
  }

  int valueOffset() {
    return valueOffset;
  }

  int valueLength() {
    return valueLength;
  }

  /** Raw: a kind code this version does not know passes here, and {@link #kind()} reports it. */
  @Override
  public long trailer() {
    checkValid();
    return InternalKey.trailerOf(key, 0, keyLength);
  }

  private void checkValid() {
    if (!valid) {
      throw new IllegalStateException("block iterator is not positioned on an entry");
    }
  }

  private boolean restartKeyIsAtOrAfter(int restart, byte[] userKey, long sequence) {
    int p = block.restartOffset(restart);
    long r = Varint.decode32(data, p, entriesEnd);
    if (r == Varint.MALFORMED || Varint.value(r) != 0) {
      throw block.corruption("restart " + restart + " at " + p + " does not hold a whole key");
    }
    r = Varint.decode32(data, Varint.position(r), entriesEnd);
    int unshared = Varint.value(r);
    long v = r == Varint.MALFORMED ? r : Varint.decode32(data, Varint.position(r), entriesEnd);
    if (v == Varint.MALFORMED) {
      throw block.corruption("malformed entry header at " + p);
    }
    int keyStart = Varint.position(v);
    if (unshared < InternalKey.TRAILER_BYTES || unshared > entriesEnd - keyStart) {
      throw block.corruption("restart key of length " + unshared + " at " + p + " is malformed");
    }
    return SeekTarget.isAtOrAfter(data, keyStart, unshared, userKey, sequence);
  }

  /** Decodes the entry at {@code nextEntry} into the current position, or ends the iteration. */
  private void parseNext() {
    userKeyCopy = null;
    int p = nextEntry;
    if (p >= entriesEnd) {
      valid = false;
      return;
    }
    int shared;
    int unshared;
    int vlen;
    if (p + 3 <= entriesEnd && (data[p] | data[p + 1] | data[p + 2]) >= 0) {
      // The common case: all three header varints fit in one byte each.
      shared = data[p];
      unshared = data[p + 1];
      vlen = data[p + 2];
      p += 3;
    } else {
      long r1 = Varint.decode32(data, p, entriesEnd);
      long r2 = r1 == Varint.MALFORMED ? r1 : Varint.decode32(data, Varint.position(r1), entriesEnd);
      long r3 = r2 == Varint.MALFORMED ? r2 : Varint.decode32(data, Varint.position(r2), entriesEnd);
      if (r3 == Varint.MALFORMED) {
        throw block.corruption("malformed entry header at " + nextEntry);
      }
      shared = Varint.value(r1);
      unshared = Varint.value(r2);
      vlen = Varint.value(r3);
      p = Varint.position(r3);
    }
    if (shared < 0 || shared > keyLength || unshared < 0 || vlen < 0
        || (long) unshared + vlen > entriesEnd - p
        || shared + unshared < InternalKey.TRAILER_BYTES) {
      throw block.corruption("malformed entry at " + nextEntry + " (shared " + shared
          + ", unshared " + unshared + ", value " + vlen + ")");
    }
    int newLength = shared + unshared;
    if (key.length < newLength) {
      key = Arrays.copyOf(key, Math.max(newLength, key.length * 2));
    }
    System.arraycopy(data, p, key, shared, unshared);
    keyLength = newLength;
    valueOffset = p + unshared;
    valueLength = vlen;
    nextEntry = valueOffset + vlen;
    valid = true;
  }
}
