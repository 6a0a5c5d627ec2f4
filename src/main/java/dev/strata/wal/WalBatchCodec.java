package dev.strata.wal;

import dev.strata.CorruptionException;
import dev.strata.WriteBatch;
import dev.strata.key.ValueKind;
import dev.strata.util.ByteBuilder;
import dev.strata.util.Lz4BlockDecoder;
import dev.strata.util.Lz4BlockEncoder;

/**
 * Encodes one committed write (a single put or delete, or a whole batch) as one WAL record
 * payload, so that recovery replays it all or not at all. The log format around it adds the
 * length and the CRC32C.
 *
 * <pre>
 * payload = version uint8 (= 1) | firstSequence varint64 | count varint32 | op * count
 *         | version uint8 (= 2) | firstSequence varint64 | count varint32
 *           | opsLength varint32 | LZ4 block of (op * count), which decodes to opsLength bytes
 * op      = kind uint8 (0 delete, 1 put) | keyLength varint32 | key
 *           | (put only) valueLength varint32 | value
 * </pre>
 * Operation i of the record has sequence firstSequence + i. Version 2 is written by a {@link
 * Compressor} (option {@code wal-compression = lz4}) when it saves at least an eighth of the
 * operations' bytes and they come to 32 bytes to 1 MiB; version 1 otherwise. A log may hold both, so a store reopened with the other
 * setting replays either. The header stays uncompressed so that the first sequence is read
 * without decoding. Stateless and thread-safe, but a {@link Compressor} is not.
 */
public final class WalBatchCodec {
  static final int VERSION = 1;
  static final int VERSION_LZ4 = 2;

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
    Ops ops = ops(payload, where);
    long last = walk(ops, where, null);
    walk(ops, where, sink);
    return last;
  }

  /** The sequence of the first operation of a payload that {@link #decode} accepted. */
  static long firstSequence(byte[] payload) {
    int[] pos = {1}; // past the version
    return varint(payload, pos, "a decoded WAL record");
  }

  /** A record's header and its operations' bytes {@code bytes[from, bytes.length)}, decompressed if they were. */
  private record Ops(long firstSequence, long count, byte[] bytes, int from) {}

  private static Ops ops(byte[] p, String where) {
    int[] pos = {0};
    int version = u8(p, pos, where);
    if (version != VERSION && version != VERSION_LZ4) {
      throw new CorruptionException(where + ": WAL record version " + version + " is not supported");
    }
    long seq = varint(p, pos, where);
    long count = varint(p, pos, where);
    if (version == VERSION) {
      return new Ops(seq, count, p, pos[0]);
    }
    long length = varint(p, pos, where);
    // More than LZ4 can produce from these bytes, or than the writer compresses: damage, which
    // must not allocate.
    if (length < 1 || length > Compressor.MAX_OPS_BYTES
        || length > Lz4BlockDecoder.maxDecodedLength(p.length - pos[0])) {
      throw new CorruptionException(where + ": compressed WAL record claims " + length + " bytes of operations from "
          + (p.length - pos[0]) + " compressed bytes");
    }
    byte[] raw = new byte[(int) length];
    try {
      Lz4BlockDecoder.decode(p, pos[0], p.length, raw);
    } catch (CorruptionException e) {
      throw new CorruptionException(where + ": compressed WAL record: " + e.getMessage(), e);
    }
    return new Ops(seq, count, raw, 0);
  }

  private static long walk(Ops ops, String where, Sink sink) {
    byte[] p = ops.bytes();
    int[] pos = {ops.from()};
    long seq = ops.firstSequence();
    long count = ops.count();
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

  /**
   * Rewrites version-1 payloads in the compressed form. Not thread-safe: the engine compresses under
   * its commit lock, with one compressor per store, so that the encoder's table is reused.
   */
  public static final class Compressor {
    /** Operations shorter than this are left as they are: a delete, or a put of a few bytes. */
    static final int MIN_OPS_BYTES = 32;
    /**
     * Operations longer than this are left as they are too: compressing a batch of many MiB under
     * the commit lock would hold every writer for milliseconds, and the buffer it needs would stay.
     */
    static final int MAX_OPS_BYTES = 1 << 20;

    private final Lz4BlockEncoder encoder = new Lz4BlockEncoder();
    private final ByteBuilder out = new ByteBuilder(256);

    /**
     * The payload to log for {@code raw}, a version-1 payload: its compressed form, in a buffer of
     * this compressor's that stays valid until the next call, when its operations come to
     * {@link #MIN_OPS_BYTES} to {@link #MAX_OPS_BYTES} and compress by at least an eighth; else
     * {@code raw} itself.
     */
    public ByteBuilder compress(ByteBuilder raw) {
      byte[] p = raw.array();
      int size = raw.size();
      int[] pos = {1};
      long seq = varint(p, pos, "a WAL record being written");
      long count = varint(p, pos, "a WAL record being written");
      int opsFrom = pos[0];
      int opsLength = size - opsFrom;
      if (p[0] != VERSION || opsLength < MIN_OPS_BYTES || opsLength > MAX_OPS_BYTES) {
        return raw;
      }
      out.reset();
      out.putByte(VERSION_LZ4).putVarint64(seq).putVarint32((int) count).putVarint32(opsLength);
      int at = out.reserve(Lz4BlockEncoder.maxEncodedLength(opsLength));
      int n = encoder.encode(p, opsFrom, size, out.array(), at);
      if (n > opsLength - opsLength / 8) {
        return raw;
      }
      out.size(at + n);
      return out;
    }
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
