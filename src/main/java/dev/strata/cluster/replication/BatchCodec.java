package dev.strata.cluster.replication;

import dev.strata.CorruptionException;
import dev.strata.WriteBatch;
import dev.strata.util.ByteBuilder;
import dev.strata.util.ByteReader;

/**
 * The encoding of a client's write batch inside a log entry (the record around it carries the
 * version and checksum, see {@link ShardStore}). Stateless and thread-safe.
 *
 * <pre>
 * batch := count:varint32 op*count
 * op    := kind:u8 (1 = put, 2 = delete) keyLength:varint32 key [valueLength:varint32 value if put]
 * </pre>
 */
public final class BatchCodec {
  private static final int PUT = 1;
  private static final int DELETE = 2;

  private BatchCodec() {}

  public static byte[] encode(WriteBatch batch) {
    ByteBuilder b = new ByteBuilder((int) Math.min(Integer.MAX_VALUE - 64, batch.dataBytes() + 8L * batch.count() + 8));
    b.putVarint32(batch.count());
    for (int i = 0; i < batch.count(); i++) {
      byte[] key = batch.key(i);
      if (batch.isDelete(i)) {
        b.putByte(DELETE).putVarint32(key.length).putBytes(key);
      } else {
        byte[] value = batch.value(i);
        b.putByte(PUT).putVarint32(key.length).putBytes(key).putVarint32(value.length).putBytes(value);
      }
    }
    return b.toByteArray();
  }

  public static WriteBatch decode(byte[] encoded) {
    ByteReader r = new ByteReader(encoded, 0, encoded.length);
    int count = r.readLength();
    WriteBatch batch = new WriteBatch();
    for (int i = 0; i < count; i++) {
      int kind = r.readByte();
      byte[] key = r.readBytes(r.readLength());
      if (kind == PUT) {
        batch.put(key, r.readBytes(r.readLength()));
      } else if (kind == DELETE) {
        batch.delete(key);
      } else {
        throw new CorruptionException("replicated write batch: operation " + i + " has kind " + kind
            + " (expected 1 = put or 2 = delete)");
      }
    }
    if (r.hasRemaining()) {
      throw new CorruptionException("replicated write batch: " + r.remaining() + " bytes after " + count + " operations");
    }
    return batch;
  }
}
