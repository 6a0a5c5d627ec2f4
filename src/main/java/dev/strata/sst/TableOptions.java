package dev.strata.sst;

import dev.strata.Compression;
import java.util.Objects;

/**
 * How a table is laid out when it is written. Readers need none of this: everything a reader
 * must know is recorded in the file.
 *
 * @param blockSizeBytes a data block is cut once its estimated size reaches this (one entry larger
 *     than this makes one large block)
 * @param bloomBitsPerKey bloom filter bits per distinct user key; 0 writes no filter
 * @param restartInterval entries between restart points, where a key is stored whole; fewer means
 *     faster seeks and larger blocks
 * @param compression how data blocks are compressed (each block that does not shrink by 1/8 is
 *     stored raw); index, filter and properties blocks are always stored raw
 */
public record TableOptions(int blockSizeBytes, int bloomBitsPerKey, int restartInterval, Compression compression) {
  public static final int DEFAULT_BLOCK_SIZE_BYTES = 4096;
  public static final int DEFAULT_BLOOM_BITS_PER_KEY = 10;
  public static final int DEFAULT_RESTART_INTERVAL = 16;

  /** Caps that keep a block addressable by an int and a filter's probe count meaningful. */
  static final int MAX_BLOCK_SIZE_BYTES = 64 * 1024 * 1024;
  static final int MAX_BLOOM_BITS_PER_KEY = 64;
  static final int MAX_RESTART_INTERVAL = 1024;

  public TableOptions {
    if (blockSizeBytes < 1 || blockSizeBytes > MAX_BLOCK_SIZE_BYTES) {
      throw new IllegalArgumentException(
          "blockSizeBytes must be in [1, " + MAX_BLOCK_SIZE_BYTES + "], got " + blockSizeBytes);
    }
    if (bloomBitsPerKey < 0 || bloomBitsPerKey > MAX_BLOOM_BITS_PER_KEY) {
      throw new IllegalArgumentException(
          "bloomBitsPerKey must be in [0, " + MAX_BLOOM_BITS_PER_KEY + "] (0 disables the filter), got " + bloomBitsPerKey);
    }
    if (restartInterval < 1 || restartInterval > MAX_RESTART_INTERVAL) {
      throw new IllegalArgumentException(
          "restartInterval must be in [1, " + MAX_RESTART_INTERVAL + "], got " + restartInterval);
    }
    Objects.requireNonNull(compression, "compression");
  }

  /** The given layout, data blocks uncompressed. */
  public TableOptions(int blockSizeBytes, int bloomBitsPerKey, int restartInterval) {
    this(blockSizeBytes, bloomBitsPerKey, restartInterval, Compression.NONE);
  }

  /** The given block size and bloom bits with the default restart interval of 16. */
  public TableOptions(int blockSizeBytes, int bloomBitsPerKey) {
    this(blockSizeBytes, bloomBitsPerKey, DEFAULT_RESTART_INTERVAL);
  }

  /** 4 KiB blocks, 10 bloom bits per key (about 1% false positives), restarts every 16 entries, no compression. */
  public static TableOptions defaults() {
    return new TableOptions(DEFAULT_BLOCK_SIZE_BYTES, DEFAULT_BLOOM_BITS_PER_KEY, DEFAULT_RESTART_INTERVAL);
  }

  /** These options with data blocks compressed by {@code c}. */
  public TableOptions withCompression(Compression c) {
    return new TableOptions(blockSizeBytes, bloomBitsPerKey, restartInterval, c);
  }
}
