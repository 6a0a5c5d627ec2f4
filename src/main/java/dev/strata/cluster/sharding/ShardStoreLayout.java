package dev.strata.cluster.sharding;

import dev.strata.Bound;
import dev.strata.CorruptionException;
import dev.strata.Strata;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * How a shard store's key space is divided between the cluster's own records and the user's
 * keys. Every key of a shard store starts with one prefix byte:
 *
 * <pre>
 *   0x00 meta   0x00 "shards"  -> the shard record below
 *   0x01        reserved for the replication log
 *   0x02 data   0x02 ++ user key -> user value
 * </pre>
 *
 * The shard record, written once when the shard store is created, big-endian:
 *
 * <pre>
 *   u8  version (1)
 *   u32 shards of the keyspace
 *   u32 this store's shard number
 *   u32 CRC-32C of the 9 bytes above
 * </pre>
 *
 * A store that records another shard count or number is refused: its keys were placed by another
 * hash modulus, and serving them would hide or misplace data. Stateless and thread-safe.
 */
public final class ShardStoreLayout {
  /** Bytes a stored key has beyond the user's key. */
  public static final int KEY_OVERHEAD = 1;

  private static final byte DATA = 0x02;
  private static final byte VERSION = 1;
  private static final byte[] SHARD_RECORD_KEY = metaKey("shards");
  private static final int SHARD_RECORD_BYTES = 13;

  private ShardStoreLayout() {}

  /** The stored key of user key {@code key}. */
  public static byte[] dataKey(byte[] key) {
    byte[] stored = new byte[key.length + 1];
    stored[0] = DATA;
    System.arraycopy(key, 0, stored, 1, key.length);
    return stored;
  }

  /** The user key of stored data key {@code stored}. */
  public static byte[] userKey(byte[] stored) {
    if (stored.length == 0 || stored[0] != DATA) {
      throw new IllegalArgumentException("not a data key: " + Arrays.toString(stored));
    }
    return Arrays.copyOfRange(stored, 1, stored.length);
  }

  /** The lower bound of a scan of the stored data keys for user bound {@code lower}. */
  public static Bound dataLower(Bound lower) {
    return switch (lower.kind()) {
      case UNBOUNDED -> Bound.included(new byte[] {DATA});
      case INCLUDED -> Bound.included(dataKey(lower.key()));
      case EXCLUDED -> Bound.excluded(dataKey(lower.key()));
    };
  }

  /** The upper bound of a scan of the stored data keys for user bound {@code upper}. */
  public static Bound dataUpper(Bound upper) {
    return switch (upper.kind()) {
      case UNBOUNDED -> Bound.excluded(new byte[] {DATA + 1});
      case INCLUDED -> Bound.included(dataKey(upper.key()));
      case EXCLUDED -> Bound.excluded(dataKey(upper.key()));
    };
  }

  /**
   * Records that {@code store} is shard {@code shard} of {@code shards} when it is new (synced),
   * or checks that it is. Throws {@link IllegalStateException} naming both counts when the store
   * belongs to a keyspace of another shard count or to another shard, and
   * {@link CorruptionException} when the record fails its checksum.
   */
  public static void recordOrCheckShard(Strata store, String keyspace, int shards, int shard) {
    byte[] record = store.get(SHARD_RECORD_KEY);
    if (record == null) {
      store.put(SHARD_RECORD_KEY, shardRecord(shards, shard));
      store.sync();
      return;
    }
    ByteBuffer in = ByteBuffer.wrap(record);
    if (record.length != SHARD_RECORD_BYTES || record[0] != VERSION) {
      throw new CorruptionException("the shard record of " + store.directory() + " has length " + record.length
          + " and version " + (record.length > 0 ? record[0] : -1) + "; expected " + SHARD_RECORD_BYTES
          + " bytes of version " + VERSION);
    }
    CRC32C crc = new CRC32C();
    crc.update(record, 0, 9);
    if ((int) crc.getValue() != in.getInt(9)) {
      throw new CorruptionException("the shard record of " + store.directory() + " fails its checksum");
    }
    int recordedShards = in.getInt(1);
    int recordedShard = in.getInt(5);
    if (recordedShards != shards || recordedShard != shard) {
      throw new IllegalStateException("keyspace '" + keyspace + "': the store in " + store.directory()
          + " is shard " + recordedShard + " of " + recordedShards + ", but the keyspace is configured with "
          + shards + " shards (this would be shard " + shard + "); a keyspace's shard count is fixed at creation");
    }
  }

  static byte[] shardRecord(int shards, int shard) {
    ByteBuffer out = ByteBuffer.allocate(SHARD_RECORD_BYTES);
    out.put(VERSION).putInt(shards).putInt(shard);
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, 9);
    out.putInt((int) crc.getValue());
    return out.array();
  }

  private static byte[] metaKey(String name) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    byte[] key = new byte[n.length + 1];
    System.arraycopy(n, 0, key, 1, n.length);
    return key;
  }
}
