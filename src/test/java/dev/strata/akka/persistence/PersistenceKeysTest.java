package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CorruptionException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The key layout and the value formats, as PersistenceKeys and the *Records classes document them. */
class PersistenceKeysTest {

  @Test
  void eventKeysSortAsTheirSequenceNumbers() {
    long[] seqs = {0, 1, 2, 255, 256, 65_536, 1L << 40, Long.MAX_VALUE};
    for (int i = 1; i < seqs.length; i++) {
      assertTrue(compare(PersistenceKeys.event("p", seqs[i - 1]), PersistenceKeys.event("p", seqs[i])) < 0,
          seqs[i - 1] + " < " + seqs[i]);
      assertEquals(seqs[i], PersistenceKeys.eventSequenceNr(PersistenceKeys.event("p", seqs[i])));
    }
  }

  @Test
  void snapshotKeysSortNewestFirst() {
    assertTrue(compare(PersistenceKeys.snapshot("p", 20), PersistenceKeys.snapshot("p", 10)) < 0);
    assertEquals(0, PersistenceKeys.snapshotSequenceNr(PersistenceKeys.snapshot("p", 0)));
    assertEquals(Long.MAX_VALUE, PersistenceKeys.snapshotSequenceNr(PersistenceKeys.snapshot("p", Long.MAX_VALUE)));
  }

  @Test
  void theRangeOfOneIdHoldsNoKeyOfAnotherEvenWhenOneIdPrefixesTheOther() {
    for (String other : List.of("a\u0000", "a\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0005", "ab", "", "\u0000")) {
      byte[] lo = PersistenceKeys.event("a", 0);
      byte[] hi = PersistenceKeys.event("a", Long.MAX_VALUE);
      for (long seq : new long[] {0, 1, 5, Long.MAX_VALUE}) {
        byte[] k = PersistenceKeys.event(other, seq);
        assertTrue(compare(k, lo) < 0 || compare(k, hi) > 0, "'" + other + "'@" + seq + " stays out of 'a''s range");
      }
    }
  }

  @Test
  void eachRecordKindHasItsOwnLeadingByte() {
    assertEquals(0x01, PersistenceKeys.event("p", 1)[0]);
    assertEquals(0x02, PersistenceKeys.highestSequenceNr("p")[0]);
    assertEquals(0x03, PersistenceKeys.snapshot("p", 1)[0]);
    assertEquals(0x04, PersistenceKeys.state("p")[0]);
  }

  @Test
  void negativeSequenceNumbersAndOverlongIdsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> PersistenceKeys.event("p", -1));
    assertThrows(IllegalArgumentException.class, () -> PersistenceKeys.snapshot("p", -1));
    assertThrows(IllegalArgumentException.class,
        () -> PersistenceKeys.state("x".repeat(PersistenceKeys.MAX_PERSISTENCE_ID_BYTES + 1)));
    assertEquals(dev.strata.Limits.MAX_KEY_BYTES,
        PersistenceKeys.event("x".repeat(PersistenceKeys.MAX_PERSISTENCE_ID_BYTES), 1).length);
  }

  @Test
  void snapshotAndStateRecordsRoundTrip() {
    Payload snap = new Payload(20, "m", new byte[] {1, 2, 3});
    Payload meta = new Payload(21, "", new byte[] {9});
    SnapshotRecords.Decoded s = SnapshotRecords.decode(SnapshotRecords.encode(1234, Optional.of(meta), snap));
    assertEquals(1234, s.timestamp());
    assertEquals(21, s.metadata().orElseThrow().serializerId());
    assertArrayEquals(new byte[] {9}, s.metadata().orElseThrow().bytes());
    assertEquals("m", s.snapshot().manifest());
    assertArrayEquals(new byte[] {1, 2, 3}, s.snapshot().bytes());

    StateRecords.Decoded live = StateRecords.decode(StateRecords.encode(7, "tag", 99, 5678, Optional.of(snap)));
    assertEquals(7, live.revision());
    assertEquals("tag", live.tag());
    assertEquals(99, live.ordering());
    assertEquals(5678, live.timestamp());
    assertArrayEquals(new byte[] {1, 2, 3}, live.value().orElseThrow().bytes());
    StateRecords.Decoded deleted = StateRecords.decode(StateRecords.encode(8, "", 100, 0, Optional.empty()));
    assertEquals(8, deleted.revision());
    assertEquals(Optional.empty(), deleted.value());
    assertEquals(42, JournalRecords.readHighestSequenceNr(JournalRecords.highestSequenceNr(42)));
  }

  @Test
  void anUnknownFormatVersionOrATruncatedValueIsACorruptionError() {
    byte[] value = JournalRecords.highestSequenceNr(42);
    value[0] = 2;
    CorruptionException e = assertThrows(CorruptionException.class, () -> JournalRecords.readHighestSequenceNr(value));
    assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    byte[] state = StateRecords.encode(7, "tag", 1, 1, Optional.empty());
    assertThrows(CorruptionException.class, () -> StateRecords.decode(Arrays.copyOf(state, 11)));
  }

  @Test
  void aStateRecordOfVersionOneStillReads() {
    byte[] v1 = {1, 0, 0, 0, 0, 0, 0, 0, 7, 1, 0, 1, 't'};
    StateRecords.Decoded old = StateRecords.decode(v1);
    assertEquals(7, old.revision());
    assertEquals("t", old.tag());
    assertEquals(Optional.empty(), old.value());
    assertEquals(0, old.ordering());
  }

  @Test
  void anEventValueCarriesItsOrderingAndTags() {
    byte[] value = JournalRecords.event(new Payload(5, "m", new byte[] {1}), List.of("a".getBytes(), "bc".getBytes()));
    JournalRecords.setOrdering(value, 77);
    assertEquals(new JournalRecords.Header(77, List.of("a", "bc")), JournalRecords.readHeader(value));
    JournalRecords.OrderingEntry entry = JournalRecords.readOrderingEntry(JournalRecords.orderingEntry("p", 3, true));
    assertEquals(new JournalRecords.OrderingEntry("p", 3, true), entry);
  }

  @Test
  void tagKeysOfOneTagSortByOrderingAndNeverMeetAnotherTag() {
    assertTrue(compare(PersistenceKeys.tag("t", 1), PersistenceKeys.tag("t", 256)) < 0);
    assertTrue(compare(PersistenceKeys.tag("t", Long.MAX_VALUE), PersistenceKeys.tag("t2", 0)) < 0);
    assertTrue(compare(PersistenceKeys.tag("t2", Long.MAX_VALUE), PersistenceKeys.ordering(0)) > 0);
    assertEquals("t", PersistenceKeys.persistenceIdOf(PersistenceKeys.tag("t", 5)));
    assertEquals(5, PersistenceKeys.orderingOf(PersistenceKeys.tag("t", 5)));
  }

  private static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }
}
