package dev.strata.memtable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.key.Lookup;
import dev.strata.key.ValueKind;
import dev.strata.util.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A memtable answers a point lookup of a key it holds from its hash index when the newest
 * version is visible to the read, and from the skip list otherwise; once the index is full, from
 * the skip list alone. Either way the answer is the skip list's: the newest version at or below
 * the read's sequence.
 */
class MemtablePointIndexTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void theIndexHoldsEachKeysNewestVersionAndOlderReadsStillFindTheirOwn() {
    Memtable m = new Memtable(1, 1 << 20);
    for (int seq = 1; seq <= 300; seq++) {
      m.add(b("key-" + (seq % 10)), seq, seq % 7 == 0 ? ValueKind.DELETE : ValueKind.PUT, b("v" + seq));
    }
    for (int key = 0; key < 10; key++) {
      for (long read = 0; read <= 305; read++) {
        long expected = -1; // the newest seq <= read written to key
        for (long seq = 1; seq <= Math.min(read, 300); seq++) {
          if (seq % 10 == key) {
            expected = seq;
          }
        }
        Lookup got = m.get(b("key-" + key), read);
        if (expected < 0) {
          assertNull(got, "key-" + key + " at " + read);
        } else {
          assertNotNull(got, "key-" + key + " at " + read);
          assertEquals(expected, got.sequence(), "key-" + key + " at " + read);
          assertEquals(expected % 7 == 0, got.isDelete(), "key-" + key + " at " + read);
          if (!got.isDelete()) {
            assertEquals("v" + expected, s(got.value()));
          }
        }
      }
    }
    assertNull(m.get(b("key-10"), 1000), "a key never written");
  }

  @Test
  void keysAppendedInAscendingOrderAreFoundThroughTheListAndTheirUpdatesThroughTheIndex() {
    Memtable m = new Memtable(1, 1 << 20);
    int keys = 1_000;
    for (int i = 0; i < keys; i++) {
      m.add(b(String.format("a-%05d", i)), i + 1, ValueKind.PUT, b("appended-" + i)); // each one an append
    }
    for (int i = 0; i < keys; i += 3) {
      m.add(b(String.format("a-%05d", i)), keys + i + 1, ValueKind.PUT, b("updated-" + i));
    }
    for (int i = 0; i < keys; i++) {
      byte[] key = b(String.format("a-%05d", i));
      assertEquals(i % 3 == 0 ? "updated-" + i : "appended-" + i, s(m.get(key, Long.MAX_VALUE >>> 8).value()));
      assertEquals("appended-" + i, s(m.get(key, keys).value()));
      assertNull(m.get(key, i));
    }
    assertNull(m.get(b("a-99999"), Long.MAX_VALUE >>> 8));
  }

  @Test
  void aFullIndexGivesWayToTheSkipListAndNoAnswerChanges() {
    // The smallest index (1,024 slots, 768 keys) for a tiny memtable, given 5,000 keys.
    Memtable m = new Memtable(1, 1024);
    MemtablePointIndex probe = new MemtablePointIndex(1024);
    int keys = 5_000;
    for (int i = 0; i < keys; i++) {
      m.add(b("k" + i), i + 1, ValueKind.PUT, b("first-" + i));
    }
    for (int i = 0; i < keys; i += 3) {
      m.add(b("k" + i), keys + i + 1, ValueKind.PUT, b("second-" + i));
    }
    for (int i = 0; i < keys; i++) {
      Lookup latest = m.get(b("k" + i), Long.MAX_VALUE >>> 8);
      assertEquals(i % 3 == 0 ? "second-" + i : "first-" + i, s(latest.value()), "k" + i + " newest");
      assertEquals("first-" + i, s(m.get(b("k" + i), keys).value()), "k" + i + " before the updates");
      assertNull(m.get(b("k" + i), i), "k" + i + " before it was written");
    }
    assertFalse(probe.saturated());
    ArenaSkipList list = new ArenaSkipList();
    for (int i = 0; i < 2_000 && !probe.saturated(); i++) {
      byte[] key = b("k" + i);
      long hash = Hashing.xxh64(key);
      probe.reserve(list, hash, key);
      long node = list.insert(key, 0, key.length, (long) (i + 1) << 8 | 1, key, 0, key.length);
      probe.put(list, hash, key, node, (long) (i + 1) << 8 | 1);
    }
    assertTrue(probe.saturated(), "the index saturates before it passes three quarters full");
    assertEquals(-1, probe.find(list, Hashing.xxh64(b("k1")), b("k1")), "a saturated index cannot say");
  }

  @Test
  void readersRacingTheWriterSeeExactlyTheNewestVersionTheirSequenceAllows() throws Exception {
    // Key i % HOT gets sequence i (so its versions are known from the sequence alone), then the
    // distinct keys fill the tiny memtable's index until it saturates, while readers, each at the
    // published sequence, check every answer. Both phases race the readers.
    int hot = 16;
    int writes = 60_000;
    Memtable m = new Memtable(1, 64 * 1024);
    java.util.concurrent.atomic.AtomicLong published = new java.util.concurrent.atomic.AtomicLong();
    AtomicReference<String> failure = new AtomicReference<>();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      int reader = r;
      Thread t = new Thread(() -> {
        java.util.Random random = new java.util.Random(reader);
        while (failure.get() == null) {
          long at = published.get();
          if (at >= writes) {
            return;
          }
          long seq = 1 + (long) random.nextInt((int) Math.max(1, at + 10));
          String key = seq <= writes / 2 ? "hot-" + (seq % hot) : "d-" + seq;
          Lookup got = m.get(b(key), at);
          long expected;
          if (seq <= writes / 2) {
            long newest = Math.min(at, writes / 2);
            expected = newest - Math.floorMod(newest - seq % hot, hot); // largest s <= newest, s = seq mod hot
            if (expected < 1) {
              expected = -1;
            }
          } else {
            expected = seq <= at ? seq : -1;
          }
          String problem = expected < 0
              ? (got == null ? null : key + " at " + at + ": expected nothing, got seq " + got.sequence())
              : (got == null ? key + " at " + at + ": expected seq " + expected + ", got nothing"
                  : got.sequence() != expected || !s(got.value()).equals("v" + expected)
                      ? key + " at " + at + ": expected seq " + expected + ", got " + got.sequence() : null);
          if (problem != null) {
            failure.compareAndSet(null, problem);
          }
        }
      });
      t.start();
      readers.add(t);
    }
    for (long seq = 1; seq <= writes && failure.get() == null; seq++) {
      String key = seq <= writes / 2 ? "hot-" + (seq % hot) : "d-" + seq;
      m.add(b(key), seq, ValueKind.PUT, b("v" + seq));
      published.set(seq); // as the engine publishes its last sequence after the insert
    }
    published.set(Long.MAX_VALUE);
    for (Thread t : readers) {
      t.join(30_000);
    }
    assertNull(failure.get());
    assertArrayEquals(b("v" + writes), m.get(b("d-" + writes), writes).value());
  }
}
