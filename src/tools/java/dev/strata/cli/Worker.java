package dev.strata.cli;

import dev.strata.Bound;
import dev.strata.StrataIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * One benchmark thread's share of a workload: the store operations the workloads are written
 * in, with their accounting (operations, keys found, bytes, latencies). Confined to its thread;
 * only the progress counter is shared, and it is updated every {@value #PROGRESS_BATCH}
 * operations to keep it off the measured path.
 */
final class Worker {
  private static final int PROGRESS_BATCH = 1024;

  private final KeyValueStore store;
  private final KeyGenerator keys;
  private final ValueGenerator values;
  private final IndexPermutation permutation;
  private final SplittableRandom random;
  private final long num;
  private final int seekNexts;
  private final LongAdder progress;
  private final LatencyHistogram latencies = new LatencyHistogram();
  private long ops;
  private long found;
  private long bytes;
  private long conflicts;
  private long writtenBytes;
  private long reads;
  private long updates;
  private long inserts;
  private long scans;
  private long scanEntries;
  private long readModifyWrites;
  private int unreported;
  /** Set for the syncfloor workload only. */
  private SyncFloor syncFloor;
  /** Set for the YCSB workloads only. */
  private YcsbKeySpace ycsb;
  private ScrambledZipfian chooser;

  Worker(KeyValueStore store, BenchConfig config, KeyGenerator keys, ValueGenerator values,
      IndexPermutation permutation, long randomSeed, LongAdder progress) {
    this.store = store;
    this.keys = keys;
    this.values = values;
    this.permutation = permutation;
    this.random = new SplittableRandom(randomSeed);
    this.num = config.num();
    this.seekNexts = config.seekNexts();
    this.progress = progress;
  }

  KeyValueStore store() {
    return store;
  }

  KeyGenerator keys() {
    return keys;
  }

  ValueGenerator values() {
    return values;
  }

  IndexPermutation permutation() {
    return permutation;
  }

  long num() {
    return num;
  }

  /** A uniformly random index of the key space. */
  long randomIndex() {
    return random.nextLong(num);
  }

  void put(byte[] key, byte[] value) {
    store.put(key, value);
    bytes += key.length + value.length;
    writtenBytes += key.length + value.length;
  }

  /** The syncfloor workload's operation: key and value made durable by the runner's {@link SyncFloor}. */
  void commitToSyncFloor(byte[] key, byte[] value) {
    if (syncFloor == null) {
      throw new IllegalStateException("this worker was given no sync floor");
    }
    try {
      syncFloor.commit(key, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bytes += key.length + value.length;
    writtenBytes += key.length + value.length;
  }

  /** The compact workload's operation. */
  void compact() {
    store.compact();
  }

  /** Gives the worker the sync floor the syncfloor workload commits to. */
  void useSyncFloor(SyncFloor floor) {
    this.syncFloor = floor;
  }

  void get(byte[] key) {
    reads++;
    lookUp(key);
  }

  /** A get, accounted as bytes and a key found but not as a read of its own. */
  private void lookUp(byte[] key) {
    byte[] value = store.get(key);
    bytes += key.length;
    if (value != null) {
      found++;
      bytes += value.length;
    }
  }

  void delete(byte[] key) {
    store.delete(key);
    bytes += key.length;
    writtenBytes += key.length;
  }

  /** Gives the worker the key space the YCSB workloads choose from, and this run's chooser. */
  void useYcsb(YcsbKeySpace keySpace, ScrambledZipfian runChooser) {
    this.ycsb = keySpace;
    this.chooser = runChooser;
  }

  private YcsbKeySpace ycsb() {
    if (ycsb == null) {
      throw new IllegalStateException("this worker was given no YCSB key space");
    }
    return ycsb;
  }

  /** YCSB's read: a get of a zipfian-chosen item. */
  void ycsbRead() {
    get(ycsb().key(ycsb().choose(chooser, random)));
  }

  /** YCSB's update: a new value for a zipfian-chosen item. */
  void ycsbUpdate(long salt) {
    long item = ycsb().choose(chooser, random);
    put(ycsb.key(item), values.value(item, salt));
    updates++;
  }

  /** YCSB's insert: a key new to the store. */
  void ycsbInsert(long salt) {
    long item = ycsb().nextInsert();
    put(ycsb.key(item), values.value(item, salt));
    inserts++;
  }

  /** YCSB's scan: up to {@code length} entries from a zipfian-chosen item's key on. */
  void ycsbScan(int length) {
    byte[] start = ycsb().key(ycsb.choose(chooser, random));
    scans++;
    try (StrataIterator it = store.scan(Bound.included(start), Bound.unbounded())) {
      for (int n = 0; n < length && it.isValid(); n++, it.next()) {
        scanEntries++;
        bytes += it.key().length + it.value().length;
      }
    }
  }

  /** YCSB's read-modify-write: a get of a zipfian-chosen item, then a put of a new value for it. */
  void ycsbReadModifyWrite(long salt) {
    long item = ycsb().choose(chooser, random);
    byte[] key = ycsb.key(item);
    lookUp(key);
    put(key, values.value(item, salt));
    readModifyWrites++;
  }

  /** A uniform int in {@code [from, to]}. */
  int uniform(int from, int to) {
    return random.nextInt(from, to + 1);
  }

  /** A uniform double in {@code [0, 1)}: a mixed workload's choice of operation. */
  double nextFraction() {
    return random.nextDouble();
  }

  /** A get through {@code view} (a snapshot). */
  void get(KeyValueStore.ReadView view, byte[] key) {
    reads++;
    byte[] value = view.get(key);
    bytes += key.length;
    if (value != null) {
      found++;
      bytes += value.length;
    }
  }

  /**
   * A read-modify-write transaction on {@code key} that puts {@code value}, retried until it
   * commits; each lost conflict is counted.
   */
  void readModifyWrite(byte[] key, byte[] value) {
    while (!store.readModifyWrite(key, old -> {
      if (old != null) {
        found++;
      }
      return value;
    })) {
      conflicts++;
    }
    bytes += key.length + value.length;
    writtenBytes += key.length + value.length;
  }

  /** Accounts for one entry a scan yielded. */
  void read(byte[] key, byte[] value) {
    found++;
    bytes += key.length + value.length;
  }

  /** Scans from {@code key} on, reading the first entry and the one after each of seekNexts next() calls. */
  void seek(byte[] key) {
    try (StrataIterator it = store.scan(Bound.included(key), Bound.unbounded())) {
      if (!it.isValid()) {
        return;
      }
      found++;
      bytes += it.key().length + it.value().length;
      for (int n = 0; n < seekNexts && it.isValid(); n++) {
        it.next();
        if (it.isValid()) {
          bytes += it.key().length + it.value().length;
        }
      }
    }
  }

  /** Ends one operation that began at {@code startNanos}. */
  void finishOp(long startNanos) {
    latencies.record(System.nanoTime() - startNanos);
    finishUntimedOp();
  }

  /** Ends one operation that was not timed (a sampled workload times only some). */
  void finishUntimedOp() {
    ops++;
    if (++unreported == PROGRESS_BATCH) {
      progress.add(unreported);
      unreported = 0;
    }
  }

  /** Reports the operations not yet counted in the progress; call once the range is done. */
  void finish() {
    progress.add(unreported);
    unreported = 0;
  }

  long ops() {
    return ops;
  }

  long found() {
    return found;
  }

  long bytes() {
    return bytes;
  }

  long conflicts() {
    return conflicts;
  }

  /** Key and value bytes of puts, key bytes of deletes: what the worker asked the store to write. */
  long writtenBytes() {
    return writtenBytes;
  }

  OpCounts counts() {
    return new OpCounts(reads, updates, inserts, scans, scanEntries, readModifyWrites);
  }

  LatencyHistogram latencies() {
    return latencies;
  }
}
