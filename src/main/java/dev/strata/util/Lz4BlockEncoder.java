package dev.strata.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Encodes LZ4's block format (the format {@link Lz4BlockDecoder} reads), greedily, with one hash
 * table that lives as long as the encoder.
 *
 * <p>Why not lz4-java's compressor, which SST blocks use: it allocates and clears a 16 KiB hash
 * table on every call, which on a WAL record of about 130 bytes costs about 0.9 us, a third of
 * what the whole write costs. Here the table is never cleared: each call numbers its positions
 * from where the previous call's ended, so an entry left by an earlier call is recognised as
 * stale by its number, and only when those numbers would overflow is the table cleared.
 *
 * <p>The output follows the format's end-of-block rules, which decoders may rely on: the last
 * five bytes are literals, no match starts within the last twelve, and an input shorter than 13
 * bytes is all literals. Matches are at least 4 bytes, at most 65,535 back.
 *
 * <p>Not thread-safe: an encoder per thread, or per lock.
 */
public final class Lz4BlockEncoder {
  private static final int HASH_BITS = 12;
  private static final int MIN_MATCH = 4;
  private static final int LAST_LITERALS = 5;
  private static final int MATCH_FIND_LIMIT = 12;
  private static final int MAX_OFFSET = 65_535;
  /** Misses after which the search steps two bytes at a time, then three, ... (LZ4's acceleration). */
  private static final int SKIP_TRIGGER = 6;
  private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** Position numbers; an entry below {@link #base} was left by an earlier call. */
  private final int[] table = new int[1 << HASH_BITS];
  /** The number of the next call's first input byte. */
  private int base;

  public Lz4BlockEncoder() {
    this(1);
  }

  /** Starts numbering at {@code base}: lets a test reach the renumbering without encoding 2 GiB. */
  Lz4BlockEncoder(int base) {
    this.base = base;
  }

  /** The most bytes {@link #encode} writes for {@code length} input bytes. */
  public static int maxEncodedLength(int length) {
    return length + length / 255 + 16;
  }

  /**
   * Encodes {@code src[from, to)} into {@code dst} from {@code dstOffset}; returns the bytes
   * written, at most {@link #maxEncodedLength} of the input's length.
   *
   * @throws IndexOutOfBoundsException if the range is outside {@code src} or {@code dst} has less
   *     than {@link #maxEncodedLength} bytes from {@code dstOffset}
   */
  public int encode(byte[] src, int from, int to, byte[] dst, int dstOffset) {
    Objects.checkFromToIndex(from, to, src.length);
    int length = to - from;
    Objects.checkFromIndexSize(dstOffset, maxEncodedLength(length), dst.length);
    if (base > Integer.MAX_VALUE - length - 1) {
      Arrays.fill(table, 0);
      base = 1;
    }
    int callBase = base;
    base += length + 1;
    int dp = dstOffset;
    int anchor = from;
    if (length >= MATCH_FIND_LIMIT + 1) {
      int lastMatchStart = to - MATCH_FIND_LIMIT;
      int matchEndLimit = to - LAST_LITERALS;
      int sp = from;
      table[hash(readInt(src, sp))] = callBase;
      sp++;
      int misses = 1 << SKIP_TRIGGER;
      while (sp <= lastMatchStart) {
        int word = readInt(src, sp);
        int h = hash(word);
        int entry = table[h];
        table[h] = callBase + (sp - from);
        int ref = from + (entry - callBase);
        if (entry < callBase || sp - ref > MAX_OFFSET || readInt(src, ref) != word) {
          sp += misses++ >>> SKIP_TRIGGER;
          continue;
        }
        misses = 1 << SKIP_TRIGGER;
        while (sp > anchor && ref > from && src[sp - 1] == src[ref - 1]) {
          sp--;
          ref--;
        }
        int matchLength = MIN_MATCH;
        while (sp + matchLength < matchEndLimit && src[sp + matchLength] == src[ref + matchLength]) {
          matchLength++;
        }
        dp = sequence(src, anchor, sp - anchor, sp - ref, matchLength, dst, dp);
        sp += matchLength;
        anchor = sp;
        if (sp <= lastMatchStart) {
          // The bytes just before the next search point are where the next repeat most often starts.
          table[hash(readInt(src, sp - 2))] = callBase + (sp - 2 - from);
        }
      }
    }
    int literals = to - anchor;
    dst[dp++] = (byte) (Math.min(literals, 15) << 4);
    if (literals >= 15) {
      dp = lengthExtension(literals - 15, dst, dp);
    }
    System.arraycopy(src, anchor, dst, dp, literals);
    dp += literals;
    return dp - dstOffset;
  }

  private static int sequence(byte[] src, int literalsFrom, int literals, int offset, int matchLength, byte[] dst,
      int dp) {
    int extra = matchLength - MIN_MATCH;
    dst[dp++] = (byte) ((Math.min(literals, 15) << 4) | Math.min(extra, 15));
    if (literals >= 15) {
      dp = lengthExtension(literals - 15, dst, dp);
    }
    System.arraycopy(src, literalsFrom, dst, dp, literals);
    dp += literals;
    dst[dp++] = (byte) offset;
    dst[dp++] = (byte) (offset >>> 8);
    if (extra >= 15) {
      dp = lengthExtension(extra - 15, dst, dp);
    }
    return dp;
  }

  private static int lengthExtension(int rest, byte[] dst, int dp) {
    while (rest >= 255) {
      dst[dp++] = (byte) 255;
      rest -= 255;
    }
    dst[dp++] = (byte) rest;
    return dp;
  }

  private static int readInt(byte[] b, int at) {
    return (int) INT_LE.get(b, at);
  }

  private static int hash(int word) {
    return (word * -1640531535) >>> (32 - HASH_BITS);
  }
}
