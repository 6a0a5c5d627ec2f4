package dev.strata.sst;

import dev.strata.CorruptionException;
import dev.strata.key.InternalKey;
import dev.strata.util.ByteBuilder;
import dev.strata.util.ByteReader;
import java.util.Arrays;

/**
 * What a table holds, recorded in its properties block so that the engine can place and pick the
 * file (key range, sequence range, size) without reading its data.
 *
 * <pre>
 * properties block = entryCount        varint64
 *                    tombstoneCount    varint64
 *                    dataBlockCount    varint64
 *                    rawKeyBytes       varint64   sum of encoded internal key lengths
 *                    rawValueBytes     varint64   sum of value lengths
 *                    minSequence       varint64
 *                    maxSequence       varint64
 *                    smallestKeyLength varint32 | smallestKey  encoded internal key
 *                    largestKeyLength  varint32 | largestKey   encoded internal key
 * </pre>
 *
 * <p>The file size is not stored: a reader takes it from the file. In an empty table (possible,
 * though the engine has no reason to keep one) both keys are absent: zero-length on disk, null
 * here, and the sequences are 0. Immutable; the accessors return copies of the keys.
 */
public final class TableProperties {
  private final long entryCount;
  private final long tombstoneCount;
  private final long dataBlockCount;
  private final long rawKeyBytes;
  private final long rawValueBytes;
  private final long minSequence;
  private final long maxSequence;
  private final byte[] smallestKey;
  private final byte[] largestKey;
  private final long fileSize;

  TableProperties(long entryCount, long tombstoneCount, long dataBlockCount, long rawKeyBytes,
      long rawValueBytes, long minSequence, long maxSequence, byte[] smallestKey, byte[] largestKey,
      long fileSize) {
    this.entryCount = entryCount;
    this.tombstoneCount = tombstoneCount;
    this.dataBlockCount = dataBlockCount;
    this.rawKeyBytes = rawKeyBytes;
    this.rawValueBytes = rawValueBytes;
    this.minSequence = minSequence;
    this.maxSequence = maxSequence;
    this.smallestKey = smallestKey;
    this.largestKey = largestKey;
    this.fileSize = fileSize;
  }

  public long entryCount() {
    return entryCount;
  }

  public long tombstoneCount() {
    return tombstoneCount;
  }

  public long dataBlockCount() {
    return dataBlockCount;
  }

  public long rawKeyBytes() {
    return rawKeyBytes;
  }

  public long rawValueBytes() {
    return rawValueBytes;
  }

  public long minSequence() {
    return minSequence;
  }

  public long maxSequence() {
    return maxSequence;
  }

  public long fileSize() {
    return fileSize;
  }

  /** The smallest user key in the table; null when the table is empty. */
  public byte[] smallestUserKey() {
    return smallestKey == null ? null : Arrays.copyOf(smallestKey, smallestKey.length - InternalKey.TRAILER_BYTES);
  }

  /** The largest user key in the table; null when the table is empty. */
  public byte[] largestUserKey() {
    return largestKey == null ? null : Arrays.copyOf(largestKey, largestKey.length - InternalKey.TRAILER_BYTES);
  }

  /** The first entry's encoded internal key (user key and trailer); null when the table is empty. */
  public byte[] smallestInternalKey() {
    return smallestKey == null ? null : smallestKey.clone();
  }

  /** The last entry's encoded internal key (user key and trailer); null when the table is empty. */
  public byte[] largestInternalKey() {
    return largestKey == null ? null : largestKey.clone();
  }

  TableProperties withFileSize(long size) {
    return new TableProperties(entryCount, tombstoneCount, dataBlockCount, rawKeyBytes, rawValueBytes,
        minSequence, maxSequence, smallestKey, largestKey, size);
  }

  void encodeTo(ByteBuilder out) {
    out.putVarint64(entryCount).putVarint64(tombstoneCount).putVarint64(dataBlockCount)
        .putVarint64(rawKeyBytes).putVarint64(rawValueBytes)
        .putVarint64(minSequence).putVarint64(maxSequence);
    putKey(out, smallestKey);
    putKey(out, largestKey);
  }

  /** Decodes a properties block; CorruptionException (without the file's name) if malformed. */
  static TableProperties decode(byte[] buf, int off, int len, long fileSize) {
    ByteReader in = new ByteReader(buf, off, off + len);
    long entries = in.readVarint64();
    long tombstones = in.readVarint64();
    long blocks = in.readVarint64();
    long keyBytes = in.readVarint64();
    long valueBytes = in.readVarint64();
    long minSeq = in.readVarint64();
    long maxSeq = in.readVarint64();
    byte[] smallest = getKey(in);
    byte[] largest = getKey(in);
    if (in.hasRemaining()) {
      throw new CorruptionException("properties block has " + in.remaining() + " unexpected trailing bytes");
    }
    boolean empty = entries == 0;
    if (entries < 0 || tombstones < 0 || tombstones > entries || blocks < 0
        || (smallest == null) != empty || (largest == null) != empty || minSeq > maxSeq) {
      throw new CorruptionException("properties are inconsistent (" + entries + " entries, " + tombstones
          + " tombstones, sequences " + minSeq + ".." + maxSeq + ")");
    }
    return new TableProperties(entries, tombstones, blocks, keyBytes, valueBytes, minSeq, maxSeq,
        smallest, largest, fileSize);
  }

  private static void putKey(ByteBuilder out, byte[] key) {
    if (key == null) {
      out.putVarint32(0);
    } else {
      out.putVarint32(key.length).putBytes(key);
    }
  }

  private static byte[] getKey(ByteReader in) {
    int n = in.readLength();
    if (n == 0) {
      return null;
    }
    if (n < InternalKey.TRAILER_BYTES) {
      throw new CorruptionException("properties key of " + n + " bytes is shorter than a trailer");
    }
    return in.readBytes(n);
  }

  @Override
  public String toString() {
    return "TableProperties{entries=" + entryCount + ", tombstones=" + tombstoneCount
        + ", dataBlocks=" + dataBlockCount + ", sequences=" + minSequence + ".." + maxSequence
        + ", smallest=" + EncodedKeys.describe(smallestKey) + ", largest=" + EncodedKeys.describe(largestKey)
        + ", rawKeyBytes=" + rawKeyBytes + ", rawValueBytes=" + rawValueBytes + ", fileSize=" + fileSize + "}";
  }
}
