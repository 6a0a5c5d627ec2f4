package dev.strata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class StrataOptionsTest {
  @Test
  void defaultsComeFromReferenceConf() {
    StrataOptions d = StrataOptions.defaults();
    assertEquals(16L << 20, d.memtableSizeBytes());
    assertEquals(2, d.memtablesPerFlush(), "two 16 MiB memtables make one 32 MiB L0 file");
    assertEquals(4, d.maxImmutableMemtables(), "twice memtablesPerFlush: writes go on while a flush runs");
    assertEquals(4096, d.blockSizeBytes());
    assertEquals(10, d.bloomBitsPerKey());
    assertTrue(d.walEnabled());
    assertEquals(CompactionOptions.Strategy.LEVELED, d.compaction().strategy());
    assertEquals(d.toString(), StrataOptions.builder().build().toString(), "builder defaults match reference.conf");
  }

  @Test
  void fromConfigReadsTheStrataBlockAndFallsBackForTheRest() {
    StrataOptions o = StrataOptions.fromConfig(ConfigFactory.parseString(
        "strata { memtable-size = 1 MiB, block-size = 16 KiB, bloom-bits-per-key = 0, sync-writes = on,"
            + " compaction { strategy = tiered, num-tiers = 5 } }"));
    assertEquals(1L << 20, o.memtableSizeBytes());
    assertEquals(16384, o.blockSizeBytes());
    assertEquals(0, o.bloomBitsPerKey());
    assertTrue(o.syncWrites());
    assertEquals(CompactionOptions.Strategy.TIERED, o.compaction().strategy());
    assertEquals(5, o.compaction().numTiers());
    assertEquals(4, o.maxImmutableMemtables(), "keys not given fall back to reference.conf");
    assertEquals(32L << 20, o.blockCacheBytes(), "keys not given fall back to reference.conf");
  }

  @Test
  void fromConfigAcceptsTheBlockItself() {
    StrataOptions o = StrataOptions.fromConfig(ConfigFactory.parseString("max-immutable-memtables = 7"));
    assertEquals(7, o.maxImmutableMemtables());
  }

  @Test
  void badConfigValuesAreClearErrors() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrataOptions.fromConfig(
        ConfigFactory.parseString("strata.compaction.strategy = sideways")));
    assertTrue(e.getMessage().contains("sideways"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> StrataOptions.fromConfig(
        ConfigFactory.parseString("strata.block-size = 1")));
  }

  @Test
  void walRecoveryModeIsPointInTimeByDefaultAndReadFromItsConfigKey() {
    assertEquals(WalRecoveryMode.POINT_IN_TIME, StrataOptions.defaults().walRecoveryMode());
    assertEquals(WalRecoveryMode.POINT_IN_TIME, StrataOptions.builder().build().walRecoveryMode());
    String[][] names = {{"point-in-time", "POINT_IN_TIME"}, {"absolute-consistency", "ABSOLUTE_CONSISTENCY"},
        {"skip-any-corrupted-records", "SKIP_ANY_CORRUPTED_RECORDS"}};
    for (String[] n : names) {
      StrataOptions o = StrataOptions.fromConfig(ConfigFactory.parseString("strata.wal-recovery-mode = " + n[0]));
      assertEquals(WalRecoveryMode.valueOf(n[1]), o.walRecoveryMode(), n[0]);
      assertEquals(o.toString(), o.toBuilder().build().toString(), "toBuilder keeps " + n[0]);
    }
  }

  @Test
  void aBadWalRecoveryModeIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrataOptions.fromConfig(
        ConfigFactory.parseString("strata.wal-recovery-mode = POINT_IN_TIME")));
    assertEquals("strata.wal-recovery-mode must be one of point-in-time, absolute-consistency, "
        + "skip-any-corrupted-records; got 'POINT_IN_TIME'", e.getMessage());
    assertThrows(NullPointerException.class, () -> StrataOptions.builder().walRecoveryMode(null));
  }

  @Test
  void maxSubcompactionsIsOneByDefaultAndReadFromItsConfigKey() {
    assertEquals(1, StrataOptions.defaults().maxSubcompactions());
    StrataOptions o = StrataOptions.fromConfig(ConfigFactory.parseString("strata.max-subcompactions = 4"));
    assertEquals(4, o.maxSubcompactions());
    assertEquals(4, o.toBuilder().build().maxSubcompactions(), "toBuilder keeps it");
  }

  @Test
  void avoidFlushDuringRecoveryIsOnByDefaultAndReadFromItsConfigKey() {
    assertTrue(StrataOptions.defaults().avoidFlushDuringRecovery());
    assertTrue(StrataOptions.builder().build().avoidFlushDuringRecovery(), "the builder starts from the same default");
    StrataOptions o = StrataOptions.fromConfig(ConfigFactory.parseString("strata.avoid-flush-during-recovery = off"));
    assertFalse(o.avoidFlushDuringRecovery());
    assertFalse(o.toBuilder().build().avoidFlushDuringRecovery(), "toBuilder keeps it");
  }

  @Test
  void memtablesPerFlushIsReadFromItsConfigKeyAndIsAtLeastOne() {
    StrataOptions o = StrataOptions.fromConfig(ConfigFactory.parseString("strata.memtables-per-flush = 2"));
    assertEquals(2, o.memtablesPerFlush());
    assertEquals(2, o.toBuilder().build().memtablesPerFlush(), "toBuilder keeps it");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StrataOptions.builder().memtablesPerFlush(0));
    assertEquals("memtablesPerFlush must be at least 1, got 0", e.getMessage());
    assertEquals(16, StrataOptions.builder().maxImmutableMemtables(2).memtablesPerFlush(16).build().memtablesPerFlush(),
        "more than maxImmutableMemtables is allowed: a flush then takes the frozen memtables there may be");
  }

  @Test
  void aBadMaxSubcompactionsIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrataOptions.fromConfig(
        ConfigFactory.parseString("strata.max-subcompactions = 0")));
    assertEquals("strata.max-subcompactions must be a whole number from 1 to 64; got 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> StrataOptions.fromConfig(
        ConfigFactory.parseString("strata.max-subcompactions = many")));
    assertEquals("strata.max-subcompactions must be a whole number from 1 to 64; got 'many'", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> StrataOptions.builder().maxSubcompactions(65));
    assertEquals("maxSubcompactions must be between 1 and 64, got 65", e.getMessage());
  }

  @Test
  void toBuilderRoundTrips() {
    StrataOptions o = StrataOptions.builder().memtableSizeBytes(1 << 20).walEnabled(false).build();
    assertEquals(o.toString(), o.toBuilder().build().toString());
  }
}
