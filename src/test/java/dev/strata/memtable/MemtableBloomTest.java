package dev.strata.memtable;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.util.Hashing;
import org.junit.jupiter.api.Test;

class MemtableBloomTest {
  /** The hash the memtable gives the filter for key {@code prefix + i}. */
  private static long key(String prefix, int i) {
    return Hashing.xxh64((prefix + i).getBytes());
  }

  @Test
  void neverForgetsAKeyItWasGiven() {
    MemtableBloom bloom = new MemtableBloom(4 << 20);
    for (int i = 0; i < 100_000; i++) {
      bloom.add(key("k", i));
    }
    for (int i = 0; i < 100_000; i++) {
      assertTrue(bloom.mayContain(key("k", i)), "false negative for k" + i);
    }
  }

  @Test
  void rejectsAlmostEveryAbsentKeyAtTenBitsPerKey() {
    // 4 MiB of memtable gives 1 Mbit: 10.5 bits for each of 100k keys.
    MemtableBloom bloom = new MemtableBloom(4 << 20);
    for (int i = 0; i < 100_000; i++) {
      bloom.add(key("k", i));
    }
    int falsePositives = 0;
    for (int i = 0; i < 100_000; i++) {
      if (bloom.mayContain(key("absent", i))) {
        falsePositives++;
      }
    }
    // Measured 0.76%; a broken hash or probe sequence shows up far above 1.5%.
    assertTrue(falsePositives < 1_500, "false positives: " + falsePositives + " of 100000");
  }

  @Test
  void anEmptyFilterRejectsEverything() {
    MemtableBloom bloom = new MemtableBloom(1 << 20);
    for (int i = 0; i < 1000; i++) {
      assertTrue(!bloom.mayContain(key("k", i)));
    }
  }
}
