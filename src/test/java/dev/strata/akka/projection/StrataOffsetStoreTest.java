package dev.strata.akka.projection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.query.Sequence;
import akka.persistence.query.TimeBasedUUID;
import akka.projection.ProjectionId;
import dev.strata.akka.testkit.StrataTestKit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The offset store: every offset type round-trips, per projection id, and survives a reopen of the store. */
class StrataOffsetStoreTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  StrataTestKit strata;
  StrataOffsetStore offsets;

  @BeforeEach
  void openStore() {
    strata = StrataTestKit.create(testKit.system());
    offsets = StrataOffsetStore.create(testKit.system(), strata.store());
  }

  @AfterEach
  void closeStore() {
    strata.close();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  @Test
  void everySupportedOffsetTypeRoundTrips() {
    List<Object> values = List.of(Sequence.apply(0), Sequence.apply(Long.MAX_VALUE), 42L, -1L, 7, "shard-3:1234", "",
        TimeBasedUUID.apply(UUID.fromString("49225740-2019-11ea-a752-ffae2393b6e4")));
    for (Object value : values) {
      ProjectionId id = ProjectionId.of("p", value.getClass().getSimpleName() + value);
      await(offsets.saveOffset(id, value));
      assertEquals(Optional.of(value), await(offsets.readOffset(id)), "offset " + value);
    }
  }

  @Test
  void aProjectionWithoutAStoredOffsetReadsEmpty() {
    assertEquals(Optional.empty(), await(offsets.readOffset(ProjectionId.of("never", "ran"))));
    assertEquals(Optional.empty(), await(offsets.readPaused(ProjectionId.of("never", "ran"))));
  }

  @Test
  void savingReplacesTheOffsetAndClearingRemovesIt() {
    ProjectionId id = ProjectionId.of("orders", "a");
    await(offsets.saveOffset(id, 5L));
    await(offsets.saveOffset(id, 9L));
    assertEquals(Optional.of(9L), await(offsets.readOffset(id)));
    await(offsets.clearOffset(id));
    assertEquals(Optional.empty(), await(offsets.readOffset(id)));
  }

  @Test
  void offsetsAreKeptPerNameAndKeyWithoutCollisions() {
    // ("a", "bc") and ("ab", "c") would be one key if name and key were simply concatenated.
    await(offsets.saveOffset(ProjectionId.of("a", "bc"), 1L));
    await(offsets.saveOffset(ProjectionId.of("ab", "c"), 2L));
    await(offsets.saveOffset(ProjectionId.of("ab", "d"), 3L));
    assertEquals(Optional.of(1L), await(offsets.readOffset(ProjectionId.of("a", "bc"))));
    assertEquals(Optional.of(2L), await(offsets.readOffset(ProjectionId.of("ab", "c"))));
    assertEquals(Optional.of(3L), await(offsets.readOffset(ProjectionId.of("ab", "d"))));
  }

  @Test
  void pausedStateRoundTripsApartFromTheOffset() {
    ProjectionId id = ProjectionId.of("orders", "a");
    await(offsets.saveOffset(id, 3L));
    await(offsets.savePaused(id, true));
    assertEquals(Optional.of(true), await(offsets.readPaused(id)));
    await(offsets.savePaused(id, false));
    assertEquals(Optional.of(false), await(offsets.readPaused(id)));
    assertEquals(Optional.of(3L), await(offsets.readOffset(id)));
  }

  @Test
  void offsetsAndPausedStateSurviveAReopenOfTheStore() {
    ProjectionId id = ProjectionId.of("orders", "a");
    await(offsets.saveOffset(id, Sequence.apply(77)));
    await(offsets.savePaused(id, true));
    StrataOffsetStore reopened = StrataOffsetStore.create(testKit.system(), strata.reopen());
    assertEquals(Optional.of(Sequence.apply(77)), await(reopened.readOffset(id)));
    assertEquals(Optional.of(true), await(reopened.readPaused(id)));
  }

  @Test
  void anOffsetOfAnUnsupportedTypeIsRefusedBeforeAnythingIsWritten() {
    ProjectionId id = ProjectionId.of("orders", "a");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> offsets.saveOffset(id, 1.5d));
    assertTrue(e.getMessage().contains("java.lang.Double"), e.getMessage());
    assertEquals(Optional.empty(), await(offsets.readOffset(id)));
  }

  @Test
  void aRecordOfAnUnknownFormatVersionFailsTheReadWithAClearError() {
    ProjectionId id = ProjectionId.of("orders", "a");
    strata.store().put(OffsetKeys.offset(id), new byte[] {9, 2, 0, 0, 0, 0, 0, 0, 0, 1});
    CompletionException e = assertThrows(CompletionException.class, () -> await(offsets.readOffset(id)));
    assertTrue(e.getCause().getMessage().contains("format version 9"), e.getCause().getMessage());
  }

  @Test
  void aTruncatedOffsetRecordFailsTheReadWithAClearError() {
    ProjectionId id = ProjectionId.of("orders", "a");
    strata.store().put(OffsetKeys.offset(id), new byte[] {1, 2, 0, 0});
    CompletionException e = assertThrows(CompletionException.class, () -> await(offsets.readOffset(id)));
    assertTrue(e.getCause().getMessage().contains("truncated"), e.getCause().getMessage());
  }

  @Test
  void theOffsetKeyIsTheDocumentedLayout() {
    assertArrayEquals(new byte[] {0x10, 0, 2, 'a', 'b', 0, 1, 'c'}, OffsetKeys.offset(ProjectionId.of("ab", "c")));
    assertArrayEquals(new byte[] {0x11, 0, 2, 'a', 'b', 0, 1, 'c'}, OffsetKeys.management(ProjectionId.of("ab", "c")));
    assertFalse(java.util.Arrays.equals(OffsetKeys.offset(ProjectionId.of("a", "bc")),
        OffsetKeys.offset(ProjectionId.of("ab", "c"))));
  }
}
