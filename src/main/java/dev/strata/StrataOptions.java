package dev.strata;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The tuning of one store. Immutable; build with {@link #builder()}, start from
 * {@link #defaults()}, or read the {@code strata} block of a Typesafe {@link Config} with
 * {@link #fromConfig(Config)}. Every key of that block is documented in {@code reference.conf}.
 */
public final class StrataOptions {
  private final long memtableSizeBytes;
  private final long targetSstSizeBytes;
  private final int blockSizeBytes;
  private final int maxImmutableMemtables;
  private final int memtablesPerFlush;
  private final long blockCacheBytes;
  private final int bloomBitsPerKey;
  private final boolean walEnabled;
  private final boolean syncWrites;
  private final CompactionOptions compaction;
  private final boolean serializable;
  private final int maxMappedFiles;
  private final WalRecoveryMode walRecoveryMode;
  private final java.util.List<StrataListener> listeners;
  private final boolean createIfMissing;
  private final boolean errorIfExists;
  private final java.time.Duration statsLogInterval;
  private final boolean jmxEnabled;
  private final Compression compression;
  private final java.util.List<Compression> compressionPerLevel;
  private final int maxSubcompactions;
  private final boolean avoidFlushDuringRecovery;
  private final Compression walCompression;

  private StrataOptions(Builder b) {
    this.memtableSizeBytes = b.memtableSizeBytes;
    this.targetSstSizeBytes = b.targetSstSizeBytes;
    this.blockSizeBytes = b.blockSizeBytes;
    this.maxImmutableMemtables = b.maxImmutableMemtables;
    this.memtablesPerFlush = b.memtablesPerFlush;
    this.blockCacheBytes = b.blockCacheBytes;
    this.bloomBitsPerKey = b.bloomBitsPerKey;
    this.walEnabled = b.walEnabled;
    this.syncWrites = b.syncWrites;
    this.compaction = b.compaction;
    this.serializable = b.serializable;
    this.maxMappedFiles = b.maxMappedFiles;
    this.walRecoveryMode = b.walRecoveryMode;
    this.listeners = java.util.List.copyOf(b.listeners);
    this.createIfMissing = b.createIfMissing;
    this.errorIfExists = b.errorIfExists;
    this.statsLogInterval = b.statsLogInterval;
    this.jmxEnabled = b.jmxEnabled;
    this.compression = b.compression;
    this.compressionPerLevel = java.util.List.copyOf(b.compressionPerLevel);
    this.maxSubcompactions = b.maxSubcompactions;
    this.avoidFlushDuringRecovery = b.avoidFlushDuringRecovery;
    this.walCompression = b.walCompression;
  }

  /** A builder that starts from the library defaults (those of {@code reference.conf}). */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults of {@code reference.conf}. */
  public static StrataOptions defaults() {
    return fromConfig(ConfigFactory.defaultReference());
  }

  /**
   * Reads options from {@code config}: its {@code strata} block when it has one, else the config
   * itself is taken as that block. Missing keys fall back to {@code reference.conf}.
   */
  public static StrataOptions fromConfig(Config config) {
    Config block = config.hasPath("strata") ? config.getConfig("strata") : config;
    Config c = block.withFallback(ConfigFactory.defaultReference().getConfig("strata"));
    Builder b = builder()
        .memtableSizeBytes(c.getBytes("memtable-size"))
        .targetSstSizeBytes(c.getBytes("target-sst-size"))
        .blockSizeBytes(toInt("block-size", c.getBytes("block-size")))
        .maxImmutableMemtables(c.getInt("max-immutable-memtables"))
        .memtablesPerFlush(c.getInt("memtables-per-flush"))
        .blockCacheBytes(c.getBytes("block-cache-size"))
        .bloomBitsPerKey(c.getInt("bloom-bits-per-key"))
        .walEnabled(c.getBoolean("wal-enabled"))
        .syncWrites(c.getBoolean("sync-writes"))
        .serializable(c.getBoolean("serializable"))
        .maxMappedFiles(c.getInt("max-mapped-files"))
        .walRecoveryMode(walRecoveryModeFromConfig(c.getString("wal-recovery-mode")))
        .createIfMissing(c.getBoolean("create-if-missing"))
        .errorIfExists(c.getBoolean("error-if-exists"))
        .statsLogInterval(statsLogIntervalFromConfig(c))
        .jmxEnabled(c.getBoolean("jmx-enabled"))
        .compression(compressionFromConfig("compression", c.getString("compression")))
        .compressionPerLevel(compressionPerLevelFromConfig(c))
        .maxSubcompactions(maxSubcompactionsFromConfig(c))
        .avoidFlushDuringRecovery(c.getBoolean("avoid-flush-during-recovery"))
        .walCompression(compressionFromConfig("wal-compression", c.getString("wal-compression")))
        .compaction(compactionFromConfig(c.getConfig("compaction")));
    return b.build();
  }

  private static CompactionOptions compactionFromConfig(Config c) {
    String name = c.getString("strategy");
    CompactionOptions base = switch (name) {
      case "leveled" -> CompactionOptions.leveled();
      case "tiered" -> CompactionOptions.tiered();
      case "simple-leveled" -> CompactionOptions.simpleLeveled();
      case "none" -> CompactionOptions.none();
      default -> throw new IllegalArgumentException("strata.compaction.strategy must be one of leveled, tiered, "
          + "simple-leveled, none; got '" + name + "'");
    };
    CompactionOptions o = base
        .level0FileTrigger(c.getInt("level0-file-trigger"))
        .maxLevels(c.getInt("max-levels"))
        .levelSizeMultiplier(c.getInt("level-size-multiplier"))
        .baseLevelBytes(c.getBytes("base-level-size"))
        .numTiers(c.getInt("num-tiers"))
        .maxSizeAmplificationPercent(c.getInt("max-size-amplification-percent"))
        .maxMergeWidth(c.getInt("max-merge-width"))
        .minMergeWidth(c.getInt("min-merge-width"));
    // Each trigger is checked against the other's current value, so set them in the order that
    // never passes through an invalid pair.
    int slowdown = c.getInt("level0-slowdown-writes-trigger");
    int stop = c.getInt("level0-stop-writes-trigger");
    o = stop >= o.level0SlowdownWritesTrigger()
        ? o.level0StopWritesTrigger(stop).level0SlowdownWritesTrigger(slowdown)
        : o.level0SlowdownWritesTrigger(slowdown).level0StopWritesTrigger(stop);
    String ratioKey = base.strategy() == CompactionOptions.Strategy.TIERED ? "tiered-size-ratio-percent" : "size-ratio-percent";
    return o.sizeRatioPercent(c.getInt(ratioKey));
  }

  /** {@code off} (or a zero duration) disables the stats line; else a duration such as {@code 10 min}. */
  private static java.time.Duration statsLogIntervalFromConfig(Config c) {
    String key = "stats-log-interval";
    if (c.getValue(key).valueType() == com.typesafe.config.ConfigValueType.BOOLEAN && !c.getBoolean(key)) {
      return java.time.Duration.ZERO;
    }
    if (c.getString(key).equals("off")) {
      return java.time.Duration.ZERO;
    }
    try {
      return c.getDuration(key);
    } catch (com.typesafe.config.ConfigException.BadValue e) {
      throw new IllegalArgumentException("strata.stats-log-interval must be a duration (e.g. 10 minutes, 30 s) or off; got '"
          + c.getString(key) + "'", e);
    }
  }

  private static Compression compressionFromConfig(String key, String name) {
    try {
      return Compression.fromName(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("strata." + key + ": " + e.getMessage(), e);
    }
  }

  /** A list ([none, none, lz4]) or, as the OPTIONS file writes it, a comma-separated string. */
  private static java.util.List<Compression> compressionPerLevelFromConfig(Config c) {
    String key = "compression-per-level";
    java.util.List<String> names = c.getValue(key).valueType() == com.typesafe.config.ConfigValueType.LIST
        ? c.getStringList(key)
        : java.util.Arrays.stream(c.getString(key).split(",", -1)).map(String::trim).filter(n -> !n.isEmpty()).toList();
    java.util.List<Compression> out = new java.util.ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      out.add(compressionFromConfig(key + "[" + i + "]", names.get(i)));
    }
    return out;
  }

  private static int maxSubcompactionsFromConfig(Config c) {
    String must = "strata.max-subcompactions must be a whole number from 1 to " + Builder.MAX_SUBCOMPACTIONS;
    int count;
    try {
      count = c.getInt("max-subcompactions");
    } catch (com.typesafe.config.ConfigException.WrongType e) {
      throw new IllegalArgumentException(must + "; got '" + c.getValue("max-subcompactions").unwrapped() + "'", e);
    }
    if (count < 1 || count > Builder.MAX_SUBCOMPACTIONS) {
      throw new IllegalArgumentException(must + "; got " + count);
    }
    return count;
  }

  private static WalRecoveryMode walRecoveryModeFromConfig(String name) {
    return switch (name) {
      case "point-in-time" -> WalRecoveryMode.POINT_IN_TIME;
      case "absolute-consistency" -> WalRecoveryMode.ABSOLUTE_CONSISTENCY;
      case "skip-any-corrupted-records" -> WalRecoveryMode.SKIP_ANY_CORRUPTED_RECORDS;
      default -> throw new IllegalArgumentException("strata.wal-recovery-mode must be one of point-in-time, "
          + "absolute-consistency, skip-any-corrupted-records; got '" + name + "'");
    };
  }

  private static int toInt(String key, long value) {
    if (value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("strata." + key + " is too large: " + value);
    }
    return (int) value;
  }

  public long memtableSizeBytes() {
    return memtableSizeBytes;
  }

  public long targetSstSizeBytes() {
    return targetSstSizeBytes;
  }

  public int blockSizeBytes() {
    return blockSizeBytes;
  }

  public int maxImmutableMemtables() {
    return maxImmutableMemtables;
  }

  /** Frozen memtables one flush writes as one L0 SST; see {@link Builder#memtablesPerFlush(int)}. */
  public int memtablesPerFlush() {
    return memtablesPerFlush;
  }

  public long blockCacheBytes() {
    return blockCacheBytes;
  }

  public int bloomBitsPerKey() {
    return bloomBitsPerKey;
  }

  public boolean walEnabled() {
    return walEnabled;
  }

  public boolean syncWrites() {
    return syncWrites;
  }

  public CompactionOptions compaction() {
    return compaction;
  }

  public boolean serializable() {
    return serializable;
  }

  public int maxMappedFiles() {
    return maxMappedFiles;
  }

  /** What opening the store does with a damaged or cut-short WAL; see {@link WalRecoveryMode}. */
  public WalRecoveryMode walRecoveryMode() {
    return walRecoveryMode;
  }

  /** The listeners of the store's background events, in the order they were added (immutable). */
  public java.util.List<StrataListener> listeners() {
    return listeners;
  }

  /** Whether opening a directory that holds no store creates one (else it is a StrataException). */
  public boolean createIfMissing() {
    return createIfMissing;
  }

  /** Whether opening a directory that already holds a store is a StrataException. */
  public boolean errorIfExists() {
    return errorIfExists;
  }

  /**
   * How often the store logs its one-line stats summary at INFO (memtables, level files and sizes,
   * bytes written, compactions, write stalls); {@link java.time.Duration#ZERO}: never.
   */
  public java.time.Duration statsLogInterval() {
    return statsLogInterval;
  }

  /** Whether the store registers its {@link StrataMXBean} with the platform MBean server while open. */
  public boolean jmxEnabled() {
    return jmxEnabled;
  }

  /**
   * How SST data blocks are compressed at the levels {@link #compressionPerLevel()} does not name.
   */
  public Compression compression() {
    return compression;
  }

  /** Compression by level: entry i for level i (0 is L0); levels past its end use {@link #compression()}. Immutable. */
  public java.util.List<Compression> compressionPerLevel() {
    return compressionPerLevel;
  }

  /**
   * How the SSTs written at {@code level} compress their data blocks: a flush writes level 0's
   * setting, a compaction its output level's (with tiered compaction, the index of the output run's
   * tier, as in {@link StrataStats#levelFileCounts()}).
   */
  public Compression compressionForLevel(int level) {
    if (level < 0) {
      throw new IllegalArgumentException("level must not be negative, got " + level);
    }
    return level < compressionPerLevel.size() ? compressionPerLevel.get(level) : compression;
  }

  /**
   * Key ranges one compaction may merge at once on threads of its own (RocksDB's
   * {@code max_subcompactions}); 1: every compaction runs on one thread. See
   * {@link Builder#maxSubcompactions(int)}.
   */
  public int maxSubcompactions() {
    return maxSubcompactions;
  }

  /**
   * Whether opening the store keeps the newest WAL, replayed cleanly to its end, live as the WAL of
   * its first memtable instead of flushing it to an L0 SST (RocksDB's {@code
   * avoid_flush_during_recovery}). See {@link Builder#avoidFlushDuringRecovery(boolean)}.
   */
  public boolean avoidFlushDuringRecovery() {
    return avoidFlushDuringRecovery;
  }

  /** How WAL records are compressed; see {@link Builder#walCompression(Compression)}. */
  public Compression walCompression() {
    return walCompression;
  }

  /** A builder that starts from these options. */
  public Builder toBuilder() {
    return builder().memtableSizeBytes(memtableSizeBytes).targetSstSizeBytes(targetSstSizeBytes)
        .blockSizeBytes(blockSizeBytes).maxImmutableMemtables(maxImmutableMemtables)
        .memtablesPerFlush(memtablesPerFlush)
        .blockCacheBytes(blockCacheBytes).bloomBitsPerKey(bloomBitsPerKey).walEnabled(walEnabled)
        .syncWrites(syncWrites).compaction(compaction).serializable(serializable)
        .maxMappedFiles(maxMappedFiles)
        .walRecoveryMode(walRecoveryMode)
        .createIfMissing(createIfMissing).errorIfExists(errorIfExists)
        .statsLogInterval(statsLogInterval)
        .jmxEnabled(jmxEnabled)
        .compression(compression).compressionPerLevel(compressionPerLevel)
        .maxSubcompactions(maxSubcompactions)
        .avoidFlushDuringRecovery(avoidFlushDuringRecovery)
        .walCompression(walCompression)
        .listeners(listeners);
  }

  @Override
  public String toString() {
    return "StrataOptions(memtable=" + memtableSizeBytes + "B, targetSst=" + targetSstSizeBytes + "B, block="
        + blockSizeBytes + "B, maxImmutable=" + maxImmutableMemtables + ", memtablesPerFlush=" + memtablesPerFlush
        + ", blockCache=" + blockCacheBytes
        + "B, bloomBitsPerKey=" + bloomBitsPerKey + ", wal=" + walEnabled + ", sync=" + syncWrites
        + ", compaction=" + compaction + ", serializable=" + serializable + ", maxMappedFiles=" + maxMappedFiles
        + ", walRecovery=" + walRecoveryMode + ", createIfMissing=" + createIfMissing
        + ", errorIfExists=" + errorIfExists + ", statsLogInterval=" + statsLogInterval + ", jmx=" + jmxEnabled
        + ", compression=" + compression.configName() + ", compressionPerLevel=" + compressionPerLevel
        + ", maxSubcompactions=" + maxSubcompactions + ", avoidFlushDuringRecovery=" + avoidFlushDuringRecovery
        + ", walCompression=" + walCompression.configName() + ")";
  }

  /** Builds {@link StrataOptions}; starts from the library defaults. Not thread-safe. */
  public static final class Builder {
    private long memtableSizeBytes = 16L << 20;
    private long targetSstSizeBytes = 64L << 20;
    private int blockSizeBytes = 4096;
    private int maxImmutableMemtables = 4;
    private int memtablesPerFlush = 2;
    private long blockCacheBytes = 32L << 20; // reference.conf says why
    private int bloomBitsPerKey = 10;
    private boolean walEnabled = true;
    private boolean syncWrites;
    private CompactionOptions compaction = CompactionOptions.leveled();
    private boolean serializable;
    private int maxMappedFiles = 4096;
    private WalRecoveryMode walRecoveryMode = WalRecoveryMode.POINT_IN_TIME;
    private final java.util.List<StrataListener> listeners = new java.util.ArrayList<>();
    private boolean createIfMissing = true;
    private boolean errorIfExists;
    private java.time.Duration statsLogInterval = java.time.Duration.ofMinutes(10);
    private boolean jmxEnabled = true;
    private Compression compression = Compression.NONE; // reference.conf says why
    private java.util.List<Compression> compressionPerLevel = java.util.List.of(Compression.NONE, Compression.NONE);
    private int maxSubcompactions = 1; // reference.conf says why
    private boolean avoidFlushDuringRecovery = true;
    private Compression walCompression = Compression.NONE;

    /** The most key ranges one compaction is split into: more would only queue on the pool's threads. */
    static final int MAX_SUBCOMPACTIONS = 64;

    private Builder() {}

    /**
     * Key ranges one large compaction may merge at once (RocksDB's {@code max_subcompactions}),
     * 1 to 64; default 1, every compaction on one thread. A compaction that reads L0, a full one
     * ({@code compact()}) or one of at least four target SST sizes is split into up to this many
     * ranges of about equal input bytes, each merged on a thread of {@code strata.blocking-dispatcher}
     * into outputs of its own, and all outputs are installed together as one compaction. The
     * threads come out of the dispatcher's compaction share (its {@code fixed-pool-size} less the
     * one kept for flushes, less those other running compactions hold), so with the default pool of
     * 2 threads compactions stay on one thread: raise {@code fixed-pool-size} to
     * {@code maxSubcompactions + 1} to give them more.
     */
    public Builder maxSubcompactions(int count) {
      if (count < 1 || count > MAX_SUBCOMPACTIONS) {
        throw new IllegalArgumentException("maxSubcompactions must be between 1 and " + MAX_SUBCOMPACTIONS
            + ", got " + count);
      }
      this.maxSubcompactions = count;
      return this;
    }

    /**
     * true (the default): opening a store whose newest WAL replays cleanly to its end (no torn or
     * damaged tail, a memtable below {@code memtableSizeBytes}) keeps that WAL live and its memtable
     * as the mutable one, and appends to it from where it ends, as RocksDB's {@code
     * avoid_flush_during_recovery} and LevelDB's {@code reuse_logs} do: the open writes no SST, and
     * starts no L0 compaction that the new L0 file would have triggered. What it costs: the WAL
     * stays on disk until that memtable fills and is flushed, so the next open replays it again.
     * false: every replayed WAL is flushed to an L0 SST during the open. Older WALs (several were
     * live after a crash during a flush) and a WAL replayed with any loss are flushed either way.
     */
    public Builder avoidFlushDuringRecovery(boolean avoid) {
      this.avoidFlushDuringRecovery = avoid;
      return this;
    }

    /**
     * How SST data blocks are compressed at every level that {@link #compressionPerLevel} does not
     * name (default {@link Compression#NONE}: off). {@code compression(Compression.LZ4)} compresses
     * the levels below those the per-level list names. Files written under other settings stay readable.
     */
    public Builder compression(Compression compression) {
      this.compression = java.util.Objects.requireNonNull(compression, "compression must not be null");
      return this;
    }

    /**
     * How each WAL record is compressed (default {@link Compression#NONE}; RocksDB's {@code
     * wal_compression}). With {@link Compression#LZ4} a record whose operations come to 32 bytes
     * to 1 MiB is written LZ4-compressed when that saves at least an eighth of them, else as it is. It
     * costs CPU on every write (about 0.2 us for a 100-byte value) and saves bytes written: the WAL
     * is about as many bytes as the data written, so on values that compress by half it is a third
     * less. Records are compressed one by one, since each must reach the operating system whole
     * when its write returns; a log holds both forms, so the setting may change between opens.
     * Builds without this option read a compressed record as corruption: before opening a store
     * with one, open it with {@code NONE} and {@code avoidFlushDuringRecovery(false)} once.
     */
    public Builder walCompression(Compression compression) {
      this.walCompression = java.util.Objects.requireNonNull(compression, "walCompression must not be null");
      return this;
    }

    /**
     * Compression by level: entry i applies to the SSTs written at level i (L0 by flushes, the
     * others by compactions), levels past the list's end use {@link #compression(Compression)}.
     * Default {@code [NONE, NONE]}: L0 and L1 are rewritten soon, so compressing them costs more
     * than it saves. An empty list applies {@code compression} everywhere.
     */
    public Builder compressionPerLevel(java.util.List<Compression> perLevel) {
      java.util.Objects.requireNonNull(perLevel, "compressionPerLevel must not be null");
      for (int i = 0; i < perLevel.size(); i++) {
        if (perLevel.get(i) == null) {
          throw new IllegalArgumentException("compressionPerLevel[" + i + "] must not be null");
        }
      }
      this.compressionPerLevel = java.util.List.copyOf(perLevel);
      return this;
    }

    /**
     * Adds a listener of the store's flushes, compactions, write stalls, file creations and deletions,
     * and errors (see {@link StrataListener}); may be called several times,
     * and every listener hears every event, in the order they were added. Listeners run off the
     * writer's thread, on {@code strata.callback-dispatcher} (see {@link StrataListener}).
     */
    public Builder listener(StrataListener listener) {
      listeners.add(java.util.Objects.requireNonNull(listener, "listener must not be null"));
      return this;
    }

    private Builder listeners(java.util.List<StrataListener> all) {
      listeners.addAll(all);
      return this;
    }

    /** A memtable is frozen when it reaches this many bytes (at least 4 KiB). */
    public Builder memtableSizeBytes(long bytes) {
      if (bytes < 4096) {
        throw new IllegalArgumentException("memtableSizeBytes must be at least 4096, got " + bytes);
      }
      this.memtableSizeBytes = bytes;
      return this;
    }

    /** SSTs written by flush and compaction aim at this size (at least 4 KiB). */
    public Builder targetSstSizeBytes(long bytes) {
      if (bytes < 4096) {
        throw new IllegalArgumentException("targetSstSizeBytes must be at least 4096, got " + bytes);
      }
      this.targetSstSizeBytes = bytes;
      return this;
    }

    /** Data block size inside an SST, 256 bytes to 4 MiB. */
    public Builder blockSizeBytes(int bytes) {
      if (bytes < 256 || bytes > (4 << 20)) {
        throw new IllegalArgumentException("blockSizeBytes must be between 256 and 4194304, got " + bytes);
      }
      this.blockSizeBytes = bytes;
      return this;
    }

    /** Frozen memtables allowed to wait for flush before writes wait (at least 1). */
    public Builder maxImmutableMemtables(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("maxImmutableMemtables must be at least 1, got " + count);
      }
      this.maxImmutableMemtables = count;
      return this;
    }

    /**
     * Frozen memtables a flush waits for and writes together as one L0 SST (at least 1; default
     * 2), like RocksDB's {@code min_write_buffer_number_to_merge}. Small memtables make each put
     * cheaper (a shorter skip list, more of it in the caches) but, flushed one a file, make small
     * L0 files and more compaction; flushed several at a time they make L0 files of their sum
     * (with the defaults, two 16 MiB memtables a 32 MiB file). Reads check every frozen memtable
     * and scans merge them all, so more of them cost reads. A flush never waits for more than
     * {@code maxImmutableMemtables - 1} (writes would wait for a flush not yet started), and one
     * asked for ({@code flush()}, a close, {@code waitForCompactions()}) writes the frozen
     * memtables there are. Keep {@code maxImmutableMemtables} at about twice this, so that writes
     * go on while a flush runs.
     */
    public Builder memtablesPerFlush(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("memtablesPerFlush must be at least 1, got " + count);
      }
      this.memtablesPerFlush = count;
      return this;
    }

    /**
     * Bytes of decompressed blocks the block cache holds (default 32 MiB; only blocks stored
     * compressed are cached); 0 disables it.
     */
    public Builder blockCacheBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("blockCacheBytes must not be negative, got " + bytes);
      }
      this.blockCacheBytes = bytes;
      return this;
    }

    /** Bloom filter bits per key, 0 (no filters) to 32. */
    public Builder bloomBitsPerKey(int bits) {
      if (bits < 0 || bits > 32) {
        throw new IllegalArgumentException("bloomBitsPerKey must be between 0 and 32, got " + bits);
      }
      this.bloomBitsPerKey = bits;
      return this;
    }

    /** false: acknowledged writes live only in memory until flush. */
    public Builder walEnabled(boolean enabled) {
      this.walEnabled = enabled;
      return this;
    }

    /** true: a write is acknowledged only after fsync of the WAL. */
    public Builder syncWrites(boolean sync) {
      this.syncWrites = sync;
      return this;
    }

    /**
     * The compaction strategy and its knobs: {@link CompactionOptions#leveled()} (the default),
     * {@code tiered()}, {@code simpleLeveled()} or {@code none()}.
     */
    public Builder compaction(CompactionOptions options) {
      this.compaction = java.util.Objects.requireNonNull(options, "compaction options must not be null");
      return this;
    }

    /** true: transactions validate their reads at commit. */
    public Builder serializable(boolean serializable) {
      this.serializable = serializable;
      return this;
    }

    /** What opening the store does with a damaged or cut-short WAL (default POINT_IN_TIME). */
    public Builder walRecoveryMode(WalRecoveryMode mode) {
      this.walRecoveryMode = java.util.Objects.requireNonNull(mode, "walRecoveryMode must not be null");
      return this;
    }

    /**
     * true (the default): opening a directory that holds no store (no CURRENT file) creates one
     * there. false: that open is a {@link StrataException}, and nothing is created.
     */
    public Builder createIfMissing(boolean create) {
      this.createIfMissing = create;
      return this;
    }

    /**
     * true: opening a directory that already holds a store (a CURRENT file) is a
     * {@link StrataException}, and the store is left untouched. false (the default): it is reopened.
     */
    public Builder errorIfExists(boolean error) {
      this.errorIfExists = error;
      return this;
    }

    /**
     * How often the store logs a one-line summary of itself at INFO (memtables, L0 files, level
     * sizes, bytes written by users, WAL, flushes and compactions, write stalls); default 10
     * minutes, {@link java.time.Duration#ZERO} turns it off. The writer's own timer runs it: no
     * thread of its own.
     */
    public Builder statsLogInterval(java.time.Duration interval) {
      java.util.Objects.requireNonNull(interval, "statsLogInterval must not be null");
      if (interval.isNegative()) {
        throw new IllegalArgumentException("statsLogInterval must not be negative, got " + interval);
      }
      this.statsLogInterval = interval;
      return this;
    }

    /**
     * true (the default): while open, the store registers a {@link StrataMXBean} with the platform
     * MBean server as {@code dev.strata:type=Store,name="<directory>"}; false: it registers none.
     */
    public Builder jmxEnabled(boolean enabled) {
      this.jmxEnabled = enabled;
      return this;
    }

    /**
     * SSTs memory-mapped at once, at least 1. Past it, the least recently read file is unmapped
     * and mapped again when next read. Keep the sum over a process's stores well under Linux's
     * {@code vm.max_map_count} (65530 by default), which every mapping of the process counts against.
     */
    public Builder maxMappedFiles(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("maxMappedFiles must be at least 1, got " + count);
      }
      this.maxMappedFiles = count;
      return this;
    }

    /** The options; {@link IllegalArgumentException} when {@code syncWrites(true)} meets {@code walEnabled(false)}. */
    public StrataOptions build() {
      if (syncWrites && !walEnabled) {
        throw new IllegalArgumentException("syncWrites(true) needs walEnabled(true): there is no log to sync");
      }
      return new StrataOptions(this);
    }
  }
}
