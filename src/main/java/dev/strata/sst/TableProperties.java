package dev.strata.sst;

import dev.strata.Compression;
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
 *                    from format version 2 on:
 *                    compression       uint8      the setting the table was written with:
 *                                                 a block type code (0 none, 1 lz4; see BlockCodec)
 *                    uncompressedDataBytes varint64  sum of the data blocks' contents before
 *                                                 compression (trailers not counted)
 *                    storedDataBytes   varint64   sum of the data blocks' contents as stored
 *                    compressedDataBlockCount varint64  data blocks stored compressed; the others
 *                                                 did not shrink by 1/8 and are stored raw
 * </pre>
 *
 * <p>A version 1 table has no compression fields: it is uncompressed, and its data byte counts are
 * taken from its index (see {@link #withUncompressedData}).
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
  private final Compression compression;
  private final long uncompressedDataBytes;
  private final long storedDataBytes;
  private final long compressedDataBlockCount;

  TableProperties(long entryCount, long tombstoneCount, long dataBlockCount, long rawKeyBytes,
      long rawValueBytes, long minSequence, long maxSequence, byte[] smallestKey, byte[] largestKey,
      long fileSize, Compression compression, long uncompressedDataBytes, long storedDataBytes,
      long compressedDataBlockCount) {
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
    this.compression = compression;
    this.uncompressedDataBytes = uncompressedDataBytes;
    this.storedDataBytes = storedDataBytes;
    this.compressedDataBlockCount = compressedDataBlockCount;
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

  /** The compression setting the table was written with ({@link Compression#NONE} for version 1 tables). */
  public Compression compression() {
    return compression;
  }

  /** Bytes of the data blocks' contents before compression (trailers not counted). */
  public long uncompressedDataBytes() {
    return uncompressedDataBytes;
  }

  /** Bytes of the data blocks' contents as stored in the file (trailers not counted). */
  public long storedDataBytes() {
    return storedDataBytes;
  }

  /** Data blocks stored compressed; the rest are stored raw. */
  public long compressedDataBlockCount() {
    return compressedDataBlockCount;
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
        minSequence, maxSequence, smallestKey, largestKey, size, compression, uncompressedDataBytes,
        storedDataBytes, compressedDataBlockCount);
  }

  /** For a version 1 table, whose data blocks are all raw: {@code bytes} both before and as stored. */
  TableProperties withUncompressedData(long bytes) {
    return new TableProperties(entryCount, tombstoneCount, dataBlockCount, rawKeyBytes, rawValueBytes,
        minSequence, maxSequence, smallestKey, largestKey, fileSize, Compression.NONE, bytes, bytes, 0);
  }

  /** Encodes the properties block of the current format version. */
  void encodeTo(ByteBuilder out) {
    out.putVarint64(entryCount).putVarint64(tombstoneCount).putVarint64(dataBlockCount)
        .putVarint64(rawKeyBytes).putVarint64(rawValueBytes)
        .putVarint64(minSequence).putVarint64(maxSequence);
    putKey(out, smallestKey);
    putKey(out, largestKey);
    out.putByte(BlockCodec.typeOf(compression)).putVarint64(uncompressedDataBytes).putVarint64(storedDataBytes)
        .putVarint64(compressedDataBlockCount);
  }

  /**
   * Decodes a properties block of format {@code version}; CorruptionException (without the file's
   * name) if malformed. A version 1 block has no data byte counts: they read 0 until
   * {@link #withUncompressedData} sets them.
   */
  static TableProperties decode(byte[] buf, int off, int len, long fileSize, int version) {
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
    Compression compression = Compression.NONE;
    long uncompressed = 0;
    long stored = 0;
    long compressedBlocks = 0;
    if (version >= 2) {
      int type = in.readByte() & 0xff;
      compression = switch (type) {
        case BlockCodec.TYPE_NONE -> Compression.NONE;
        case BlockCodec.TYPE_LZ4 -> Compression.LZ4;
        default -> throw new CorruptionException("properties name unknown compression type " + type);
      };
      uncompressed = in.readVarint64();
      stored = in.readVarint64();
      compressedBlocks = in.readVarint64();
      if (uncompressed < 0 || stored < 0 || compressedBlocks < 0 || compressedBlocks > blocks) {
        throw new CorruptionException("properties data byte counts are inconsistent (" + uncompressed
            + " uncompressed, " + stored + " stored, " + compressedBlocks + " of " + blocks + " blocks compressed)");
      }
    }
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
        smallest, largest, fileSize, compression, uncompressed, stored, compressedBlocks);
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
        + ", rawKeyBytes=" + rawKeyBytes + ", rawValueBytes=" + rawValueBytes + ", fileSize=" + fileSize
        + ", compression=" + compression.configName() + ", dataBytes=" + uncompressedDataBytes + "->" + storedDataBytes
        + ", compressedBlocks=" + compressedDataBlockCount + "}";
  }
}
