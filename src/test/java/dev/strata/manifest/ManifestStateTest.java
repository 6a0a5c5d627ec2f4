package dev.strata.manifest;

import static dev.strata.manifest.ManifestCodecTest.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.CorruptionException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store's shape is the fold of its manifest records. */
class ManifestStateTest {
  @Test
  void aFlushMovesAWalsMemtableIntoL0() {
    ManifestState s = new ManifestState()
        .apply(new ManifestRecord.WalCreated(1))
        .apply(new ManifestRecord.WalCreated(2))
        .apply(new ManifestRecord.FlushCompleted(1, file(0, 3, "a", "z"), 500));
    assertEquals(List.of(2L), s.liveWals());
    assertEquals(List.of(file(0, 3, "a", "z")), s.level(0));
    assertEquals(500, s.lastSequence());
    assertEquals(4, s.nextFileNumber(), "numbers already used are never handed out again");
  }

  @Test
  void aMergedFlushMovesSeveralWalsMemtablesIntoOneL0File() {
    ManifestState s = new ManifestState()
        .apply(new ManifestRecord.WalCreated(1))
        .apply(new ManifestRecord.WalCreated(2))
        .apply(new ManifestRecord.WalRetired(1, 300))
        .apply(new ManifestRecord.WalSynced(1, 4_096))
        .apply(new ManifestRecord.WalCreated(4))
        .apply(new ManifestRecord.WalRetired(2, 500))
        .apply(new ManifestRecord.MergedFlushCompleted(List.of(1L, 2L), file(0, 3, "a", "z"), 500));
    assertEquals(List.of(4L), s.liveWals());
    assertEquals(List.of(file(0, 3, "a", "z")), s.level(0));
    assertEquals(500, s.lastSequence());
    assertEquals(-1, s.retiredWalEnd(1));
    assertEquals(-1, s.retiredWalEnd(2));
    assertEquals(List.of(), s.afterSnapshot(), "neither flushed WAL's end nor sync point is kept");
  }

  @Test
  void aRetiredWalKeepsItsLastSequenceUntilItsMemtableIsFlushed() {
    ManifestState s = new ManifestState()
        .apply(new ManifestRecord.WalCreated(1))
        .apply(new ManifestRecord.WalCreated(2))
        .apply(new ManifestRecord.WalRetired(1, 700));
    assertEquals(700, s.retiredWalEnd(1));
    assertEquals(-1, s.retiredWalEnd(2), "the newest WAL is not retired");
    assertEquals(List.of(new ManifestRecord.WalRetired(1, 700)), s.afterSnapshot());
    s.apply(new ManifestRecord.FlushCompleted(1, file(0, 3, "a", "z"), 700));
    assertEquals(-1, s.retiredWalEnd(1));
    assertEquals(List.of(), s.afterSnapshot());
  }

  @Test
  void aSnapshotFollowedByWhatItLeavesOutRestoresTheRetiredWals() {
    ManifestState s = new ManifestState()
        .apply(new ManifestRecord.WalCreated(1))
        .apply(new ManifestRecord.WalRetired(1, 700))
        .apply(new ManifestRecord.WalCreated(2));
    ManifestState restored = new ManifestState().apply(s.snapshot());
    s.afterSnapshot().forEach(restored::apply);
    assertEquals(700, restored.retiredWalEnd(1));
    assertEquals(List.of(1L, 2L), restored.liveWals());
  }

  @Test
  void aWalKeepsItsLargestRecordedSyncPointUntilItsMemtableIsFlushedAndAcrossASnapshot() {
    ManifestState s = new ManifestState()
        .apply(new ManifestRecord.WalCreated(1))
        .apply(new ManifestRecord.WalSynced(1, 5_000))
        .apply(new ManifestRecord.WalSynced(1, 900))
        .apply(new ManifestRecord.WalCreated(2));
    assertEquals(5_000, s.walSyncedBytes(1), "the largest sync point counts");
    assertEquals(-1, s.walSyncedBytes(2), "none recorded");
    ManifestState restored = new ManifestState().apply(s.snapshot());
    s.afterSnapshot().forEach(restored::apply);
    assertEquals(5_000, restored.walSyncedBytes(1));
    s.apply(new ManifestRecord.FlushCompleted(1, file(0, 3, "a", "z"), 700));
    assertEquals(-1, s.walSyncedBytes(1));
  }

  @Test
  void aSyncPointOfAWalThatIsNotLiveIsCorruption() {
    ManifestState s = new ManifestState().apply(new ManifestRecord.WalCreated(1));
    assertThrows(CorruptionException.class, () -> s.apply(new ManifestRecord.WalSynced(2, 16)));
  }

  @Test
  void retiringAWalThatIsNotLiveIsCorruption() {
    ManifestState s = new ManifestState().apply(new ManifestRecord.WalCreated(1));
    assertThrows(CorruptionException.class, () -> s.apply(new ManifestRecord.WalRetired(2, 5)));
  }

  @Test
  void l0ListsNewestFirstAndOtherLevelsByKey() {
    ManifestState s = new ManifestState()
        .apply(new ManifestRecord.FlushCompleted(1, file(0, 5, "a", "z"), 1))
        .apply(new ManifestRecord.FlushCompleted(2, file(0, 9, "a", "z"), 2))
        .apply(new ManifestRecord.CompactionCompleted(List.of(),
            List.of(file(1, 11, "m", "p"), file(1, 10, "a", "c"))));
    assertEquals(List.of(9L, 5L), s.level(0).stream().map(FileMeta::number).toList());
    assertEquals(List.of(10L, 11L), s.level(1).stream().map(FileMeta::number).toList());
  }

  @Test
  void aCompactionReplacesItsInputs() {
    ManifestState s = new ManifestState()
        .apply(new ManifestRecord.FlushCompleted(1, file(0, 5, "a", "m"), 1))
        .apply(new ManifestRecord.FlushCompleted(2, file(0, 6, "n", "z"), 2))
        .apply(new ManifestRecord.CompactionCompleted(List.of(file(0, 5, "a", "m"), file(0, 6, "n", "z")),
            List.of(file(1, 7, "a", "z"))));
    assertEquals(List.of(), s.level(0));
    assertEquals(List.of(file(1, 7, "a", "z")), s.level(1));
  }

  @Test
  void removingAFileThatIsNotThereIsCorruption() {
    ManifestState s = new ManifestState();
    assertThrows(CorruptionException.class, () -> s.apply(
        new ManifestRecord.CompactionCompleted(List.of(file(1, 5, "a", "b")), List.of())));
  }

  @Test
  void addingAFileTwiceIsCorruption() {
    ManifestState s = new ManifestState().apply(new ManifestRecord.FlushCompleted(1, file(0, 5, "a", "m"), 1));
    assertThrows(CorruptionException.class, () -> s.apply(new ManifestRecord.FlushCompleted(2, file(0, 5, "a", "m"), 1)));
  }

  @Test
  void aSnapshotReproducesTheFoldedState() {
    ManifestState s = new ManifestState()
        .apply(new ManifestRecord.WalCreated(1))
        .apply(new ManifestRecord.FlushCompleted(1, file(0, 2, "a", "m"), 10))
        .apply(new ManifestRecord.WalCreated(3))
        .apply(new ManifestRecord.CompactionCompleted(List.of(), List.of(file(2, 4, "x", "y"))))
        .apply(new ManifestRecord.NextFileNumber(100));
    ManifestState copy = new ManifestState().apply(s.snapshot());
    assertEquals(s.snapshot(), copy.snapshot());
    assertEquals(100, copy.nextFileNumber());
    assertEquals(List.of(3L), copy.liveWals());
  }
}
