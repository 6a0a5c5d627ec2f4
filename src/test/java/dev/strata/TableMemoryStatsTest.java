package dev.strata;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stats() reports the heap every open SST keeps for its index and its bloom filter: nothing
 * without SSTs, about bloomBitsPerKey bits per key of filter, and no filter memory without
 * filters.
 */
class TableMemoryStatsTest {
  @TempDir Path dir;

  private Strata open(int bloomBitsPerKey) {
    return Strata.open(dir, TestHarness.smallOptions().toBuilder()
        .memtableSizeBytes(1 << 20)
        .bloomBitsPerKey(bloomBitsPerKey)
        .build());
  }

  private static void fill(Strata db, int from, int count) {
    for (int i = from; i < from + count; i++) {
      db.put(TestHarness.key(i), b("value" + i));
    }
    db.flush();
  }

  @Test
  void aStoreWithoutSstsHoldsNoTableMemory() {
    try (Strata db = open(10)) {
      db.put(b("k"), b("v"));
      assertEquals(0, db.stats().tableIndexBytes());
      assertEquals(0, db.stats().tableFilterBytes());
    }
  }

  @Test
  void indexAndFilterMemoryGrowWithTheTablesAndShowInToString() {
    try (Strata db = open(10)) {
      fill(db, 0, 4000);
      StrataStats one = db.stats();
      // 4000 keys at 10 bits each is 5000 bytes; the blocked filter rounds up to 64-byte blocks.
      assertTrue(one.tableFilterBytes() >= 5000 && one.tableFilterBytes() <= 2 * 5000, one.toString());
      // 512-byte blocks of about 30-byte entries: well over 100 data blocks, one index entry each.
      assertTrue(one.tableIndexBytes() > 100 * 16, one.toString());
      assertTrue(one.toString().contains("sst memory: index " + one.tableIndexBytes() + " B, filter "
          + one.tableFilterBytes() + " B"), one.toString());

      fill(db, 4000, 4000);
      StrataStats two = db.stats();
      assertEquals(2, two.levelFileCounts()[0]);
      assertTrue(two.tableFilterBytes() >= 2 * 5000, two.toString());
      assertTrue(two.tableIndexBytes() > one.tableIndexBytes(), two.toString());
    }
  }

  @Test
  void tablesWithoutFiltersHoldNoFilterMemory() {
    try (Strata db = open(0)) {
      fill(db, 0, 1000);
      assertEquals(0, db.stats().tableFilterBytes());
      assertTrue(db.stats().tableIndexBytes() > 0);
    }
  }
}
