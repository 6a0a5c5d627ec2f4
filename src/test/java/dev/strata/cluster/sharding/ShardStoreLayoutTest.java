package dev.strata.cluster.sharding;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.CorruptionException;
import dev.strata.Strata;
import dev.strata.TestHarness;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shard store records its keyspace's shard count and its shard, and refuses to serve another. */
class ShardStoreLayoutTest {
  @TempDir Path dir;

  @Test
  void aStoreRecordsItsShardAndAcceptsItAgain() {
    try (Strata store = Strata.open(dir, TestHarness.smallOptions())) {
      ShardStoreLayout.recordOrCheckShard(store, "kv", 8, 3);
    }
    try (Strata store = Strata.open(dir, TestHarness.smallOptions())) {
      ShardStoreLayout.recordOrCheckShard(store, "kv", 8, 3);
    }
  }

  @Test
  void aStoreOfAnotherShardCountIsRefusedNamingBoth() {
    try (Strata store = Strata.open(dir, TestHarness.smallOptions())) {
      ShardStoreLayout.recordOrCheckShard(store, "kv", 8, 3);
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> ShardStoreLayout.recordOrCheckShard(store, "kv", 16, 3));
      assertTrue(e.getMessage().contains("shard 3 of 8") && e.getMessage().contains("16 shards"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> ShardStoreLayout.recordOrCheckShard(store, "kv", 8, 4));
    }
  }

  @Test
  void aDamagedShardRecordIsCorruption() {
    try (Strata store = Strata.open(dir, TestHarness.smallOptions())) {
      byte[] record = ShardStoreLayout.shardRecord(8, 3);
      record[4] ^= 1;
      store.put(new byte[] {0, 's', 'h', 'a', 'r', 'd', 's'}, record);
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> ShardStoreLayout.recordOrCheckShard(store, "kv", 8, 3));
      assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }
  }

  @Test
  void userKeysLiveUnderTheDataPrefixAndBoundsStayInsideIt() {
    byte[] stored = ShardStoreLayout.dataKey(b("abc"));
    assertEquals(4, stored.length);
    assertArrayEquals(b("abc"), ShardStoreLayout.userKey(stored));
    try (Strata store = Strata.open(dir, TestHarness.smallOptions())) {
      ShardStoreLayout.recordOrCheckShard(store, "kv", 8, 3);
      store.put(ShardStoreLayout.dataKey(b("a")), b("1"));
      store.put(ShardStoreLayout.dataKey(new byte[] {(byte) 0xff}), b("2"));
      assertEquals(2, TestHarness.drain(store.scan(ShardStoreLayout.dataLower(Bound.unbounded()),
          ShardStoreLayout.dataUpper(Bound.unbounded()))).size(), "the shard record is not user data");
    }
  }
}
