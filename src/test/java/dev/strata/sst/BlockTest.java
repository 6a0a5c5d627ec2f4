package dev.strata.sst;

import static dev.strata.sst.SstTestHarness.Entry;
import static dev.strata.sst.SstTestHarness.INTERNAL_ORDER;
import static dev.strata.sst.SstTestHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CorruptionException;
import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import dev.strata.util.ByteBuilder;
import dev.strata.util.Bytes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlockTest {
  /**
   * Entries chosen to stress prefix compression: long shared prefixes, a key that is a prefix of
   * the next, the empty user key, versions differing only in the trailer, empty values, tombstones.
   */
  static List<Entry> trickyEntries() {
    List<Entry> entries = new ArrayList<>();
    String longPrefix = "p".repeat(300);
    entries.add(new Entry(new byte[0], 5, ValueKind.PUT, bytes("empty key")));
    entries.add(new Entry(bytes("a"), 9, ValueKind.PUT, new byte[0]));
    entries.add(new Entry(bytes("a"), 8, ValueKind.DELETE, new byte[0]));
    entries.add(new Entry(bytes("a"), 7, ValueKind.PUT, bytes("a7")));
    entries.add(new Entry(bytes("ab"), 1, ValueKind.PUT, bytes("ab")));
    for (int i = 0; i < 200; i++) {
      entries.add(new Entry(bytes(longPrefix + String.format("%05d", i)), 1000 - i, ValueKind.PUT,
          bytes("value-" + i)));
    }
    for (long s = 40; s >= 20; s--) {
      entries.add(new Entry(bytes("same"), s, s % 3 == 0 ? ValueKind.DELETE : ValueKind.PUT,
          s % 3 == 0 ? new byte[0] : bytes("same@" + s)));
    }
    entries.add(new Entry(new byte[] {(byte) 0xff, 0, (byte) 0x80}, 3, ValueKind.PUT, new byte[1000]));
    entries.sort(INTERNAL_ORDER);
    return entries;
  }

  static Block build(List<Entry> entries, int restartInterval) {
    BlockBuilder builder = new BlockBuilder(restartInterval);
    for (Entry e : entries) {
      byte[] k = InternalKey.encode(e.userKey(), e.sequence(), e.kind());
      builder.add(k, 0, k.length, e.value(), 0, e.value().length);
    }
    return new Block(builder.finish().toByteArray());
  }

  static void assertAt(BlockIterator it, Entry expected) {
    assertTrue(it.isValid(), "expected " + expected.describe() + " but the iterator is exhausted");
    assertEquals(expected.describe(), InternalKey.describe(it.userKey(), it.sequence(), it.kind()));
    assertArrayEquals(expected.value(), it.value(), expected.describe());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 16, 1024})
  void iteratingReturnsEveryEntryInOrder(int restartInterval) {
    List<Entry> entries = trickyEntries();
    BlockIterator it = build(entries, restartInterval).iterator();
    it.seekToFirst();
    for (Entry e : entries) {
      assertAt(it, e);
      it.next();
    }
    assertFalse(it.isValid());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 16})
  void seekToEveryEntryLandsOnIt(int restartInterval) {
    List<Entry> entries = trickyEntries();
    BlockIterator it = build(entries, restartInterval).iterator();
    for (Entry e : entries) {
      it.seek(e.userKey(), e.sequence());
      assertAt(it, e);
    }
  }

  @Test
  void seekBetweenVersionsLandsOnTheNewestVersionAtOrBelowTheSequence() {
    List<Entry> entries = trickyEntries();
    BlockIterator it = build(entries, 16).iterator();
    it.seek(bytes("a"), 100);
    assertEquals(9, it.sequence());
    it.seek(bytes("a"), 8);
    assertEquals(8, it.sequence());
    assertEquals(ValueKind.DELETE, it.kind());
    it.seek(bytes("a"), 6);
    assertArrayEquals(bytes("ab"), it.userKey(), "below every version of a: the next user key");
  }

  @Test
  void seekBetweenUserKeysLandsOnTheNextKey() {
    BlockIterator it = build(trickyEntries(), 16).iterator();
    it.seek(bytes("aa"), InternalKey.MAX_SEQUENCE);
    assertArrayEquals(bytes("ab"), it.userKey());
    it.seek(bytes("p".repeat(300) + "00007x"), 0);
    assertArrayEquals(bytes("p".repeat(300) + "00008"), it.userKey());
  }

  @Test
  void seekAtMaxSequenceFindsTheNewestVersion() {
    BlockIterator it = build(trickyEntries(), 4).iterator();
    it.seek(bytes("same"), InternalKey.MAX_SEQUENCE);
    assertEquals(40, it.sequence());
  }

  @Test
  void seekBeforeTheFirstKeyLandsOnTheFirstEntry() {
    List<Entry> entries = trickyEntries().subList(1, 50);
    BlockIterator it = build(entries, 16).iterator();
    it.seek(new byte[0], InternalKey.MAX_SEQUENCE);
    assertAt(it, entries.get(0));
  }

  @Test
  void seekAfterTheLastKeyExhaustsTheIterator() {
    BlockIterator it = build(trickyEntries(), 16).iterator();
    it.seek(new byte[] {(byte) 0xff, 0, (byte) 0x80}, 2);
    assertFalse(it.isValid());
    it.seek(new byte[] {(byte) 0xff, 1}, InternalKey.MAX_SEQUENCE);
    assertFalse(it.isValid());
  }

  @Test
  void aRestartPointIsWrittenEveryIntervalEntries() {
    List<Entry> entries = trickyEntries();
    byte[] block = build(entries, 16).iterator().blockData();
    int count = Bytes.getIntLE(block, block.length - 4);
    assertEquals((entries.size() + 15) / 16, count);
    int restartsAt = block.length - 4 - 4 * count;
    BlockIterator it = new Block(block).iterator();
    it.seekToFirst();
    int entry = 0;
    int restart = 0;
    int offset = 0;
    while (it.isValid()) {
      if (entry % 16 == 0) {
        assertEquals(offset, Bytes.getIntLE(block, restartsAt + 4 * restart), "restart " + restart);
        assertEquals(0, block[offset], "a restart entry shares no prefix");
        restart++;
      }
      offset = it.valueOffset() + it.valueLength();
      entry++;
      it.next();
    }
    assertEquals(count, restart);
  }

  @Test
  void prefixCompressionStoresSharedPrefixesOnce() {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      entries.add(new Entry(bytes("x".repeat(200) + String.format("%03d", i)), 1, ValueKind.PUT, new byte[0]));
    }
    int size = build(entries, 16).sizeBytes();
    assertTrue(size < 100 * 203 / 4, "block of " + size + " bytes did not compress its shared prefixes");
  }

  @Test
  void estimatedSizeIsTheFinishedSize() {
    List<Entry> entries = trickyEntries();
    for (int n = 0; n <= entries.size(); n += 7) {
      BlockBuilder builder = new BlockBuilder(16);
      for (Entry e : entries.subList(0, n)) {
        byte[] k = InternalKey.encode(e.userKey(), e.sequence(), e.kind());
        builder.add(k, 0, k.length, e.value(), 0, e.value().length);
      }
      int estimate = builder.estimatedSize();
      assertEquals(estimate, builder.finish().size(), "after " + n + " entries");
    }
  }

  @Test
  void anEmptyBlockHasNoEntries() {
    Block block = build(List.of(), 16);
    assertEquals(4, block.sizeBytes());
    BlockIterator it = block.iterator();
    it.seekToFirst();
    assertFalse(it.isValid());
    it.seek(bytes("a"), 1);
    assertFalse(it.isValid());
  }

  @Test
  void keysAndValuesStayValidAfterTheIteratorMoves() {
    List<Entry> entries = trickyEntries();
    BlockIterator it = build(entries, 16).iterator();
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (it.seekToFirst(); it.isValid(); it.next()) {
      keys.add(it.userKey());
      values.add(it.value());
    }
    for (int i = 0; i < entries.size(); i++) {
      assertArrayEquals(entries.get(i).userKey(), keys.get(i));
      assertArrayEquals(entries.get(i).value(), values.get(i));
    }
  }

  @Test
  void aRestartCountLargerThanTheBlockIsCorruption() {
    byte[] block = build(trickyEntries(), 16).iterator().blockData().clone();
    Bytes.putIntLE(block, block.length - 4, 1 << 20);
    assertThrows(CorruptionException.class, () -> new Block(block));
  }

  @Test
  void aRestartOffsetOutsideTheEntriesIsCorruption() {
    byte[] block = build(trickyEntries(), 16).iterator().blockData().clone();
    int count = Bytes.getIntLE(block, block.length - 4);
    Bytes.putIntLE(block, block.length - 8, block.length);
    assertTrue(count > 1);
    assertThrows(CorruptionException.class, () -> new Block(block));
  }

  @Test
  void anEntryRunningPastTheRestartArrayIsCorruption() {
    ByteBuilder b = new ByteBuilder();
    b.putVarint32(0).putVarint32(9).putVarint32(500).putBytes(InternalKey.encode(bytes("k"), 1, ValueKind.PUT));
    b.putIntLE(0).putIntLE(1);
    BlockIterator it = new Block(b.toByteArray()).iterator();
    CorruptionException e = assertThrows(CorruptionException.class, it::seekToFirst);
    assertTrue(e.getMessage().contains("malformed entry"), e.getMessage());
  }
}
