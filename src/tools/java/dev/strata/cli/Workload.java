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
   * write and one fdatasync and then wakes their threads; with one thread, the thread writes and
   * fdatasyncs its own records ({@link SyncFloor}). The machine's ceiling for fillsync at the same
   * thread count, for callers that sleep while they wait. Leaves the store as it was.
   */
  SYNCFLOOR("syncfloor", Role.WRITE, "fillsync's records synced with nothing else, no store: the ceiling") {
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
    String warning(WorkloadResult r, boolean allKeysPresent) {
      return allKeysPresent && r.found() != r.ops() ? "WARNING: " + r.workload().benchName() + " found " + r.found()
          + " of " + r.ops() + " keys, but every key was present" : null;
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
    String warning(WorkloadResult r, boolean allKeysPresent) {
      return READRANDOM.warning(r, allKeysPresent);
    }
  },
  /** Gets N random keys that no workload ever writes. */
  READMISSING("readmissing", Role.READ, "get N random keys that are never present") {
    @Override
    void op(Worker w, long i) {
      w.get(w.keys().missingKey(w.randomIndex()));
    }

    @Override
    String warning(WorkloadResult r, boolean allKeysPresent) {
      return r.found() != 0 ? "WARNING: readmissing found " + r.found() + " keys that were never written" : null;
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
  /**
   * N gets of random keys by --threads threads while one more thread puts random keys of the key
   * space with new values, nonstop, until the readers are done (db_bench's readwhilewriting). The
   * line reports the reads; the writer's puts and their rate follow on it.
   */
  READWHILEWRITING("readwhilewriting", Role.READ,
      "get N random keys while one extra thread overwrites random keys; reports both rates") {
    @Override
    void op(Worker w, long i) {
      READRANDOM.op(w, i);
    }

    @Override
    boolean hasBackgroundWriter() {
      return true;
    }

    @Override
    void backgroundOp(Worker w) {
      long k = w.randomIndex();
      w.put(w.keys().key(k), w.values().value(k, WRITER_SALT));
    }

    @Override
    String warning(WorkloadResult r, boolean allKeysPresent) {
      return READRANDOM.warning(r, allKeysPresent);
    }
  },
  /** YCSB workload A, update heavy: 50% reads, 50% updates, keys chosen scrambled-zipfian. */
  YCSBA("ycsba", Role.WRITE, "YCSB A: 50% reads, 50% updates, scrambled-zipfian keys") {
    @Override
    void op(Worker w, long i) {
      ycsbOp(w, 0.5, 0.5, 0, 0);
    }
  },
  /** YCSB workload B, read mostly: 95% reads, 5% updates. */
  YCSBB("ycsbb", Role.WRITE, "YCSB B: 95% reads, 5% updates, scrambled-zipfian keys") {
    @Override
    void op(Worker w, long i) {
      ycsbOp(w, 0.95, 0.05, 0, 0);
    }
  },
  /** YCSB workload C, read only. */
  YCSBC("ycsbc", Role.WRITE, "YCSB C: 100% reads, scrambled-zipfian keys") {
    @Override
    void op(Worker w, long i) {
      ycsbOp(w, 1, 0, 0, 0);
    }
  },
  /**
   * YCSB workload E, short ranges: 95% scans of 1 to 100 entries (uniform) from a
   * scrambled-zipfian key, 5% inserts of new keys (between the filled ones; see {@link YcsbKeySpace}).
   */
  YCSBE("ycsbe", Role.WRITE, "YCSB E: 95% scans of 1-100 entries, 5% inserts of new keys") {
    @Override
    void op(Worker w, long i) {
      ycsbOp(w, 0, 0, 0.95, 0.05);
    }

    @Override
    double insertProportion() {
      return 0.05;
    }

    @Override
    boolean writesMissingKeys() {
      return true;
    }
  },
  /** YCSB workload F, read-modify-write: 50% reads, 50% a read then a put of the same key. */
  YCSBF("ycsbf", Role.WRITE, "YCSB F: 50% reads, 50% read-modify-writes, scrambled-zipfian keys") {
    @Override
    void op(Worker w, long i) {
      ycsbOp(w, 0.5, 0, 0, 0);
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
  private static final long WRITER_SALT = 3;
  private static final long YCSB_UPDATE_SALT = 4;
  private static final long YCSB_INSERT_SALT = 5;
  /** YCSB's default longest scan (maxscanlength); lengths are uniform from 1. */
  static final int YCSB_MAX_SCAN_LENGTH = 100;
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

  /** The workload named {@code name} (case-insensitive), as db_bench spells it; ycsb-a is ycsba. */
  static Optional<Workload> fromName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    String undashed = lower.startsWith("ycsb-") ? "ycsb" + lower.substring(5) : lower;
    return Arrays.stream(values()).filter(w -> w.benchName.equals(undashed)).findFirst();
  }

  /**
   * One YCSB operation: a read, update, scan or insert with the given probabilities, and a
   * read-modify-write with what is left.
   */
  private static void ycsbOp(Worker w, double read, double update, double scan, double insert) {
    double x = w.nextFraction();
    if (x < read) {
      w.ycsbRead();
    } else if (x < read + update) {
      w.ycsbUpdate(YCSB_UPDATE_SALT);
    } else if (x < read + update + scan) {
      w.ycsbScan(w.uniform(1, YCSB_MAX_SCAN_LENGTH));
    } else if (x < read + update + scan + insert) {
      w.ycsbInsert(YCSB_INSERT_SALT);
    } else {
      w.ycsbReadModifyWrite(YCSB_UPDATE_SALT);
    }
  }

  /**
   * The workloads a bench runs when none are named: db_bench's eight, without the synced fill,
   * the MVCC workloads and compact, which are asked for by name.
   */
  static List<Workload> defaults() {
    return Arrays.stream(values())
        .filter(w -> !w.synced() && !w.transactional() && w != READSNAPSHOT && w != COMPACT && !w.mixed()
            && !w.hasBackgroundWriter())
        .toList();
  }

  /**
   * The workloads {@code --compare} and {@code --engine} take: db_bench's eight, readwhilewriting,
   * the YCSB mixes, fillsync and syncfloor; not compact, the snapshot reads or the transactions,
   * which only Strata's API offers.
   */
  static List<Workload> comparable() {
    return Arrays.stream(values()).filter(w -> !w.transactional() && w != READSNAPSHOT && w != COMPACT).toList();
  }

  /** True for the YCSB mixes: keys chosen scrambled-zipfian, operations counted by kind. */
  boolean mixed() {
    return name().startsWith("YCSB");
  }

  /** The share of a mixed workload's operations that insert new keys. */
  double insertProportion() {
    return 0;
  }

  /** True when it writes keys that readmissing looks for (YCSB E's inserts). */
  boolean writesMissingKeys() {
    return false;
  }

  /** True when one extra thread writes for as long as the workload's threads run. */
  boolean hasBackgroundWriter() {
    return false;
  }

  /** One operation of the background writer. */
  void backgroundOp(Worker w) {
    throw new UnsupportedOperationException(benchName + " has no background writer");
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

  /**
   * A warning when the keys found contradict what the store held, else null. The YCSB mixes read
   * only filled keys, so after a fill each of their reads finds its key.
   */
  String warning(WorkloadResult r, boolean allKeysPresent) {
    long reads = r.counts().reads() + r.counts().readModifyWrites();
    return mixed() && allKeysPresent && r.found() != reads ? "WARNING: " + benchName + " found " + r.found()
        + " of the " + reads + " keys it read, but every key was present" : null;
  }
}
