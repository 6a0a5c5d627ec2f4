package dev.strata.cli;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The items the YCSB workloads choose from, and the keys they stand for. Items
 * {@code [0, num)} are the fill's keys; an insert (YCSB E) adds item {@code num + j} for its
 * {@code j}-th insert on this store, whose key is the missing key of a random index
 * ({@link KeyGenerator#missingKey}, through a seeded permutation): inserts land scattered between
 * the filled keys, as YCSB's hashed key order scatters its inserts, and need no wider keys.
 *
 * <p>Each workload run chooses items with a {@link ScrambledZipfian} over the items present when
 * it starts plus twice the inserts it can expect (YCSB's {@code expectednewkeys}); a draw beyond
 * the items inserted so far is drawn again, as YCSB does, so new items become reachable as they
 * are inserted.
 *
 * <p>Thread-safe: the insert counter is atomic, the chooser cache synchronized, the rest
 * immutable. One instance per store: the runner keeps it while workloads run on the same store,
 * so a second YCSB E run inserts new keys.
 */
final class YcsbKeySpace {
  private final long num;
  private final KeyGenerator keys;
  private final IndexPermutation insertOrder;
  private final AtomicLong inserted = new AtomicLong();
  /** The last chooser made: its zeta costs a pass over every item, so runs of one size share it. */
  private ScrambledZipfian lastChooser;

  YcsbKeySpace(long num, KeyGenerator keys, long seed) {
    this.num = num;
    this.keys = keys;
    this.insertOrder = new IndexPermutation(num, seed);
  }

  /**
   * The chooser for a run that may insert up to {@code expectedInserts} items: over the items
   * present now plus twice that.
   */
  synchronized ScrambledZipfian chooser(long expectedInserts) {
    long items = num + inserted.get() + 2 * expectedInserts;
    if (lastChooser == null || lastChooser.items() != items) {
      lastChooser = new ScrambledZipfian(items);
    }
    return lastChooser;
  }

  /** An item present in the store (filled or inserted so far), drawn by {@code chooser}. */
  long choose(ScrambledZipfian chooser, SplittableRandom random) {
    long limit = num + inserted.get();
    while (true) {
      long item = chooser.next(random);
      if (item < limit) {
        return item;
      }
      limit = num + inserted.get();
    }
  }

  /** The key of {@code item}. */
  byte[] key(long item) {
    if (item < num) {
      return keys.key(item);
    }
    // Past num inserts on one store (twenty YCSB E runs in a row) the slots are reused: those
    // inserts overwrite earlier ones.
    return keys.missingKey(insertOrder.apply((item - num) % num));
  }

  /** Claims the next new item for an insert. */
  long nextInsert() {
    return num + inserted.getAndIncrement();
  }

  /** Inserts claimed so far on this store. */
  long inserted() {
    return inserted.get();
  }
}
