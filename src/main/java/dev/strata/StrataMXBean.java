package dev.strata;

/**
 * A store's management interface: while a store is open (and {@link StrataOptions#jmxEnabled()},
 * the default), it is registered with the platform MBean server as
 * {@code dev.strata:type=Store,name="<the store's absolute directory>"} (the directory quoted as
 * {@link javax.management.ObjectName#quote} does), and unregistered when the store closes. Every
 * attribute reads {@link Strata#stats()} at the moment it is read; the units are in the names
 * (Bytes, Nanos, Count). Read-only but for {@link #flush()}. JConsole, VisualVM and the JMX
 * exporters of Prometheus and Datadog read it as it is.
 *
 * <p>Thread-safe: every method may be called from any thread, and fails with
 * {@link IllegalStateException} once the store is closed.
 */
public interface StrataMXBean {
  /** The store's directory. */
  String getDirectory();

  /** True while the store is open and accepts writes (see {@link Strata#isHealthy()}). */
  boolean isHealthy();

  /** {@link StrataStats#backgroundError()}: why the store is read-only, or empty. */
  String getBackgroundError();

  /** {@link StrataStats#backgroundErrorRecoverable()}. */
  boolean isBackgroundErrorRecoverable();

  long getMemtableBytes();

  int getImmutableMemtableCount();

  long getImmutableMemtableBytes();

  /** SST files per level, index 0 is L0. */
  int[] getLevelFileCounts();

  /** SST bytes per level, index 0 is L0. */
  long[] getLevelBytes();

  long getTotalSstBytes();

  long getUserBytesWritten();

  long getFlushBytesWritten();

  long getCompactionBytesWritten();

  long getWalBytesWritten();

  /** (WAL + flush + compaction bytes) / user bytes. */
  double getWriteAmplification();

  long getWalSyncCount();

  long getBlockCacheHitCount();

  long getBlockCacheMissCount();

  long getLastSequence();

  long getWriteStallNanos();

  long getLongestWriteStallNanos();

  long getWriteStallCount();

  boolean isWritesSlowed();

  boolean isWritesStopped();

  long getCompactionCount();

  long getTableIndexBytes();

  long getTableFilterBytes();

  long getPendingCompactionBytes();

  int getRunningCompactionCount();

  int getRunningFlushCount();

  int getOpenSnapshotCount();

  /** The sequence the oldest open snapshot or transaction reads at, -1 when none is open. */
  long getOldestSnapshotSequence();

  long getLiveWalBytes();

  long getEstimatedKeyCount();

  /** {@link Strata#flush()}: writes every memtable to L0 and returns when done. */
  void flush();
}
