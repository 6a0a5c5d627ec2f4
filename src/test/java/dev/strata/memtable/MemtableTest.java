package dev.strata.memtable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.iterator.InternalIterator;
import dev.strata.key.InternalKey;
import dev.strata.key.Lookup;
import dev.strata.key.ValueKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MemtableTest {
  private static byte[] b(String s) {
    return s.getBytes();
  }

  @Test
  void getReturnsTheNewestVersionAtOrBelowTheReadSequence() {
    Memtable m = new Memtable(1, 1 << 20);
    m.add(b("k"), 1, ValueKind.PUT, b("v1"));
    m.add(b("k"), 3, ValueKind.PUT, b("v3"));
    m.add(b("k"), 5, ValueKind.DELETE, null);
    assertTrue(m.get(b("k"), 10).isDelete());
    assertArrayEquals(b("v3"), m.get(b("k"), 4).value());
    assertArrayEquals(b("v1"), m.get(b("k"), 2).value());
    assertNull(m.get(b("k"), 0));
  }

  @Test
  void getDoesNotConfuseNeighbouringKeys() {
    Memtable m = new Memtable(1, 1 << 20);
    m.add(b("ab"), 1, ValueKind.PUT, b("x"));
    m.add(b("abc"), 2, ValueKind.PUT, b("y"));
    assertNull(m.get(b("a"), 10));
    assertNull(m.get(b("abb"), 10));
    assertArrayEquals(b("y"), m.get(b("abc"), 10).value());
  }

  @Test
  void emptyValueIsAValueNotAnAbsence() {
    Memtable m = new Memtable(1, 1 << 20);
    m.add(b("k"), 1, ValueKind.PUT, new byte[0]);
    Lookup r = m.get(b("k"), 1);
    assertEquals(ValueKind.PUT, r.kind());
    assertEquals(0, r.value().length);
  }

  @Test
  void keysOrderByUnsignedBytes() {
    Memtable m = new Memtable(1, 1 << 20);
    m.add(new byte[] {(byte) 0xff}, 1, ValueKind.PUT, b("high"));
    m.add(new byte[] {0x01}, 2, ValueKind.PUT, b("low"));
    InternalIterator it = m.iterator();
    it.seekToFirst();
    assertArrayEquals(new byte[] {0x01}, it.userKey());
    it.next();
    assertArrayEquals(new byte[] {(byte) 0xff}, it.userKey());
  }

  @Test
  void keysAndValuesOfEverySizeIterateInOrderAndReadBackAsAModelHoldsThem() {
    // Keys of 0-40 bytes from a few byte values (so that many share prefixes of every length and
    // differ in the sign bit), values of 0 bytes up to past a 1 MiB arena chunk, several versions.
    Random random = new Random(23);
    byte[] pool = {0x00, 0x30, 0x7f, (byte) 0x80, (byte) 0xff};
    Memtable m = new Memtable(1, 64 << 20);
    TreeMap<String, byte[]> newest = new TreeMap<>();
    java.util.HexFormat hex = java.util.HexFormat.of();
    List<byte[]> keys = new ArrayList<>();
    for (int seq = 1; seq <= 20_000; seq++) {
      byte[] key;
      if (!keys.isEmpty() && random.nextInt(4) == 0) {
        key = keys.get(random.nextInt(keys.size()));
      } else {
        key = new byte[random.nextInt(41)];
        for (int j = 0; j < key.length; j++) {
          key[j] = pool[random.nextInt(pool.length)];
        }
        keys.add(key);
      }
      int length = seq % 5000 == 0 ? (1 << 20) + 7 : random.nextInt(3) == 0 ? 0 : random.nextInt(300);
      byte[] value = new byte[length];
      random.nextBytes(value);
      m.add(key, seq, ValueKind.PUT, value);
      newest.put(hex.formatHex(key), value);
    }
    for (var e : newest.entrySet()) {
      Lookup found = m.get(hex.parseHex(e.getKey()), Long.MAX_VALUE >>> 8);
      assertArrayEquals(e.getValue(), found.value(), e.getKey());
    }
    InternalIterator it = m.iterator();
    it.seekToFirst();
    byte[] previousKey = null;
    long previousSequence = 0;
    int distinct = 0;
    java.util.Iterator<String> expected = newest.keySet().iterator();
    for (; it.isValid(); it.next()) {
      byte[] key = it.userKey();
      int order = previousKey == null ? -1 : java.util.Arrays.compareUnsigned(previousKey, key);
      assertTrue(order < 0 || (order == 0 && it.sequence() < previousSequence), "out of order at " + hex.formatHex(key));
      if (order != 0) {
        assertEquals(expected.next(), hex.formatHex(key));
        assertArrayEquals(newest.get(hex.formatHex(key)), it.value(), "the newest version comes first");
        distinct++;
      }
      previousKey = key;
      previousSequence = it.sequence();
    }
    assertEquals(newest.size(), distinct);
  }

  @Test
  void approximateSizeGrowsWithEveryEntry() {
    Memtable m = new Memtable(1, 1 << 20);
    assertEquals(0, m.approximateBytes());
    m.add(b("key"), 1, ValueKind.PUT, new byte[100]);
    long one = m.approximateBytes();
    assertTrue(one >= 103 + 24, "counts key, value and node header bytes: " + one);
    m.add(b("key"), 2, ValueKind.DELETE, null);
    assertTrue(m.approximateBytes() > one);
  }

  @Test
  void iteratorSeekLandsOnTheNewestVisibleVersion() {
    Memtable m = new Memtable(1, 1 << 20);
    for (int seq = 1; seq <= 5; seq++) {
      m.add(b("k"), seq, ValueKind.PUT, b("v" + seq));
    }
    InternalIterator it = m.iterator();
    it.seek(b("k"), 3);
    assertEquals(3, it.sequence());
    it.seek(b("k"), InternalKey.MAX_SEQUENCE);
    assertEquals(5, it.sequence());
    it.seek(b("l"), InternalKey.MAX_SEQUENCE);
    assertFalse(it.isValid());
  }

  @Test
  void freezeRequestIsClaimedOnce() {
    Memtable m = new Memtable(1, 1 << 20);
    assertTrue(m.claimFreezeRequest());
    assertFalse(m.claimFreezeRequest());
  }

  @Test
  void readersSeeConsistentEntriesWhileAWriterInserts() throws Exception {
    Memtable m = new Memtable(1, 1 << 20);
    int n = 20_000;
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try {
        start.await();
        for (int round = 0; round < 50; round++) {
          InternalIterator it = m.iterator();
          byte[] prev = null;
          for (it.seekToFirst(); it.isValid(); it.next()) {
            if (prev != null && InternalKey.compareUserKeys(prev, it.userKey()) >= 0) {
              throw new AssertionError("out of order");
            }
            prev = it.userKey();
          }
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    reader.start();
    start.countDown();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add((i * 7919) % n);
    }
    long seq = 0;
    for (int i : order) {
      m.add(b(String.format("%08d", i)), ++seq, ValueKind.PUT, b("v"));
    }
    reader.join();
    assertNull(failure.get());
    assertEquals(n, m.entryCount());
  }

  @Test
  void aPresentKeyIsNeverReportedAbsentWhileAWriterInsertsSmallerKeys() throws Exception {
    // A lookup that re-read its predecessor's link after the walk could land on a node linked in
    // meanwhile, smaller than the target, and report the target absent.
    Memtable m = new Memtable(1, 64 << 20);
    m.add(b("m"), 1, ValueKind.PUT, b("present"));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread reader = new Thread(() -> {
      try {
        while (writing.get()) {
          if (m.get(b("m"), Long.MAX_VALUE >>> 8) == null) {
            throw new AssertionError("present key reported absent");
          }
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    reader.start();
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
    for (int i = 0; i < 200_000 && failure.get() == null; i++) {
      m.add(b(String.format("l%08d", rnd.nextInt(100_000_000))), i + 2, ValueKind.PUT, b("x"));
    }
    writing.set(false);
    reader.join();
    assertNull(failure.get());
  }

  @Test
  void ascendingRunsMixedWithRandomKeysKeepOneSortedList() {
    // Ascending runs take the append path past the last node; keys in between walk the list and
    // may land before, among or after what the runs appended. Both must leave every level sorted.
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    Memtable m = new Memtable(1, 64 << 20);
    TreeMap<String, String> expected = new TreeMap<>();
    long seq = 1;
    int next = 0;
    for (int i = 0; i < 20_000; i++) {
      String key = rnd.nextInt(4) == 0 ? String.format("k%08d", rnd.nextInt(next + 1000)) : String.format("k%08d", next++);
      if (expected.containsKey(key)) {
        continue;
      }
      String value = "v" + seq;
      m.add(key.getBytes(), seq++, ValueKind.PUT, value.getBytes());
      expected.put(key, value);
    }
    InternalIterator it = m.iterator();
    it.seekToFirst();
    for (var e : expected.entrySet()) {
      assertTrue(it.isValid(), "seed " + seed + ": ended before " + e.getKey());
      assertEquals(e.getKey(), new String(it.userKey()), "seed " + seed);
      assertEquals(e.getValue(), new String(it.value()), "seed " + seed);
      it.next();
    }
    assertFalse(it.isValid(), "seed " + seed);
    for (int i = 0; i < 2_000; i++) {
      String probe = String.format("k%08d", rnd.nextInt(next + 1000));
      Lookup found = m.get(probe.getBytes(), InternalKey.MAX_SEQUENCE);
      String want = expected.get(probe);
      assertEquals(want, found == null ? null : new String(found.value()), "seed " + seed + ", key " + probe);
    }
  }
  @Test
  void interleavedAscendingRunsInSeveralRangesKeepOneSortedList() {
    // A journal's batch: ascending keys in a few ranges that take turns (events of one id, then
    // their ordering entries, then their tag entries), with now and then a newer version of a key
    // just written and a key out of every run. Inserts next to the last one take the splice; the
    // rest walk the list; every level must stay sorted, and every version findable.
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    Memtable m = new Memtable(1, 64 << 20);
    TreeMap<String, List<Long>> versions = new TreeMap<>();
    int[] nextInRange = new int[5];
    long seq = 1;
    String last = null;
    for (int i = 0; i < 30_000; i++) {
      int range = rnd.nextInt(nextInRange.length);
      String key;
      int pick = rnd.nextInt(20);
      if (pick == 0 && last != null) {
        key = last; // a newer version of the key just written: sorts before it
      } else if (pick == 1) {
        key = String.format("r%d-%08d", range, rnd.nextInt(nextInRange[range] + 100));
      } else {
        int run = 1 + rnd.nextInt(10);
        for (int j = 1; j < run; j++) {
          String k = String.format("r%d-%08d", range, nextInRange[range]++);
          m.add(k.getBytes(), seq, ValueKind.PUT, ("v" + seq).getBytes());
          versions.computeIfAbsent(k, x -> new ArrayList<>()).add(0, seq++);
        }
        key = String.format("r%d-%08d", range, nextInRange[range]++);
      }
      m.add(key.getBytes(), seq, ValueKind.PUT, ("v" + seq).getBytes());
      versions.computeIfAbsent(key, x -> new ArrayList<>()).add(0, seq++);
      last = key;
    }
    InternalIterator it = m.iterator();
    it.seekToFirst();
    for (var e : versions.entrySet()) {
      for (long version : e.getValue()) { // newest first, as internal keys sort
        assertTrue(it.isValid(), "seed " + seed + ": ended before " + e.getKey() + "@" + version);
        assertEquals(e.getKey(), new String(it.userKey()), "seed " + seed);
        assertEquals(version, it.sequence(), "seed " + seed + ", key " + e.getKey());
        it.next();
      }
    }
    assertFalse(it.isValid(), "seed " + seed);
    for (var e : versions.entrySet()) {
      List<Long> newestFirst = e.getValue();
      Lookup newest = m.get(e.getKey().getBytes(), InternalKey.MAX_SEQUENCE);
      assertEquals("v" + newestFirst.get(0), new String(newest.value()), "seed " + seed + ", key " + e.getKey());
      long oldest = newestFirst.get(newestFirst.size() - 1);
      Lookup atOldest = m.get(e.getKey().getBytes(), oldest);
      assertEquals(oldest, atOldest.sequence(), "seed " + seed + ", key " + e.getKey());
      assertNull(m.get(e.getKey().getBytes(), oldest - 1), "seed " + seed + ", key " + e.getKey());
    }
  }
}
