package dev.strata.sst;

import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import dev.strata.fs.WritableFile;
import dev.strata.util.ByteBuilder;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes one table file, format version 2, from entries given in internal-key order.
 *
 * <pre>
 * table file  = data block*          the entries, cut at about blockSizeBytes before compression
 *                                    (see BlockBuilder)
 *               filter block?        bloom filter over the distinct user keys (see BloomFilter);
 *                                    absent when bloomBitsPerKey is 0
 *               properties block     counts, key and sequence ranges, compression and data byte
 *                                    counts (see TableProperties)
 *               index block          one entry per data block: its last key and its handle
 *                                    (offset, stored size) (see TableIndex)
 *               footer               64 bytes: handles, version 2, checksum, magic (see Footer)
 * every block = stored contents | trailer
 *   stored contents, by the trailer's type:
 *     0 none   the block's contents as they are (BlockBuilder's layout, or the filter's, ...)
 *     1 lz4    uncompressedLength varint32 | LZ4 block-format bytes of the contents (BlockCodec)
 *   trailer   = type uint8 | masked CRC32C uint32 LE of stored contents + type (see BlockTrailer)
 * </pre>
 *
 * <p>Only data blocks are ever compressed, and each only when the table's {@link TableOptions}
 * name a codec and the block shrinks by at least 1/8 (LevelDB's rule); any other block is type 0.
 * Block handles and the index count stored bytes, so a reader finds every block without
 * decompressing anything; the block cache holds decompressed blocks. Version 1 (still read) is
 * this layout with every block type 0 and properties without the compression fields.
 *
 * <p>Data blocks are written back to back from offset 0, and the reader checks that they are.
 * The footer is written last, so a file cut short by a crash has no valid footer and is rejected
 * as a whole. Not thread-safe: one thread builds one table.
 */
public final class TableBuilder {
  private enum State { OPEN, FINISHED, ABANDONED }

  private static final byte[] EMPTY = new byte[0];

  private final WritableFile out;
  private final TableOptions options;
  private final BlockBuilder dataBlock;
  private final BlockBuilder indexBlock;
  private final BloomFilter.Builder filter;
  private final BlockCodec codec;
  private final ByteBuilder key = new ByteBuilder(64);
  private final ByteBuilder handle = new ByteBuilder(16);
  private byte[] lastKey = new byte[64];
  private int lastKeyLength;
  private byte[] smallestKey;
  private long entryCount;
  private long tombstoneCount;
  private long dataBlockCount;
  private long rawKeyBytes;
  private long rawValueBytes;
  private long uncompressedDataBytes;
  private long storedDataBytes;
  private long compressedDataBlocks;
  private long minSequence = Long.MAX_VALUE;
  private long maxSequence = -1;
  private State state = State.OPEN;

  public TableBuilder(WritableFile out, TableOptions options) {
    this.out = Objects.requireNonNull(out, "out");
    this.options = Objects.requireNonNull(options, "options");
    this.dataBlock = new BlockBuilder(options.restartInterval());
    this.indexBlock = new BlockBuilder(options.restartInterval());
    this.filter = options.bloomBitsPerKey() > 0 ? new BloomFilter.Builder(options.bloomBitsPerKey()) : null;
    this.codec = new BlockCodec(options.compression());
  }

  /**
   * Adds an entry; entries must arrive in strictly increasing internal-key order (user key
   * ascending, then sequence descending). A tombstone's value is ignored and stored empty.
   */
  public void add(byte[] userKey, long sequence, ValueKind kind, byte[] value) throws IOException {
    checkOpen();
    Objects.requireNonNull(userKey, "userKey");
    Objects.requireNonNull(kind, "kind");
    if (sequence < 0 || sequence > InternalKey.MAX_SEQUENCE) {
      throw new IllegalArgumentException("sequence " + sequence + " is outside [0, " + InternalKey.MAX_SEQUENCE + "]");
    }
    byte[] stored = kind == ValueKind.DELETE ? EMPTY : Objects.requireNonNull(value, "value");
    key.reset();
    key.putBytes(userKey).putLongLE(0);
    InternalKey.writeTrailer(key.array(), userKey.length, InternalKey.trailer(sequence, kind));
    byte[] k = key.array();
    int kLen = key.size();
    boolean newUserKey = true;
    if (entryCount > 0) {
      if (InternalKey.compareEncoded(lastKey, 0, lastKeyLength, k, 0, kLen) >= 0) {
        throw new IllegalArgumentException("entries must arrive in strictly increasing internal-key order: "
            + EncodedKeys.describe(k, 0, kLen) + " does not sort after " + EncodedKeys.describe(lastKey, 0, lastKeyLength));
      }
      int lastUserLen = lastKeyLength - InternalKey.TRAILER_BYTES;
      newUserKey = !Arrays.equals(lastKey, 0, lastUserLen, userKey, 0, userKey.length);
    } else {
      smallestKey = Arrays.copyOf(k, kLen);
    }
    if (filter != null && newUserKey) {
      filter.addKey(userKey);
    }
    dataBlock.add(k, 0, kLen, stored, 0, stored.length);
    rememberLastKey(k, kLen);
    entryCount++;
    if (kind == ValueKind.DELETE) {
      tombstoneCount++;
    }
    rawKeyBytes += kLen;
    rawValueBytes += stored.length;
    minSequence = Math.min(minSequence, sequence);
    maxSequence = Math.max(maxSequence, sequence);
    if (dataBlock.estimatedSize() >= options.blockSizeBytes()) {
      flushDataBlock();
    }
  }

  /** Bytes written so far plus what is pending (open data block, index, filter, footer). */
  public long estimatedSize() {
    long pending = dataBlock.isEmpty() ? 0 : dataBlock.estimatedSize() + BlockTrailer.BYTES;
    long filterBytes = filter == null ? 0 : filter.estimatedBytes() + BlockTrailer.BYTES;
    return out.size() + pending + indexBlock.estimatedSize() + BlockTrailer.BYTES + filterBytes + Footer.BYTES;
  }

  public long entryCount() {
    return entryCount;
  }

  /**
   * Writes the last data block, the filter, properties, index and footer, then syncs the file.
   * The file stays open: the caller closes it. Returns the properties, with the file's size.
   */
  public TableProperties finish() throws IOException {
    checkOpen();
    // Whatever happens next, this builder is spent: a failed finish leaves a file to delete.
    state = State.FINISHED;
    flushDataBlock();
    BlockHandle filterHandle = BlockHandle.NONE;
    if (filter != null) {
      byte[] bits = filter.finish();
      filterHandle = writeBlock(new ByteBuilder(bits.length + BlockTrailer.BYTES).putBytes(bits));
    }
    boolean empty = entryCount == 0;
    TableProperties properties = new TableProperties(entryCount, tombstoneCount, dataBlockCount, rawKeyBytes,
        rawValueBytes, empty ? 0 : minSequence, empty ? 0 : maxSequence, smallestKey,
        empty ? null : Arrays.copyOf(lastKey, lastKeyLength), 0, options.compression(), uncompressedDataBytes,
        storedDataBytes, compressedDataBlocks);
    ByteBuilder propertiesBlock = new ByteBuilder(256);
    properties.encodeTo(propertiesBlock);
    BlockHandle propertiesHandle = writeBlock(propertiesBlock);
    BlockHandle indexHandle = writeBlock(indexBlock.finish());
    out.append(new Footer(indexHandle, filterHandle, propertiesHandle, Footer.CURRENT_VERSION).encode());
    out.sync();
    return properties.withFileSize(out.size());
  }

  /** Gives up on the table; the caller closes and deletes the file. Safe to call more than once. */
  public void abandon() {
    state = State.ABANDONED;
  }

  private void flushDataBlock() throws IOException {
    if (dataBlock.isEmpty()) {
      return;
    }
    ByteBuilder raw = dataBlock.finish();
    int rawSize = raw.size();
    ByteBuilder compressed = codec.compress(raw.array(), rawSize);
    BlockHandle h;
    if (compressed != null) {
      h = writeBlock(compressed, codec.type());
      compressedDataBlocks++;
    } else {
      h = writeBlock(raw, BlockTrailer.TYPE_UNCOMPRESSED);
    }
    uncompressedDataBytes += rawSize;
    storedDataBytes += h.size();
    dataBlock.reset();
    dataBlockCount++;
    handle.reset();
    h.encodeTo(handle);
    indexBlock.add(lastKey, 0, lastKeyLength, handle.array(), 0, handle.size());
  }

  /** Appends the trailer to {@code contents} and writes both; returns where the block went. */
  private BlockHandle writeBlock(ByteBuilder contents) throws IOException {
    return writeBlock(contents, BlockTrailer.TYPE_UNCOMPRESSED);
  }

  /** As {@link #writeBlock(ByteBuilder)}, for contents stored as block type {@code type}. */
  private BlockHandle writeBlock(ByteBuilder contents, int type) throws IOException {
    long offset = out.size();
    int size = contents.size();
    BlockTrailer.append(contents, type);
    out.append(contents.array(), 0, contents.size());
    return new BlockHandle(offset, size);
  }

  private void rememberLastKey(byte[] k, int len) {
    if (lastKey.length < len) {
      lastKey = new byte[Math.max(len, lastKey.length * 2)];
    }
    System.arraycopy(k, 0, lastKey, 0, len);
    lastKeyLength = len;
  }

  private void checkOpen() {
    if (state != State.OPEN) {
      throw new IllegalStateException("table builder is " + state.name().toLowerCase() + "; no more entries");
    }
  }
}
