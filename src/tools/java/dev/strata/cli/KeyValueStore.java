package dev.strata.cli;

import dev.strata.Bound;
import dev.strata.StrataIterator;
import java.nio.file.Path;

/**
 * What the CLI's commands need from a store: the synchronous calls of Strata's public API. It is
 * an interface so that {@code bench} can later compare other engines behind the same workloads,
 * and so that the CLI's own tests can run against an in-memory store. Implementations must be
 * thread-safe: benchmark threads share one store.
 */
interface KeyValueStore extends AutoCloseable {
  void put(byte[] key, byte[] value);

  /** The value, or null when the key is absent or deleted. */
  byte[] get(byte[] key);

  void delete(byte[] key);

  /** Keys in ascending unsigned byte order between the bounds; the caller closes the iterator. */
  StrataIterator scan(Bound lower, Bound upper);

  /** Writes what is in memory to disk and waits. */
  void flush();

  /**
   * Compacts the whole key space as far down as it goes and waits, as RocksDB's CompactRange over
   * everything does: the bench's {@code compact} workload, which only Strata runs (the peers run
   * db_bench's eight).
   */
  default void compact() {
    throw new UnsupportedOperationException("this store cannot compact on demand");
  }

  /** fsyncs the store has issued for its log so far (0 or -1 when it does not count them). */
  default long syncCount() {
    return 0;
  }

  /** A read view frozen at the moment it is opened; the caller closes it. */
  interface ReadView extends AutoCloseable {
    byte[] get(byte[] key);

    @Override
    void close();
  }

  /** A snapshot of the store, for the snapshot-read workload. */
  default ReadView snapshot() {
    throw new UnsupportedOperationException("this store has no snapshots");
  }

  /**
   * One read-modify-write transaction on {@code key}: reads it, puts {@code update} of what it
   * read (null when absent), commits. Returns false when the commit lost a conflict (nothing was
   * written), so the caller may retry.
   */
  default boolean readModifyWrite(byte[] key, java.util.function.UnaryOperator<byte[]> update) {
    throw new UnsupportedOperationException("this store has no transactions");
  }

  /** Waits until the store's background flushes and compactions are done (no-op when it has none). */
  default void waitForBackgroundWork() {
  }

  /** A human-readable account of the store's state and counters. */
  String statsReport();

  @Override
  void close();

  /** Opens (creating when missing) a store in a directory. */
  @FunctionalInterface
  interface Factory {
    KeyValueStore open(Path dir);
  }
}
