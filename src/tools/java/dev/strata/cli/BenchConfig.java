package dev.strata.cli;

import dev.strata.StrataOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * One benchmark run, as the command line asked for it. Immutable.
 *
 * @param num operations per workload, and the number of keys in the key space
 * @param seed seed of the random key order and of the values
 * @param threads threads sharing each workload's operations
 * @param dir where the store lives, or null for a temporary directory
 * @param keySize bytes per key
 * @param valueSize bytes per value
 * @param seekNexts {@code next()} calls after each seek of seekrandom
 * @param workloads the workloads, in the order they run
 * @param options the store's options: the configuration's, overridden by the flags
 * @param engine the engine this process benchmarks (Strata unless {@code --engine} names a peer)
 * @param compare with {@code --compare}, the engines to run side by side, each in its own JVM;
 *     empty for a plain run
 * @param resultsFile where a run writes its results for the {@code --compare} parent that
 *     started it, or null
 * @param compressionRatio about the fraction of its size a value compresses to, as db_bench's
 *     {@code --compression_ratio} (see {@link ValueGenerator}); the same for every engine
 */
record BenchConfig(long num, long seed, int threads, Path dir, int keySize, int valueSize, int seekNexts,
    List<Workload> workloads, StrataOptions options, Engine engine, List<Engine> compare, Path resultsFile,
    double compressionRatio) {
  static final long DEFAULT_NUM = 1_000_000;
  /** db_bench's default seed. */
  static final long DEFAULT_SEED = 301;
  static final int DEFAULT_KEY_SIZE = 16;
  static final int DEFAULT_VALUE_SIZE = 100;
  static final int DEFAULT_SEEK_NEXTS = 100;
  /** db_bench's default: values compress to about half their size. */
  static final double DEFAULT_COMPRESSION_RATIO = 0.5;

  BenchConfig {
    workloads = List.copyOf(workloads);
    compare = List.copyOf(compare);
  }

  /** A plain run of Strata. */
  BenchConfig(long num, long seed, int threads, Path dir, int keySize, int valueSize, int seekNexts,
      List<Workload> workloads, StrataOptions options) {
    this(num, seed, threads, dir, keySize, valueSize, seekNexts, workloads, options, Engine.STRATA, List.of(), null,
        DEFAULT_COMPRESSION_RATIO);
  }

  boolean comparing() {
    return !compare.isEmpty();
  }

  /** Bytes of keys and values if every key held one value: what a fill writes. */
  long rawBytes() {
    return num * ((long) keySize + valueSize);
  }
}
