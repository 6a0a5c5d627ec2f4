package dev.strata.crash;

import dev.strata.CompactionOptions;
import dev.strata.StrataOptions;
import java.util.SplittableRandom;

/**
 * The options of one crash cycle, drawn from the test's seed: the child writes with them and the
 * parent reopens with them. Every store of the test keeps one compaction strategy for its whole
 * life; everything else may change from one cycle to the next on the same directory (a store must
 * open with other memtable, cache, filter, WAL and sync settings than it was written with).
 *
 * <p>The sizes are small on purpose: a child lives a few hundred milliseconds, and flushes,
 * stalls and compactions (at every level the strategy has) must happen within that.
 */
record CrashOptionSet(Strategy strategy, Durability durability, long memtableBytes, int maxImmutableMemtables,
    boolean blockCache, boolean bloom, boolean serializable) {

  /** The three background compaction strategies, each tuned to compact at this test's scale. */
  enum Strategy {
    LEVELED, TIERED, SIMPLE_LEVELED;

    CompactionOptions options() {
      return switch (this) {
        case LEVELED -> CompactionOptions.leveled().level0FileTrigger(2).baseLevelBytes(128 << 10)
            .levelSizeMultiplier(4);
        case TIERED -> CompactionOptions.tiered().numTiers(4);
        case SIMPLE_LEVELED -> CompactionOptions.simpleLeveled().level0FileTrigger(2).maxLevels(4);
      };
    }
  }

  /**
   * What an acknowledged write is promised across a kill of the process. {@link #WAL_OFF}: only
   * what a completed flush wrote; the WAL modes: every acknowledged write (a process crash keeps
   * the page cache, so syncing changes nothing here; it matters for power loss, which
   * PowerLossTest covers).
   */
  enum Durability {
    WAL_OFF, WAL_UNSYNCED, WAL_SYNCED;

    boolean walEnabled() {
      return this != WAL_OFF;
    }

    boolean syncWrites() {
      return this == WAL_SYNCED;
    }
  }

  static CrashOptionSet draw(Strategy strategy, SplittableRandom rnd) {
    Durability[] d = Durability.values();
    long[] memtables = {16 << 10, 32 << 10, 64 << 10};
    return new CrashOptionSet(strategy, d[rnd.nextInt(d.length)], memtables[rnd.nextInt(memtables.length)],
        1 + rnd.nextInt(3), rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean());
  }

  StrataOptions options() {
    return StrataOptions.builder()
        .memtableSizeBytes(memtableBytes)
        .maxImmutableMemtables(maxImmutableMemtables)
        .targetSstSizeBytes(32 << 10)
        .blockSizeBytes(1024)
        .blockCacheBytes(blockCache ? 1 << 20 : 0)
        .bloomBitsPerKey(bloom ? 10 : 0)
        .walEnabled(durability.walEnabled())
        .syncWrites(durability.syncWrites())
        .serializable(serializable)
        .compaction(strategy.options())
        .build();
  }

  /** The name totals are counted under: strategy and durability. */
  String label() {
    return strategy + "/" + durability;
  }

  /** One command-line argument for the child. */
  String encode() {
    return strategy + "," + durability + "," + memtableBytes + "," + maxImmutableMemtables + "," + blockCache + ","
        + bloom + "," + serializable;
  }

  static CrashOptionSet decode(String s) {
    String[] f = s.split(",");
    return new CrashOptionSet(Strategy.valueOf(f[0]), Durability.valueOf(f[1]), Long.parseLong(f[2]),
        Integer.parseInt(f[3]), Boolean.parseBoolean(f[4]), Boolean.parseBoolean(f[5]), Boolean.parseBoolean(f[6]));
  }
}
