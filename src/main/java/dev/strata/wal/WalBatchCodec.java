package dev.strata.wal;

import dev.strata.CorruptionException;
import dev.strata.WriteBatch;
import dev.strata.key.ValueKind;
import dev.strata.util.ByteBuilder;

/**
 * Encodes one committed write (a single put or delete, or a whole batch) as one WAL record
 * payload, so that recovery replays it all or not at all. The log format around it adds the
 * length and the CRC32C.
 *
 * <pre>
 * payload = version uint8 (= 1) | firstSequence varint64 | count varint32 | op * count
 * op      = kind uint8 (0 delete, 1 put) | keyLength varint32 | key
 *           | (put only) valueLength varint32 | value
 * </pre>
 * Operation i of the record has sequence firstSequence + i. Thread-safe (stateless).
 */
public final class WalBatchCodec {
  static final int VERSION = 1;

  /** Receives the operations of a decoded record, in order. */
  public interface Sink {
    void apply(byte[] key, long sequence, ValueKind kind, byte[] value);
  }

  private WalBatchCodec() {}

  /** Encodes a single put ({@code value} non-null) or delete into {@code out} (reset first). */
  public static void encodeSingle(ByteBuilder out, long sequence, byte[] key, byte[] value) {
    out.reset();
    out.putByte(VERSION).putVarint64(sequence).putVarint32(1);
    putOp(out, key, value);
  }

  /** Encodes a batch whose first operation takes {@code firstSequence} into {@code out} (reset first). */
  public static void encodeBatch(ByteBuilder out, long firstSequence, WriteBatch batch) {
    out.reset();
    out.putByte(VERSION).putVarint64(firstSequence).putVarint32(batch.count());
    for (int i = 0, n = batch.count(); i < n; i++) {
      putOp(out, batch.key(i), batch.value(i));
    }
  }

  private static void putOp(ByteBuilder out, byte[] key, byte[] value) {
    out.putByte(value == null ? ValueKind.DELETE.code() : ValueKind.PUT.code());
    out.putVarint32(key.length).putBytes(key);
    if (value != null) {
      out.putVarint32(value.length).putBytes(value);
    }
  }

  /**
   * Decodes a payload and hands its operations to {@code sink}; returns the last sequence it
   * held. The whole payload is validated before the first operation is handed over, so a bad
   * record applies nothing. {@code where} names file and offset for error messages.
   */
  public static long decode(byte[] payload, String where, Sink sink) {
    long last = walk(payload, where, null);
    walk(payload, where, sink);
    return last;
  }

  /** The sequence of the first operation of a payload that {@link #decode} accepted. */
  static long firstSequence(byte[] payload) {
    int[] pos = {1}; // past the version
    return varint(payload, pos, "a decoded WAL record");
  }

  private static long walk(byte[] p, String where, Sink sink) {
    int[] pos = {0};
    int version = u8(p, pos, where);
    if (version != VERSION) {
      throw new CorruptionException(where + ": WAL record version " + version + " is not supported");
    }
    long seq = varint(p, pos, where);
    long count = varint(p, pos, where);
    if (count < 1 || count > p.length) {
      throw new CorruptionException(where + ": WAL record claims " + count + " operations");
    }
    for (long i = 0; i < count; i++) {
      int kindCode = u8(p, pos, where);
      ValueKind kind = ValueKind.fromCode(kindCode);
      if (kind == null) {
        throw new CorruptionException(where + ": WAL record has unknown operation kind " + kindCode);
      }
      byte[] key = bytes(p, pos, where);
      byte[] value = kind == ValueKind.PUT ? bytes(p, pos, where) : null;
      if (sink != null) {
        sink.apply(key, seq + i, kind, value);
      }
    }
    if (pos[0] != p.length) {
      throw new CorruptionException(where + ": WAL record has " + (p.length - pos[0]) + " trailing bytes");
    }
    return seq + count - 1;
  }

  private static int u8(byte[] p, int[] pos, String where) {
    if (pos[0] >= p.length) {
      throw new CorruptionException(where + ": WAL record ends early");
    }
    return p[pos[0]++] & 0xff;
  }

  private static long varint(byte[] p, int[] pos, String where) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = u8(p, pos, where);
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new CorruptionException(where + ": WAL record has a varint longer than 10 bytes");
  }

  private static byte[] bytes(byte[] p, int[] pos, String where) {
    long n = varint(p, pos, where);
    if (n < 0 || pos[0] + n > p.length) {
      throw new CorruptionException(where + ": WAL record ends inside a key or value");
    }
    byte[] out = java.util.Arrays.copyOfRange(p, pos[0], pos[0] + (int) n);
    pos[0] += (int) n;
    return out;
  }
}
