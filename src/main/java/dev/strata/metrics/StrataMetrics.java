package dev.strata.metrics;

import dev.strata.Strata;
import dev.strata.StrataStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds one store's figures ({@link Strata#stats()}) to a Micrometer registry:
 *
 * <pre>{@code
 * new StrataMetrics(store, "orders").bindTo(registry);   // every meter tagged store=orders
 * }</pre>
 *
 * <p>Gauges: {@code strata.memtable.size} (bytes, tag {@code memtable=mutable|immutable}),
 * {@code strata.memtable.immutable} (count), {@code strata.level.files} and
 * {@code strata.level.size} (bytes), both tagged {@code level=0..maxLevels} (L0 first; a tier per
 * index for tiered compaction), {@code strata.compaction.pending} (bytes),
 * {@code strata.compaction.running}, {@code strata.flush.running}, {@code strata.snapshots.open},
 * {@code strata.wal.live} (bytes), {@code strata.keys.estimated}, {@code strata.sst.memory} (bytes,
 * tag {@code part=index|filter}), {@code strata.error} (1 in the read-only error state, else 0),
 * {@code strata.healthy} (1 while open and writable), {@code strata.writes.slowed} and
 * {@code strata.writes.stopped} (1 or 0).
 *
 * <p>Function counters, monotonic since the store opened: {@code strata.bytes.written} (bytes, tag
 * {@code kind=user|wal|flush|compaction}; write amplification is (wal + flush + compaction) / user),
 * {@code strata.wal.syncs}, {@code strata.compactions}, {@code strata.block.cache} (tag
 * {@code result=hit|miss}), {@code strata.write.stalls} and {@code strata.write.stall.time}
 * (seconds).
 *
 * <p>Every meter reads the store when the registry asks, so a scrape sees the store as it is then.
 * The meters hold the store weakly, as Micrometer's function meters do (and this binder need not be
 * kept): once the store is closed they report the last figures they read (the counters stay
 * monotonic) and {@code strata.healthy} reads 0; once the application lets go of the store they
 * report NaN. Remove them from the registry by the store's tag if the store will not come back.
 * Thread-safe.
 */
public final class StrataMetrics implements MeterBinder {
  private final Strata store;
  private final Tags tags;
  /** The last figures read, answered once the store is closed. */
  private volatile StrataStats last;

  /** Meters tagged {@code store=<the store's directory>}. */
  public StrataMetrics(Strata store) {
    this(store, Objects.requireNonNull(store, "store must not be null").directory().toString(), Tags.empty());
  }

  /** Meters tagged {@code store=storeName}. */
  public StrataMetrics(Strata store, String storeName) {
    this(store, storeName, Tags.empty());
  }

  /** Meters tagged {@code store=storeName} and {@code extraTags}. */
  public StrataMetrics(Strata store, String storeName, Iterable<Tag> extraTags) {
    this.store = Objects.requireNonNull(store, "store must not be null");
    Objects.requireNonNull(storeName, "storeName must not be null");
    if (storeName.isEmpty()) {
      throw new IllegalArgumentException("storeName must not be empty: it tells the store's meters apart");
    }
    this.tags = Tags.of(Objects.requireNonNull(extraTags, "extraTags must not be null")).and("store", storeName);
    this.last = store.stats();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(registry, "strata.memtable.size", "bytes in the mutable memtable", BaseUnits.BYTES,
        Tags.of("memtable", "mutable"), StrataStats::memtableBytes);
    gauge(registry, "strata.memtable.size", "bytes in the frozen memtables waiting for flush", BaseUnits.BYTES,
        Tags.of("memtable", "immutable"), StrataStats::immutableMemtableBytes);
    gauge(registry, "strata.memtable.immutable", "frozen memtables waiting for flush", null, Tags.empty(),
        StrataStats::immutableMemtables);
    int levels = Math.max(store.options().compaction().maxLevels() + 1, last.levelFileCounts().length);
    for (int level = 0; level < levels; level++) {
      int l = level;
      Tags levelTag = Tags.of("level", String.valueOf(level));
      gauge(registry, "strata.level.files", "SST files in the level", BaseUnits.FILES, levelTag,
          s -> l < s.levelFileCounts().length ? s.levelFileCounts()[l] : 0);
      gauge(registry, "strata.level.size", "SST bytes in the level", BaseUnits.BYTES, levelTag,
          s -> l < s.levelBytes().length ? s.levelBytes()[l] : 0);
    }
    gauge(registry, "strata.compaction.pending", "estimated bytes compaction must still rewrite", BaseUnits.BYTES,
        Tags.empty(), StrataStats::pendingCompactionBytes);
    gauge(registry, "strata.compaction.running", "compactions running", null, Tags.empty(),
        StrataStats::runningCompactions);
    gauge(registry, "strata.flush.running", "flushes running", null, Tags.empty(), StrataStats::runningFlushes);
    gauge(registry, "strata.snapshots.open", "open snapshots and transactions", null, Tags.empty(),
        StrataStats::openSnapshots);
    gauge(registry, "strata.wal.live", "bytes of the WALs of unflushed memtables", BaseUnits.BYTES, Tags.empty(),
        StrataStats::liveWalBytes);
    gauge(registry, "strata.keys.estimated", "estimated number of keys", null, Tags.empty(),
        StrataStats::estimatedKeys);
    gauge(registry, "strata.sst.memory", "heap bytes of the open SSTs' index blocks", BaseUnits.BYTES,
        Tags.of("part", "index"), StrataStats::tableIndexBytes);
    gauge(registry, "strata.sst.memory", "heap bytes of the open SSTs' bloom filters", BaseUnits.BYTES,
        Tags.of("part", "filter"), StrataStats::tableFilterBytes);
    gauge(registry, "strata.error", "1 while the store is in its read-only error state", null, Tags.empty(),
        s -> s.inErrorState() ? 1 : 0);
    gauge(registry, "strata.writes.slowed", "1 while L0 is past the slowdown trigger", null, Tags.empty(),
        s -> s.writesSlowed() ? 1 : 0);
    gauge(registry, "strata.writes.stopped", "1 while writes wait for a flush", null, Tags.empty(),
        s -> s.writesStopped() ? 1 : 0);
    Gauge.builder("strata.healthy", store, st -> st.isHealthy() ? 1 : 0)
        .description("1 while the store is open and accepts writes").tags(tags).register(registry);

    counter(registry, "strata.bytes.written", "key and value bytes accepted from users", BaseUnits.BYTES,
        Tags.of("kind", "user"), StrataStats::userBytesWritten);
    counter(registry, "strata.bytes.written", "bytes appended to WALs", BaseUnits.BYTES, Tags.of("kind", "wal"),
        StrataStats::walBytesWritten);
    counter(registry, "strata.bytes.written", "SST bytes written by flushes", BaseUnits.BYTES,
        Tags.of("kind", "flush"), StrataStats::flushBytesWritten);
    counter(registry, "strata.bytes.written", "SST bytes written by compactions", BaseUnits.BYTES,
        Tags.of("kind", "compaction"), StrataStats::compactionBytesWritten);
    counter(registry, "strata.wal.syncs", "fsyncs of WAL files", null, Tags.empty(), StrataStats::walSyncs);
    counter(registry, "strata.compactions", "compactions installed", null, Tags.empty(), StrataStats::compactions);
    counter(registry, "strata.block.cache", "block reads the block cache served", null, Tags.of("result", "hit"),
        StrataStats::blockCacheHits);
    counter(registry, "strata.block.cache", "block reads the block cache did not serve", null,
        Tags.of("result", "miss"), StrataStats::blockCacheMisses);
    counter(registry, "strata.write.stalls", "times writes had to wait for flush or compaction", null, Tags.empty(),
        StrataStats::writeStalls);
    counter(registry, "strata.write.stall.time", "time writes spent waiting for flush or compaction", "seconds",
        Tags.empty(), s -> s.writeStallNanos() / 1e9);
  }

  private void gauge(MeterRegistry registry, String name, String description, String unit, Tags extra,
      ToDoubleFunction<StrataStats> value) {
    Gauge.builder(name, store, st -> value.applyAsDouble(read())).description(description).baseUnit(unit)
        .tags(tags.and(extra)).register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description, String unit, Tags extra,
      ToDoubleFunction<StrataStats> value) {
    FunctionCounter.builder(name, store, st -> value.applyAsDouble(read())).description(description).baseUnit(unit)
        .tags(tags.and(extra)).register(registry);
  }

  /** The store's figures now, or the last ones read once it is closed. */
  private StrataStats read() {
    if (store.isClosed()) {
      return last;
    }
    try {
      StrataStats s = store.stats();
      last = s;
      return s;
    } catch (IllegalStateException closedMeanwhile) {
      return last;
    }
  }
}
