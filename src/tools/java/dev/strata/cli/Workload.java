package dev.strata.cli;

import dev.strata.Bound;
import dev.strata.StrataIterator;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The benchmark's workloads, in their default order, each as db_bench defines it. A workload
 * gives one operation per index ({@link #op}); the runner splits the indexes {@code [0, num)}
 * among threads and times each operation. A workload that is not a loop of independent
 * operations (readseq) overrides {@link #runRange} instead. To add a workload, add a constant
 * here: the runner, the option parser and the usage text pick it up by name.
 */
enum Workload {
  /** Puts every key once, in ascending order, into a fresh store. */
  FILLSEQ("fillseq", Role.FILL, "put N keys in ascending order (fresh store)") {
    @Override
    void op(Worker w, long i) {
      w.put(w.keys().key(i), w.values().value(i, FILL_SALT));
    }
  },
  /** Puts every key once, in random order, into a fresh store. */
  FILLRANDOM("fillrandom", Role.FILL, "put N keys in random order, each once (fresh store)") {
    @Override
    void op(Worker w, long i) {
      long k = w.permutation().apply(i);
      w.put(w.keys().key(k), w.values().value(k, FILL_SALT));
    }
  },
  /**
   * Puts every key once, in random order, into a fresh store opened with syncWrites: each put is
   * acknowledged only after an fsync, so throughput shows how well synced writes from many
   * threads share fsyncs (group commit). Not in the default run: at one thread it is as slow as
   * the disk's fsync.
   */
  FILLSYNC("fillsync", Role.FILL, "like fillrandom, with syncWrites (fresh store); reports fsyncs/s") {
    @Override
    void op(Worker w, long i) {
      FILLRANDOM.op(w, i);
    }

    @Override
    boolean synced() {
      return true;
    }
  },
  /**
   * fillsync's records made durable by the least any group commit does, with no store: each
   * thread hands its record to one appender thread, which writes every waiting record with one
   * write and one fdatasync and then wakes their threads ({@link SyncFloor}). The machine's
   * ceiling for fillsync at the same thread count, for callers that sleep while they wait. Leaves
   * the store as it was.
   */
  SYNCFLOOR("syncfloor", Role.WRITE, "fillsync's records synced in groups by one thread, no store: the ceiling") {
    @Override
    void op(Worker w, long i) {
      long k = w.permutation().apply(i);
      w.commitToSyncFloor(w.keys().key(k), w.values().value(k, FILL_SALT));
    }

    @Override
    boolean synced() {
      return true;
    }

    @Override
    boolean usesSyncFloor() {
      return true;
    }
  },
  /**
   * One full compaction of the store, waited for (db_bench's compact): the thread that holds
   * index 0 runs it, the others have nothing to do. Reported as one operation. Between a fill and
   * reads it leaves a settled tree, with no compaction left for the reads to share the machine with.
   */
  COMPACT("compact", Role.WRITE, "compact the whole store as far down as it goes, and wait (one operation)") {
    @Override
    void op(Worker w, long i) {
      w.compact();
    }

    @Override
    void runRange(Worker w, long from, long to) {
      if (from == 0 && to > 0) {
        long start = System.nanoTime();
        op(w, 0);
        w.finishOp(start);
      }
    }
  },
  /** Puts N random keys of the key space, with new values. */
  OVERWRITE("overwrite", Role.WRITE, "put N random keys over existing ones, with new values") {
    @Override
    void op(Worker w, long i) {
      long k = w.randomIndex();
      w.put(w.keys().key(k), w.values().value(k, OVERWRITE_SALT));
    }
  },
  /** Gets N random keys of the key space. */
  READRANDOM("readrandom", Role.READ, "get N random keys (every one is present after a fill)") {
    @Override
    void op(Worker w, long i) {
      w.get(w.keys().key(w.randomIndex()));
    }

    @Override
    String warning(long ops, long found, boolean allKeysPresent) {
      return allKeysPresent && found != ops
          ? "WARNING: readrandom found " + found + " of " + ops + " keys, but every key was present" : null;
    }
  },
  /**
   * Gets N random keys through a snapshot each thread opens at the start of its share: the cost of
   * a read at a fixed sequence, to set against readrandom.
   */
  READSNAPSHOT("readsnapshot", Role.READ, "get N random keys through a snapshot (one per thread)") {
    @Override
    void op(Worker w, long i) {
      throw new UnsupportedOperationException("readsnapshot runs whole ranges");
    }

    @Override
    void runRange(Worker w, long from, long to) {
      try (KeyValueStore.ReadView snap = w.store().snapshot()) {
        for (long i = from; i < to; i++) {
          long start = System.nanoTime();
          w.get(snap, w.keys().key(w.randomIndex()));
          w.finishOp(start);
        }
      }
    }

    @Override
    String warning(long ops, long found, boolean allKeysPresent) {
      return READRANDOM.warning(ops, found, allKeysPresent);
    }
  },
  /** Gets N random keys that no workload ever writes. */
  READMISSING("readmissing", Role.READ, "get N random keys that are never present") {
    @Override
    void op(Worker w, long i) {
      w.get(w.keys().missingKey(w.randomIndex()));
    }

    @Override
    String warning(long ops, long found, boolean allKeysPresent) {
      return found != 0 ? "WARNING: readmissing found " + found + " keys that were never written" : null;
    }
  },
  /** Reads the whole store in key order: one scan per thread over its share of the key space. */
  READSEQ("readseq", Role.READ, "scan the store in order, reading every entry") {
    @Override
    void op(Worker w, long i) {
      throw new UnsupportedOperationException("readseq runs whole ranges");
    }

    @Override
    void runRange(Worker w, long from, long to) {
      Bound lower = from == 0 ? Bound.unbounded() : Bound.included(w.keys().key(from));
      Bound upper = to == w.num() ? Bound.unbounded() : Bound.excluded(w.keys().key(to));
      // Only every READSEQ_TIMING_STRIDE-th entry is timed: a step costs about as much as the two
      // clock reads that would time it, and db_bench times none unless asked for a histogram.
      long n = 0;
      try (StrataIterator it = w.store().scan(lower, upper)) {
        while (it.isValid()) {
          if ((n++ & (READSEQ_TIMING_STRIDE - 1)) == 0) {
            long start = System.nanoTime();
            w.read(it.key(), it.value());
            it.next();
            w.finishOp(start);
          } else {
            w.read(it.key(), it.value());
            it.next();
            w.finishUntimedOp();
          }
        }
      }
    }
  },
  /** Seeks to N random keys, reading --seek-nexts entries after each. */
  SEEKRANDOM("seekrandom", Role.READ, "N scans from a random key, each with --seek-nexts next() calls") {
    @Override
    void op(Worker w, long i) {
      w.seek(w.keys().key(w.randomIndex()));
    }
  },
  /**
   * N read-modify-write transactions, each on one random key: begin, get, put a new value,
   * commit; a commit that loses a conflict is retried and counted. Compare with overwrite.
   */
  TXNRMW("txnrmw", Role.WRITE, "N one-key read-modify-write transactions (retried on conflict); reports conflicts") {
    @Override
    void op(Worker w, long i) {
      long k = w.randomIndex();
      w.readModifyWrite(w.keys().key(k), w.values().value(k, TXN_SALT));
    }

    @Override
    boolean transactional() {
      return true;
    }
  },
  /** Deletes N random keys of the key space. */
  DELETERANDOM("deleterandom", Role.DELETE, "delete N random keys") {
    @Override
    void op(Worker w, long i) {
      w.delete(w.keys().key(w.randomIndex()));
    }
  };

  /** What a workload does to the store, which decides where it runs and what it leaves. */
  enum Role { FILL, WRITE, READ, DELETE }

  /** The salt of the values a fill writes (bench ingest writes the same ones). */
  static final long FILL_SALT = 0;
  private static final long OVERWRITE_SALT = 1;
  private static final long TXN_SALT = 2;
  /** readseq times one entry in this many (a power of two); the latency columns are that sample. */
  static final int READSEQ_TIMING_STRIDE = 64;

  private final String benchName;
  private final Role role;
  private final String description;

  Workload(String benchName, Role role, String description) {
    this.benchName = benchName;
    this.role = role;
    this.description = description;
  }

  /** The workload named {@code name} (case-insensitive), as db_bench spells it. */
  static Optional<Workload> fromName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(w -> w.benchName.equals(lower)).findFirst();
  }

  /**
   * The workloads a bench runs when none are named: db_bench's eight, without the synced fill,
   * the MVCC workloads and compact, which are asked for by name.
   */
  static List<Workload> defaults() {
    return Arrays.stream(values())
        .filter(w -> !w.synced() && !w.transactional() && w != READSNAPSHOT && w != COMPACT)
        .toList();
  }

  /** True when the workload needs a store opened with syncWrites. */
  boolean synced() {
    return false;
  }

  /** True when the workload measures a {@link SyncFloor} instead of the store. */
  boolean usesSyncFloor() {
    return false;
  }

  /** True when the workload runs transactions and reports their conflicts. */
  boolean transactional() {
    return false;
  }

  /** Every workload's name, comma-separated, in the default order. */
  static String names() {
    return Arrays.stream(values()).map(Workload::benchName).collect(Collectors.joining(", "));
  }

  String benchName() {
    return benchName;
  }

  String description() {
    return description;
  }

  /** Fills run on a fresh store, as in db_bench; every other workload on what the last one left. */
  boolean needsFreshStore() {
    return role == Role.FILL;
  }

  /** True when, afterwards, every key of the key space is present. */
  boolean leavesAllKeysPresent() {
    return role == Role.FILL;
  }

  /** True when, afterwards, some keys of the key space may be absent. */
  boolean removesKeys() {
    return role == Role.DELETE;
  }

  /** True when its result line reports how many keys it found. */
  boolean reportsFound() {
    return role == Role.READ;
  }

  /** One operation, for index {@code i} of {@code [0, num)}. */
  abstract void op(Worker w, long i);

  /** Runs the operations of indexes {@code [from, to)} on one thread, timing each. */
  void runRange(Worker w, long from, long to) {
    for (long i = from; i < to; i++) {
      long start = System.nanoTime();
      op(w, i);
      w.finishOp(start);
    }
  }

  /** A warning when the keys found contradict what the store held, else null. */
  String warning(long ops, long found, boolean allKeysPresent) {
    return null;
  }
}
