package dev.strata.cli;

/** Seed mixing for the benchmark's deterministic streams. Stateless. */
final class Mixing {
  private Mixing() {}

  /** MurmurHash3's 64-bit finalizer: a bijection that spreads every input bit over the output. */
  static long mix64(long value) {
    long z = value;
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  /** A seed for one stream, distinct for every (seed, stream, thread). */
  static long streamSeed(long seed, int stream, int thread) {
    return mix64(mix64(mix64(seed) + stream) + thread);
  }
}
