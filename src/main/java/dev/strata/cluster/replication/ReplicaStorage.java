package dev.strata.cluster.replication;

import java.util.List;

/**
 * The durable state of one replica: its promise, its log, and the data its applied entries wrote.
 * Every mutating method is durable when it returns (with the store's sync setting; a promise
 * always synced), and survives a crash whole or not at all. Not thread-safe: one {@link Replica}
 * drives it from one thread at a time.
 *
 * <p>The log holds entries {@code firstIndex()..lastIndex()} (none when {@code firstIndex() ==
 * lastIndex() + 1}); the entries before were applied and then truncated, and the epoch of the last
 * of them stays known ({@link #epochAt}{@code (firstIndex() - 1)}).
 */
public interface ReplicaStorage {
  /** The highest epoch this replica promised (0: none). */
  long promisedEpoch();

  /** The replica that epoch was promised to (null when none). */
  String promisedTo();

  /** Durably (synced) records a promise of {@code epoch} to replica {@code to}. */
  void promise(long epoch, String to);

  long firstIndex();

  long lastIndex();

  /** The epoch of the entry at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}; 0 for index 0. */
  long epochAt(long index);

  /** The entry at {@code index}, for {@code firstIndex() <= index <= lastIndex()}. */
  LogEntry entry(long index);

  /** Up to {@code max} entries from {@code from} through {@code to} (inclusive), in order. */
  List<LogEntry> entries(long from, long to, int max);

  /** Appends entries that continue the log: the first has index {@code lastIndex() + 1}, the rest follow. */
  void append(List<LogEntry> entries);

  /** Removes the entries from {@code fromIndex} on; never an applied one. */
  void truncateSuffix(long fromIndex);

  /** Removes the entries through {@code throughIndex}, all applied, remembering the epoch of the last. */
  void truncatePrefix(long throughIndex);

  /** The index of the last applied entry. */
  long appliedIndex();

  /** The commit index known when the last entry was applied (at least {@link #appliedIndex()}). */
  long commitIndex();

  /** The replica set as of the applied entries (empty before the first configuration is applied). */
  List<String> appliedConfig();

  /**
   * Applies entry {@code appliedIndex() + 1}: its writes, a configuration it carries, and the new
   * applied index (with {@code commitIndex}), all in one atomic write, so that a crash never
   * applies an entry twice or skips one.
   */
  void apply(LogEntry entry, long commitIndex);
}
