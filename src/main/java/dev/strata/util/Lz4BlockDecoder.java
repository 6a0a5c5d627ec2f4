package dev.strata.util;

import dev.strata.CorruptionException;
import java.util.Arrays;

/**
 * Decodes LZ4's block format (no frame) into an array of the length the block records, checking
 * every length and offset against both buffers, so that malformed input is a {@link
 * CorruptionException} and never a read or write outside them.
 *
 * <p>Why not lz4-java's decoder, whose compressor {@link dev.strata.sst.BlockCodec} uses: its safe pure-Java
 * decompressor costs about twice this loop on 4 KiB blocks of half-compressible values, and its
 * faster one trusts its input (it may read past a damaged block's end). The format, as LZ4's
 * block format description gives it:
 *
 * <pre>
 * block    = sequence* last
 * sequence = token | literal length extension? | literals | offset | match length extension?
 * last     = token | literal length extension? | literals          (ends the input; no match)
 * token    = literal length (high 4 bits) | match length - 4 (low 4 bits); 15 means "add the
 *            extension": bytes added one after another until one is not 255
 * offset   = 2 bytes little-endian, 1..65535: how far back in the output the match starts
 *            (a match may overlap the bytes it produces: offset 1 repeats one byte)
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class Lz4BlockDecoder {
  private static final int MIN_MATCH = 4;

  private Lz4BlockDecoder() {}

  /**
   * The most bytes {@code encodedLength} bytes of this format can decode to: a match-length byte
   * of 255 adds 255 bytes of output, and nothing adds more per byte. A larger claimed length is
   * damage, and must not make a reader allocate it. At most {@code Integer.MAX_VALUE - 16}.
   */
  public static int maxDecodedLength(int encodedLength) {
    return (int) Math.min(Integer.MAX_VALUE - 16, 255L * encodedLength + 16);
  }

  /**
   * Decodes {@code src[from, to)} into all of {@code dst}.
   *
   * @throws CorruptionException when the input is malformed or does not decode to exactly {@code
   *     dst.length} bytes
   */
  public static void decode(byte[] src, int from, int to, byte[] dst) {
    int sp = from;
    int dp = 0;
    int dstEnd = dst.length;
    while (true) {
      if (sp >= to) {
        throw corrupt("ends inside a sequence, after " + dp + " of " + dstEnd + " bytes");
      }
      int token = src[sp++] & 0xFF;
      int literals = token >>> 4;
      if (literals == 15) {
        int b;
        do {
          if (sp >= to) {
            throw corrupt("ends inside a literal length");
          }
          b = src[sp++] & 0xFF;
          literals += b;
        } while (b == 255 && literals >= 0);
      }
      if (literals < 0 || literals > to - sp || literals > dstEnd - dp) {
        throw corrupt("has " + literals + " literals at output byte " + dp + " where "
            + Math.min(to - sp, dstEnd - dp) + " fit");
      }
      System.arraycopy(src, sp, dst, dp, literals);
      sp += literals;
      dp += literals;
      if (sp == to) {
        break; // the last sequence: literals only
      }
      if (to - sp < 2) {
        throw corrupt("ends inside a match offset");
      }
      int offset = (src[sp] & 0xFF) | (src[sp + 1] & 0xFF) << 8;
      sp += 2;
      if (offset == 0 || offset > dp) {
        throw corrupt("has a match offset of " + offset + " at output byte " + dp);
      }
      int match = token & 15;
      if (match == 15) {
        int b;
        do {
          if (sp >= to) {
            throw corrupt("ends inside a match length");
          }
          b = src[sp++] & 0xFF;
          match += b;
        } while (b == 255 && match >= 0);
      }
      match += MIN_MATCH;
      if (match < MIN_MATCH || match > dstEnd - dp) {
        throw corrupt("has a match of " + match + " bytes at output byte " + dp + " where " + (dstEnd - dp) + " fit");
      }
      int mp = dp - offset;
      if (offset >= match) {
        System.arraycopy(dst, mp, dst, dp, match);
      } else if (offset == 1) {
        Arrays.fill(dst, dp, dp + match, dst[mp]);
      } else {
        // The match overlaps what it writes, which repeats the last `offset` bytes: copy whole
        // repetitions from the pattern's start, each copy twice the last (a multiple of the
        // period, so it lines up), none reaching into bytes not yet written.
        int copied = 0;
        while (copied < match) {
          int n = Math.min(offset + copied, match - copied);
          System.arraycopy(dst, mp, dst, dp + copied, n);
          copied += n;
        }
      }
      dp += match;
    }
    if (dp != dstEnd) {
      throw corrupt("decompresses to " + dp + " bytes, not the " + dstEnd + " it records");
    }
  }

  private static CorruptionException corrupt(String what) {
    return new CorruptionException("lz4 block " + what);
  }
}
