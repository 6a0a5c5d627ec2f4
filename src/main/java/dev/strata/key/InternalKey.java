package dev.strata.key;

import dev.strata.util.Bytes;
import java.util.Arrays;

/**
 * The one internal key encoding: a user key, a sequence number and a {@link ValueKind}.
 *
 * <pre>
 * encoded internal key = user key bytes | trailer (8 bytes, big-endian)
 * trailer              = sequence &lt;&lt; 8 | kind code      (sequence: 56 bits)
 * </pre>
 *
 * <p>Order: user key ascending by unsigned bytes, then trailer descending as an unsigned 64-bit
 * number, so the newest version of a key comes first and a seek to (key, s) lands on the newest
 * version visible at s. Everything that orders entries (memtable, blocks, index, merge) goes
 * through the comparisons here.
 *
 * <p>Sequence 0 is never given to a write: the bottommost data's compactions write it for the
 * version every reader sees (see {@code engine.CompactionJob}), the oldest of its key.
 */
public final class InternalKey {
  /** Bytes of the trailer appended to the user key. */
  public static final int TRAILER_BYTES = 8;
  /** Largest sequence number: seeking at it sees every version. */
  public static final long MAX_SEQUENCE = (1L << 56) - 1;

  private InternalKey() {}

  public static long trailer(long sequence, ValueKind kind) {
    return (sequence << 8) | kind.code();
  }

  /**
   * The trailer to seek with so that a seek lands on the newest version of a key whose sequence
   * is at most {@code sequence}: it sorts before every real trailer of that sequence.
   */
  public static long seekTrailer(long sequence) {
    return (sequence << 8) | 0xff;
  }

  public static long sequenceOf(long trailer) {
    return trailer >>> 8;
  }

  public static ValueKind kindOf(long trailer) {
    return ValueKind.fromCode((int) (trailer & 0xff));
  }

  /** Encodes (userKey, sequence, kind) into a fresh array. */
  public static byte[] encode(byte[] userKey, long sequence, ValueKind kind) {
    byte[] out = Arrays.copyOf(userKey, userKey.length + TRAILER_BYTES);
    writeTrailer(out, userKey.length, trailer(sequence, kind));
    return out;
  }

  public static void writeTrailer(byte[] dst, int offset, long trailer) {
    Bytes.putLongBE(dst, offset, trailer);
  }

  public static long readTrailer(byte[] src, int offset) {
    return Bytes.getLongBE(src, offset);
  }

  /** The trailer of an encoded internal key held in {@code buf[off, off+len)}. */
  public static long trailerOf(byte[] buf, int off, int len) {
    return readTrailer(buf, off + len - TRAILER_BYTES);
  }

  /** Unsigned lexicographic order of user keys; the order users see. */
  public static int compareUserKeys(byte[] a, byte[] b) {
    if (a == null || b == null) {
      return Arrays.compareUnsigned(a, b); // null before any array: the order this method had before it used Bytes
    }
    return Bytes.compareUnsigned(a, 0, a.length, b, 0, b.length);
  }

  public static int compareUserKeys(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
    return Bytes.compareUnsigned(a, aOff, aLen, b, bOff, bLen);
  }

  /** Orders (user key ascending, trailer descending). */
  public static int compare(byte[] aUser, long aTrailer, byte[] bUser, long bTrailer) {
    int c = Bytes.compareUnsigned(aUser, 0, aUser.length, bUser, 0, bUser.length);
    return c != 0 ? c : Long.compareUnsigned(bTrailer, aTrailer);
  }

  /** Compares two encoded internal keys held in slices of arrays. */
  public static int compareEncoded(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
    int c = Bytes.compareUnsigned(a, aOff, aLen - TRAILER_BYTES, b, bOff, bLen - TRAILER_BYTES);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(trailerOf(b, bOff, bLen), trailerOf(a, aOff, aLen));
  }

  /** Compares an encoded internal key slice with (userKey, trailer). */
  public static int compareEncoded(byte[] a, int aOff, int aLen, byte[] userKey, long trailer) {
    int c = Bytes.compareUnsigned(a, aOff, aLen - TRAILER_BYTES, userKey, 0, userKey.length);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(trailer, trailerOf(a, aOff, aLen));
  }

  /** A readable form for tools and error messages. */
  public static String describe(byte[] userKey, long sequence, ValueKind kind) {
    return printable(userKey) + "@" + sequence + ":" + kind;
  }

  /** Printable ASCII stays as is, anything else becomes \xNN. */
  public static String printable(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02x", c));
      }
    }
    return sb.toString();
  }
}
