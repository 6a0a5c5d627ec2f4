package dev.strata.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CorruptionException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {
  static FileMeta file(int level, long number, String smallest, String largest) {
    return new FileMeta(level, number, 1000 + number, smallest.getBytes(), largest.getBytes(), number * 10, number * 10 + 9);
  }

  private static final List<ManifestRecord> ALL = List.of(
      new ManifestRecord.Snapshot(42, 1_000_000, List.of(40L, 41L), List.of(file(0, 7, "a", "m"), file(1, 3, "", "zz"))),
      new ManifestRecord.WalCreated(43),
      new ManifestRecord.FlushCompleted(40, file(0, 44, "b", "c"), 1_000_123),
      new ManifestRecord.CompactionCompleted(List.of(file(0, 7, "a", "m")), List.of(file(1, 45, "a", "f"), file(1, 46, "g", "m"))),
      new ManifestRecord.NextFileNumber(Long.MAX_VALUE / 2),
      new ManifestRecord.WalRetired(43, 1_000_456),
      new ManifestRecord.WalSynced(43, 70_000),
      new ManifestRecord.MergedFlushCompleted(List.of(40L, 41L, 43L), file(0, 47, "a", "z"), 1_000_789));

  @Test
  void everyRecordKindRoundTrips() {
    for (ManifestRecord r : ALL) {
      assertEquals(r, ManifestCodec.decode(ManifestCodec.encode(r), "test"), r.toString());
    }
  }

  @Test
  void anUnknownVersionIsCorruption() {
    byte[] p = ManifestCodec.encode(new ManifestRecord.WalCreated(1));
    p[0] = 9;
    CorruptionException e = assertThrows(CorruptionException.class, () -> ManifestCodec.decode(p, "MANIFEST-1@16"));
    assertTrue(e.getMessage().contains("MANIFEST-1@16") && e.getMessage().contains("version 9"), e.getMessage());
  }

  @Test
  void walSyncedIsEncodedAsDocumented() {
    assertArrayEquals(new byte[] {2, 7, 12, (byte) 0xF0, (byte) 0xA2, 0x04},
        ManifestCodec.encode(new ManifestRecord.WalSynced(12, 70_000)));
  }

  /** Tag 8, the one record written as version 3: WALs 12 and 13 flushed together into SST 14. */
  @Test
  void aMergedFlushIsEncodedAsDocumented() {
    FileMeta sst = new FileMeta(0, 14, 100, "a".getBytes(), "b".getBytes(), 5, 9);
    assertArrayEquals(new byte[] {3, 8, 2, 12, 13, 0, 14, 100, 1, 'a', 1, 'b', 5, 9, 9},
        ManifestCodec.encode(new ManifestRecord.MergedFlushCompleted(List.of(12L, 13L), sst, 9)));
  }

  @Test
  void aMergedFlushMarkedVersionTwoIsCorruption() {
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> ManifestCodec.decode(new byte[] {2, 8, 2, 12, 13, 0, 14, 100, 1, 'a', 1, 'b', 5, 9, 9}, "MANIFEST-9 at offset 40"));
    assertEquals("MANIFEST-9 at offset 40: manifest record tag 8 (MergedFlushCompleted) in a version-2 record; it "
        + "needs version 3", e.getMessage());
  }

  @Test
  void aMergedFlushOfFewerThanTwoWalsIsCorruption() {
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> ManifestCodec.decode(new byte[] {3, 8, 1, 12, 0, 14, 100, 1, 'a', 1, 'b', 5, 9, 9}, "m"));
    assertTrue(e.getMessage().contains("names 1 WALs"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new ManifestRecord.MergedFlushCompleted(List.of(12L), file(0, 14, "a", "b"), 9));
  }

  @Test
  void recordsOtherThanAMergedFlushAreStillWrittenAsVersionTwo() {
    for (ManifestRecord r : ALL) {
      int expected = r instanceof ManifestRecord.MergedFlushCompleted ? 3 : 2;
      assertEquals(expected, ManifestCodec.encode(r)[0], r.toString());
    }
  }

  /** Records as version 1 wrote them, byte for byte: a manifest from before sync points reads as before. */
  @Test
  void versionOneRecordsStillDecode() {
    assertEquals(new ManifestRecord.WalCreated(3), ManifestCodec.decode(new byte[] {1, 2, 3}, "m"));
    assertEquals(new ManifestRecord.WalRetired(2, 201),
        ManifestCodec.decode(new byte[] {1, 6, 2, (byte) 0xC9, 0x01}, "m"));
    assertEquals(new ManifestRecord.NextFileNumber(4), ManifestCodec.decode(new byte[] {1, 5, 4}, "m"));
  }

  @Test
  void aWalSyncedRecordMarkedVersionOneIsCorruption() {
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> ManifestCodec.decode(new byte[] {1, 7, 12, 16}, "MANIFEST-9 at offset 40"));
    assertEquals("MANIFEST-9 at offset 40: manifest record tag 7 (WalSynced) in a version-1 record; it needs "
        + "version 2", e.getMessage());
  }

  @Test
  void anUnknownTagIsCorruption() {
    byte[] p = ManifestCodec.encode(new ManifestRecord.WalCreated(1));
    p[1] = 77;
    assertThrows(CorruptionException.class, () -> ManifestCodec.decode(p, "m"));
  }

  @Test
  void everyTruncationIsCorruptionNeverAWrongRecord() {
    for (ManifestRecord r : ALL) {
      byte[] p = ManifestCodec.encode(r);
      for (int len = 0; len < p.length; len++) {
        byte[] cut = Arrays.copyOf(p, len);
        assertThrows(CorruptionException.class, () -> ManifestCodec.decode(cut, "m"), r + " cut at " + len);
      }
    }
  }

  @Test
  void trailingBytesAreCorruption() {
    byte[] p = ManifestCodec.encode(new ManifestRecord.WalCreated(1));
    assertThrows(CorruptionException.class, () -> ManifestCodec.decode(Arrays.copyOf(p, p.length + 1), "m"));
  }
}
