package dev.strata.sst;

import dev.strata.CorruptionException;
import dev.strata.util.Hashing;
import java.util.Arrays;

/**
 * A whole-table bloom filter over user keys: {@link #mayContain} false means the table certainly
 * holds no version of the key, so a point lookup can skip the table without reading a block.
 *
 * <pre>
 * filter block = bits[n]   bit i is (bits[i / 8] >> (i % 8)) & 1; n * 8 bits in all
 *                probes    uint8, the number of bits set per key, in [1, 30]
 * </pre>
 *
 * <p>Probing: one XXH64 of the user key (seed 0), split into h1 (low 32 bits) and h2 (high 32
 * bits); probe j sets bit (h1 + j * h2) mod (n * 8) for j in [0, probes). Kirsch and Mitzenmacher
 * showed two hashes combined this way lose nothing measurable against independent ones. With
 * probes = round(bitsPerKey * ln 2) the false-positive rate is about 0.6185^bitsPerKey: close to
 * 1% at 10 bits per key.
 *
 * <p>Immutable and thread-safe once decoded. The {@link Builder} is not thread-safe.
 */
public final class BloomFilter {
  static final int MAX_PROBES = 30;
  /** Tiny tables still get 64 bits, or a handful of keys would fill every bit. */
  private static final int MIN_BITS = 64;

  private final byte[] bits;
  private final int offset;
  private final long bitCount;
  private final int probes;

  private BloomFilter(byte[] bits, int offset, int byteCount, int probes) {
    this.bits = bits;
    this.offset = offset;
    this.bitCount = (long) byteCount * 8;
    this.probes = probes;
  }

  /** Probes per key for {@code bitsPerKey}: round(bitsPerKey * ln 2), clamped to [1, 30]. */
  public static int probesFor(int bitsPerKey) {
    long k = Math.round(bitsPerKey * Math.log(2));
    return (int) Math.max(1, Math.min(MAX_PROBES, k));
  }

  /**
   * Decodes a filter block held in {@code buf[off, off + len)}; the array is kept, not copied.
   * Throws {@link CorruptionException} (without the file's name, which the caller adds).
   */
  static BloomFilter decode(byte[] buf, int off, int len) {
    if (len < 2) {
      throw new CorruptionException("filter block of " + len + " bytes is too short");
    }
    int probes = buf[off + len - 1] & 0xff;
    if (probes < 1 || probes > MAX_PROBES) {
      throw new CorruptionException("filter block has " + probes + " probes; expected 1 to " + MAX_PROBES);
    }
    return new BloomFilter(buf, off, len - 1, probes);
  }

  public boolean mayContain(byte[] userKey) {
    long h = Hashing.xxh64(userKey, 0, userKey.length, 0);
    long pos = (h & 0xFFFFFFFFL) % bitCount;
    long delta = (h >>> 32) % bitCount;
    for (int j = 0; j < probes; j++) {
      if ((bits[offset + (int) (pos >>> 3)] & (1 << (pos & 7))) == 0) {
        return false;
      }
      pos += delta;
      if (pos >= bitCount) {
        pos -= bitCount;
      }
    }
    return true;
  }

  public int probes() {
    return probes;
  }

  public long bitCount() {
    return bitCount;
  }

  /** Collects user keys and writes the filter block. */
  public static final class Builder {
    private final int bitsPerKey;
    private long[] hashes = new long[1024];
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
      if (count == hashes.length) {
        hashes = Arrays.copyOf(hashes, count * 2);
      }
      hashes[count++] = Hashing.xxh64(userKey, 0, userKey.length, 0);
    }

    public int keyCount() {
      return count;
    }

    /** The size of the block {@link #finish} would write now. */
    public int estimatedBytes() {
      return byteCount() + 1;
    }

    /** The filter block contents. */
    public byte[] finish() {
      int byteCount = byteCount();
      int probes = probesFor(bitsPerKey);
      byte[] out = new byte[byteCount + 1];
      long bitCount = (long) byteCount * 8;
      for (int i = 0; i < count; i++) {
        long h = hashes[i];
        long pos = (h & 0xFFFFFFFFL) % bitCount;
        long delta = (h >>> 32) % bitCount;
        for (int j = 0; j < probes; j++) {
          out[(int) (pos >>> 3)] |= (byte) (1 << (pos & 7));
          pos += delta;
          if (pos >= bitCount) {
            pos -= bitCount;
          }
        }
      }
      out[byteCount] = (byte) probes;
      return out;
    }

    private int byteCount() {
      long bitCount = Math.max(MIN_BITS, (long) count * bitsPerKey);
      long bytes = (bitCount + 7) / 8;
      if (bytes > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("bloom filter for " + count + " keys would exceed 2 GiB");
      }
      return (int) bytes;
    }
  }
}
