package dev.strata.sst;

import dev.strata.CorruptionException;
import dev.strata.util.Bytes;
import dev.strata.util.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A whole-table bloom filter over user keys: {@link #mayContain} false means the table certainly
 * holds no version of the key, so a point lookup can skip the table without reading a block.
 *
 * <p>The filter is cache-line blocked: it is an array of 512-bit (64-byte) blocks and all the
 * bits of one key lie in one block. A point lookup checks the filter of every L0 table whose
 * range covers the key; a classic filter spreads a key's probes over the whole array and costs
 * one cache miss per probe, this one costs one block. The price is a slightly higher
 * false-positive rate at the same size (keys do not spread evenly over blocks): at 10 bits per
 * key about 0.95% against 0.82%.
 *
 * <pre>
 * filter block = bits[64 * blocks]  blocks >= 1; bit i of block b is
 *                                   (bits[64 * b + i / 8] >> (i % 8)) & 1, i in [0, 512)
 *                probes    uint8    bits set per key, in [1, 30]
 *                kind      uint8    1 = this format; read first, so a new kind can lay out
 *                                   everything before it differently
 * </pre>
 *
 * <p>Probing: h = XXH64(user key, seed 0). The high 32 bits pick the block,
 * b = (h >>> 32) * blocks >>> 32 (a multiply-shift map onto [0, blocks): uniform like a modulo,
 * without the division). The low 32 bits x give the probes: probe j is bit x_j >>> 23 (the top 9
 * bits) of the block, where x_0 = x and x_(j+1) = x_j * 0x9E3779B9 mod 2^32. The odd multiplier
 * carries every bit of x into the top bits, so successive probes are well spread. The halves of
 * an XXH64 are independent, so the block and the bits within it are too.
 *
 * <p>Sizing: blocks = ceil(keys * bitsPerKey / 512), at least 1, and probes = {@link #probesFor}.
 * The stored probe count is what a reader uses, so changing the choice changes no format.
 *
 * <p>In memory the bits are a long[], eight words a block (word w holds bytes 8w to 8w + 7 little
 * endian), so each probe is one word load and a lookup touches 64 contiguous bytes. Java does not
 * let us align an array to a cache line, so those 64 bytes may straddle two lines: at worst two
 * misses, against one per probe before.
 *
 * <p>Immutable and thread-safe once decoded. The {@link Builder} is not thread-safe.
 */
public final class BloomFilter {
  static final int MAX_PROBES = 30;
  static final int KIND_BLOCKED_512 = 1;
  static final int BLOCK_BYTES = 64;
  static final int BLOCK_BITS = BLOCK_BYTES * 8;
  private static final int WORDS_PER_BLOCK = BLOCK_BYTES / 8;
  /** The probes and kind bytes after the bits. */
  static final int TRAILER_BYTES = 2;
  /** The 32-bit golden ratio, odd: multiplying by it walks a key's probe positions. */
  private static final int PROBE_STEP = 0x9E3779B9;

  /**
   * Probes for bits per key 0 to 64 (index 0 unused). A blocked filter wants fewer probes than a
   * classic one's round(bitsPerKey * ln 2): a block holding more keys than average is overfull,
   * and more probes make that worse. Each entry is the smallest k whose false-positive rate is
   * within 2% of the best k's, by the model sum over c of Poisson(c; 512 / bitsPerKey) *
   * (1 - (1 - 1/512)^(c * k))^k (c other keys share the query's block). Measured rates agree.
   */
  private static final byte[] PROBES_BY_BITS_PER_KEY = {
      0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9,  // 0 to 16
      10, 10, 10, 11, 11, 11, 12, 12, 12, 13, 13, 13, 14, 14, 14, 14,  // 17 to 32
      15, 15, 15, 15, 15, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 17,  // 33 to 48
      18, 18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19, 19, 20, 20,  // 49 to 64
  };

  private final long[] words;
  private final int blocks;
  private final int probes;

  private BloomFilter(long[] words, int probes) {
    this.words = words;
    this.blocks = words.length / WORDS_PER_BLOCK;
    this.probes = probes;
  }

  /** Heap bytes the filter's bits take. */
  long memoryBytes() {
    return 8L * words.length;
  }

  /** Probes per key for {@code bitsPerKey} in [1, 64] (see the table above); 6 at 10 bits. */
  public static int probesFor(int bitsPerKey) {
    if (bitsPerKey < 1 || bitsPerKey >= PROBES_BY_BITS_PER_KEY.length) {
      throw new IllegalArgumentException("bitsPerKey must be in [1, "
          + (PROBES_BY_BITS_PER_KEY.length - 1) + "], got " + bitsPerKey);
    }
    return PROBES_BY_BITS_PER_KEY[bitsPerKey];
  }

  /**
   * Decodes a filter block held in {@code buf[off, off + len)} into a new filter (the bits are
   * copied). Throws {@link CorruptionException} (without the file's name, which the caller adds).
   */
  static BloomFilter decode(byte[] buf, int off, int len) {
    if (len < TRAILER_BYTES) {
      throw new CorruptionException("filter block of " + len + " bytes is too short");
    }
    int kind = buf[off + len - 1] & 0xff;
    if (kind != KIND_BLOCKED_512) {
      throw new CorruptionException("filter block has unknown kind " + kind + "; expected " + KIND_BLOCKED_512);
    }
    int probes = buf[off + len - 2] & 0xff;
    if (probes < 1 || probes > MAX_PROBES) {
      throw new CorruptionException("filter block has " + probes + " probes; expected 1 to " + MAX_PROBES);
    }
    int bitBytes = len - TRAILER_BYTES;
    if (bitBytes == 0 || bitBytes % BLOCK_BYTES != 0) {
      throw new CorruptionException("filter block of " + len + " bytes does not hold whole " + BLOCK_BYTES
          + "-byte blocks: expected " + TRAILER_BYTES + " plus a positive multiple of " + BLOCK_BYTES);
    }
    long[] words = new long[bitBytes / 8];
    ByteBuffer.wrap(buf, off, bitBytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(words);
    return new BloomFilter(words, probes);
  }

  public boolean mayContain(byte[] userKey) {
    long h = Hashing.xxh64(userKey, 0, userKey.length, 0);
    int base = firstWord(h, blocks);
    int x = (int) h;
    // No early exit: after the first load the block is in cache, so the other loads are nearly
    // free, while leaving at a data-dependent probe mispredicts a branch on most absent keys
    // (measured: 27 ns a lookup with the early exit, 19 without).
    long missing = 0;
    for (int j = 0; j < probes; j++) {
      int bit = x >>> 23;
      // A long shift uses the low 6 bits of its count: bit % 64.
      missing |= ~words[base + (bit >>> 6)] & (1L << bit);
      x *= PROBE_STEP;
    }
    return missing == 0;
  }

  /** The index of the block {@code userKey}'s probes all fall in; for tests. */
  int blockOf(byte[] userKey) {
    return firstWord(Hashing.xxh64(userKey, 0, userKey.length, 0), blocks) / WORDS_PER_BLOCK;
  }

  /** The first of the eight words of the block that hash {@code h} maps to. */
  private static int firstWord(long h, int blocks) {
    return (int) (((h >>> 32) * blocks) >>> 32) * WORDS_PER_BLOCK;
  }

  public int probes() {
    return probes;
  }

  public int blockCount() {
    return blocks;
  }

  public long bitCount() {
    return (long) blocks * BLOCK_BITS;
  }

  /** Collects user keys and writes the filter block. */
  public static final class Builder {
    /**
     * Hashes per page: 256 KiB, under half of G1's smallest region, so no page is a humongous
     * object. One array grown by doubling was: a table of half a million keys allocated 1, 2 and 4
     * MiB arrays, each put straight into the old generation and each able to start a concurrent
     * cycle, to be garbage at the next.
     */
    static final int PAGE_HASHES = 1 << 15;
    private final int bitsPerKey;
    private long[][] pages = new long[8][];
    private int count;

    public Builder(int bitsPerKey) {
      if (bitsPerKey < 1 || bitsPerKey > TableOptions.MAX_BLOOM_BITS_PER_KEY) {
        throw new IllegalArgumentException("bitsPerKey must be in [1, "
            + TableOptions.MAX_BLOOM_BITS_PER_KEY + "], got " + bitsPerKey);
      }
      this.bitsPerKey = bitsPerKey;
    }

    /** Adds a user key; the caller adds each distinct key once (duplicates only waste bits). */
    public void addKey(byte[] userKey) {
      int page = count / PAGE_HASHES;
      if (page == pages.length) {
        pages = Arrays.copyOf(pages, page * 2);
      }
      if (pages[page] == null) {
        // The first page small: most tables of a test or a flush of a small memtable are.
        pages[page] = new long[page == 0 ? 1024 : PAGE_HASHES];
      } else if (page == 0 && count == pages[0].length) {
        pages[0] = Arrays.copyOf(pages[0], Math.min(PAGE_HASHES, count * 4));
      }
      pages[page][count % PAGE_HASHES] = Hashing.xxh64(userKey, 0, userKey.length, 0);
      count++;
    }

    public int keyCount() {
      return count;
    }

    /** The size of the block {@link #finish} would write now. */
    public int estimatedBytes() {
      return blocks() * BLOCK_BYTES + TRAILER_BYTES;
    }

    /** The filter block contents. */
    public byte[] finish() {
      int blocks = blocks();
      int probes = probesFor(bitsPerKey);
      long[] words = new long[blocks * WORDS_PER_BLOCK];
      for (int first = 0; first < count; first += PAGE_HASHES) {
        long[] page = pages[first / PAGE_HASHES];
        for (int i = 0, n = Math.min(PAGE_HASHES, count - first); i < n; i++) {
          long h = page[i];
          int base = firstWord(h, blocks);
          int x = (int) h;
          for (int j = 0; j < probes; j++) {
            int bit = x >>> 23;
            words[base + (bit >>> 6)] |= 1L << bit;
            x *= PROBE_STEP;
          }
        }
      }
      byte[] out = new byte[words.length * 8 + TRAILER_BYTES];
      for (int w = 0; w < words.length; w++) {
        Bytes.putLongLE(out, w * 8, words[w]);
      }
      out[out.length - 2] = (byte) probes;
      out[out.length - 1] = (byte) KIND_BLOCKED_512;
      return out;
    }

    private int blocks() {
      long bits = (long) count * bitsPerKey;
      long blocks = Math.max(1, (bits + BLOCK_BITS - 1) / BLOCK_BITS);
      if (blocks * BLOCK_BYTES > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("bloom filter for " + count + " keys would exceed 2 GiB");
      }
      return (int) blocks;
    }
  }
}
