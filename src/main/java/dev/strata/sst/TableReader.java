package dev.strata.sst;

import dev.strata.CorruptionException;
import dev.strata.cache.BlockCache;
import dev.strata.fs.ReadableFile;
import dev.strata.iterator.InternalIterator;
import dev.strata.key.Lookup;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * An open table file (layout in {@link TableBuilder}). Opening reads and verifies the footer, the
 * properties, the filter and the index, and keeps the last three in memory; data blocks are read
 * on demand, checksum-verified and decompressed; decompressed blocks are shared through the
 * {@link BlockCache}.
 *
 * <p>Thread-safe: after {@link #open} all state is immutable, file reads are positional and the
 * cache is thread-safe, so any number of threads may call {@link #get} and create iterators
 * concurrently (each iterator is used by one thread). {@link #close} must come after the last
 * read; the engine's reference counting guarantees that (a read after it fails with an
 * IOException unless the cache still holds the block).
 *
 * <p>Errors: a checksum, magic, version or structure mismatch throws {@link CorruptionException}
 * naming the file, the block kind and its offset; a failed read throws IOException, which the
 * iterator (whose methods cannot throw checked exceptions) rethrows as
 * {@link dev.strata.StrataException} with the IOException as its cause.
 */
public final class TableReader implements AutoCloseable {
  private final ReadableFile file;
  private final long fileNumber;
  private final String fileName;
  /** This file's blocks in the shared cache; null when there is no cache. */
  private final BlockCache.FileBlocks<Block> cachedBlocks;
  private final Footer footer;
  private final TableProperties properties;
  private final BloomFilter filter;
  private final TableIndex index;

  private TableReader(ReadableFile file, long fileNumber, String fileName, BlockCache cache) throws IOException {
    this.file = file;
    this.fileNumber = fileNumber;
    this.fileName = fileName;
    long size = file.size();
    if (size < Footer.BYTES) {
      throw new CorruptionException(fileName + ": not a Strata SST (" + size
          + " bytes, shorter than the " + Footer.BYTES + "-byte footer)");
    }
    byte[] footerBytes = new byte[Footer.BYTES];
    file.readFully(size - Footer.BYTES, footerBytes, 0, Footer.BYTES);
    this.footer = Footer.decode(footerBytes, size, fileName);
    checkMetadataLayout(size);

    BlockHandle ph = footer.properties();
    byte[] propertiesBytes = readBlock(ph, "properties");
    TableProperties decoded = decodeMeta("properties", ph,
        () -> TableProperties.decode(propertiesBytes, 0, ph.size(), size, footer.version()));

    BlockHandle fh = footer.filter();
    if (footer.hasFilter()) {
      byte[] filterBytes = readBlock(fh, "filter");
      this.filter = decodeMeta("filter", fh, () -> BloomFilter.decode(filterBytes, 0, fh.size()));
    } else {
      this.filter = null;
    }

    BlockHandle ih = footer.index();
    Block indexBlock = new Block(readBlock(ih, "index"), ih.size(), fileName, "index", ih.offset());
    this.index = TableIndex.decode(indexBlock, footer.hasFilter() ? fh.offset() : ph.offset());
    this.properties = footer.version() == 1 ? decoded.withUncompressedData(index.dataBytes()) : decoded;
    checkIndexAgainstProperties();
    // Only decompressed blocks are cached (see dataBlock): a table without any skips the cache.
    this.cachedBlocks = cache == null || properties.compressedDataBlockCount() == 0 ? null
        : cache.forFile(Block::sizeBytes);
  }

  /**
   * Opens a table, taking ownership of {@code file}: it is closed by {@link #close}, or right
   * away if opening fails.
   *
   * @param fileNumber the engine's number for the file, kept for tools and messages
   * @param fileName the name used in error messages; {@code "SST #<fileNumber>"} when null
   * @param cache where data blocks are shared; null reads every block from the file
   */
  public static TableReader open(ReadableFile file, long fileNumber, String fileName, BlockCache cache)
      throws IOException {
    Objects.requireNonNull(file, "file");
    String name = fileName != null ? fileName : "SST #" + fileNumber;
    try {
      return new TableReader(file, fileNumber, name, cache);
    } catch (IOException | RuntimeException e) {
      try {
        file.close();
      } catch (IOException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
  }

  public TableProperties properties() {
    return properties;
  }

  public long fileNumber() {
    return fileNumber;
  }

  public String fileName() {
    return fileName;
  }

  /** Heap bytes the table's decoded index keeps for as long as it is open. */
  public long indexMemoryBytes() {
    return index.memoryBytes();
  }

  /** Heap bytes the table's bloom filter keeps for as long as it is open (0 without one). */
  public long filterMemoryBytes() {
    return filter == null ? 0 : filter.memoryBytes();
  }

  /** False only when the table certainly holds no version of {@code userKey}; true without a filter. */
  public boolean mayContain(byte[] userKey) {
    return filter == null || filter.mayContain(userKey);
  }

  /**
   * The newest entry for exactly {@code userKey} with a sequence at most {@code maxSequence}, a
   * tombstone included; null when the table has none.
   */
  public Lookup get(byte[] userKey, long maxSequence) throws IOException {
    if (filter != null && !filter.mayContain(userKey)) {
      return null;
    }
    // The index names the first block whose last key is at or after the target. Versions of one
    // user key may span blocks; the search on (userKey, maxSequence), not on userKey alone, lands
    // on the block holding the first version visible at maxSequence.
    int block = index.findBlock(userKey, maxSequence);
    if (block == index.blockCount()) {
      return null;
    }
    BlockIterator it = dataBlock(block).iterator();
    it.seek(userKey, maxSequence);
    if (!it.isValid()) {
      throw new CorruptionException(fileName + ": data block at offset " + index.offset(block)
          + " ends before its index key " + EncodedKeys.describe(index.lastKey(block)));
    }
    return it.userKeyEquals(userKey) ? new Lookup(it.sequence(), it.kind(), it.value()) : null;
  }

  /** A two-level iterator over every entry; see the class comment for how it reports errors. */
  public InternalIterator iterator() {
    return new TableIterator(this);
  }

  /**
   * Up to about {@code max} user keys spread through the table by data bytes, in key order: the
   * last key of every n-th data block, read from the index alone (no data block is touched). The
   * engine splits a large compaction into key ranges at such keys (sub-compactions).
   */
  public java.util.List<byte[]> sampleKeys(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1: " + max);
    }
    int blocks = index.blockCount();
    int step = Math.max(1, (blocks + max - 1) / max);
    java.util.List<byte[]> keys = new java.util.ArrayList<>();
    for (int b = step - 1; b < blocks; b += step) {
      byte[] encoded = index.lastKey(b);
      keys.add(java.util.Arrays.copyOf(encoded, encoded.length - dev.strata.key.InternalKey.TRAILER_BYTES));
    }
    return keys;
  }

  /** Closes the file and drops its blocks from the cache, where they would only crowd out live ones. */
  @Override
  public void close() throws IOException {
    if (cachedBlocks != null) {
      cachedBlocks.close();
    }
    file.close();
  }

  @Override
  public String toString() {
    return "TableReader{" + fileName + ", " + index.blockCount() + " data blocks, " + properties.entryCount() + " entries}";
  }

  TableIndex index() {
    return index;
  }

  Footer footer() {
    return footer;
  }

  BloomFilter filter() {
    return filter;
  }

  /**
   * Data block {@code block}, from the cache or else from the file; a block stored compressed is
   * then offered to the cache. A raw block is not: SSTs are memory-mapped, and reading a raw block
   * from the mapping (a copy out of the page cache and a checksum) costs no more CPU than a hit
   * on a copy kept on the heap, which the garbage collector has to carry besides (1M keys, uniform
   * random gets: 3.1-3.4 us of CPU per get without a cache, 4.0-4.2 us through a 32 MiB one).
   * What the cache saves is decompression.
   */
  Block dataBlock(int block) throws IOException {
    long offset = index.offset(block);
    if (cachedBlocks != null) {
      Block cached = cachedBlocks.get(offset);
      if (cached != null) {
        return cached;
      }
    }
    return readDataBlock(block, cachedBlocks);
  }

  /** Data block {@code block} read from the file, verified and decompressed, bypassing the cache. */
  Block readDataBlock(int block) throws IOException {
    return readDataBlock(block, null);
  }

  /** Reads data block {@code block}, offering it to {@code cache} (when not null) if it was compressed. */
  private Block readDataBlock(int block, BlockCache.FileBlocks<Block> cache) throws IOException {
    BlockHandle h = new BlockHandle(index.offset(block), index.size(block));
    try {
      return file.read(h.offset(), h.size() + BlockTrailer.BYTES, stored -> decode(h, stored, cache));
    } catch (EOFException e) {
      throw new CorruptionException(fileName + ": data block at offset " + h.offset()
          + " runs past the end of the file", e);
    }
  }

  /**
   * The block that {@code stored} (the block and its trailer, lent by the file: a memory mapping,
   * usually) holds, once its checksum and type are verified. The checksum covers the stored
   * bytes, so a compressed block is checked before the decompressor sees it; the decompressor
   * copies its compressed form out once and decodes that into an array of its own; a raw block is
   * copied, trailer and all (the layout {@link #readBlock} gives).
   */
  private Block decode(BlockHandle h, ByteBuffer stored, BlockCache.FileBlocks<Block> cache) {
    String problem = BlockTrailer.verify(stored, h.size());
    if (problem != null) {
      throw new CorruptionException(fileName + ": data block at offset " + h.offset() + ": " + problem);
    }
    int type = BlockTrailer.type(stored, h.size());
    if (type == BlockTrailer.TYPE_UNCOMPRESSED) {
      byte[] raw = new byte[h.size() + BlockTrailer.BYTES];
      stored.get(0, raw);
      return new Block(raw, h.size(), fileName, "data", h.offset());
    }
    byte[] contents;
    try {
      contents = BlockCodec.decompress(type, stored, h.size(), BlockCodec.maxUncompressedLength(h.size()));
    } catch (CorruptionException e) {
      throw new CorruptionException(fileName + ": data block at offset " + h.offset() + ": " + e.getMessage(), e);
    }
    Block b = new Block(contents, contents.length, fileName, "data", h.offset());
    if (cache != null) {
      cache.put(h.offset(), b); // only after the checksum and the decoding passed
    }
    return b;
  }

  /**
   * Reads a block and its trailer into one array and verifies the checksum and type. Only data
   * blocks may be compressed: any other kind must be raw.
   */
  private byte[] readBlock(BlockHandle h, String kind) throws IOException {
    byte[] buf = new byte[h.size() + BlockTrailer.BYTES];
    try {
      file.readFully(h.offset(), buf, 0, buf.length);
    } catch (EOFException e) {
      throw new CorruptionException(fileName + ": " + kind + " block at offset " + h.offset()
          + " runs past the end of the file", e);
    }
    String problem = BlockTrailer.verify(buf, h.size());
    if (problem != null) {
      throw new CorruptionException(fileName + ": " + kind + " block at offset " + h.offset() + ": " + problem);
    }
    int type = BlockTrailer.type(buf, h.size());
    if (type != BlockTrailer.TYPE_UNCOMPRESSED && !kind.equals("data")) {
      throw new CorruptionException(fileName + ": " + kind + " block at offset " + h.offset()
          + ": stored as block type " + type + ", but only data blocks are ever compressed");
    }
    return buf;
  }

  /** Metadata blocks sit back to back after the data: filter?, properties, index, footer. */
  private void checkMetadataLayout(long size) {
    boolean ok = footer.properties().end() == footer.index().offset()
        && footer.index().end() == size - Footer.BYTES
        && (!footer.hasFilter() || footer.filter().end() == footer.properties().offset());
    if (!ok) {
      throw new CorruptionException(fileName + ": footer handles (index " + footer.index() + ", filter "
          + footer.filter() + ", properties " + footer.properties() + ") do not tile the file");
    }
  }

  private void checkIndexAgainstProperties() {
    long blocks = index.blockCount();
    boolean ok = blocks == properties.dataBlockCount()
        && (blocks == 0) == (properties.entryCount() == 0)
        && (blocks == 0 || Arrays.equals(index.lastKey((int) blocks - 1), properties.largestInternalKey()));
    if (!ok) {
      throw new CorruptionException(fileName + ": index (" + blocks + " blocks) disagrees with properties ("
          + properties.dataBlockCount() + " blocks, " + properties.entryCount() + " entries, largest key "
          + EncodedKeys.describe(properties.largestInternalKey()) + ")");
    }
  }

  /** Runs a metadata decoder, naming the file and block in any corruption it reports. */
  private <T> T decodeMeta(String kind, BlockHandle h, Supplier<T> decoder) {
    try {
      return decoder.get();
    } catch (CorruptionException e) {
      throw new CorruptionException(fileName + ": " + kind + " block at offset " + h.offset() + ": " + e.getMessage(), e);
    }
  }
}
