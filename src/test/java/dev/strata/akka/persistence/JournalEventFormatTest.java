package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.persistence.PersistentRepr;
import akka.persistence.PersistentRepr$;
import akka.testkit.javadsl.TestKit;
import com.typesafe.config.ConfigFactory;
import dev.strata.CorruptionException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A journal event's value, as JournalRecords documents it: format 3 holds the PersistentRepr's
 * fields and reads back every one of them; what format 3 cannot carry stays format 2; format 2
 * values still read; damaged values are corruption, never a wrong event.
 */
class JournalEventFormatTest {
  private static final byte[] ID = "order-17".getBytes(StandardCharsets.UTF_8);
  private static ActorSystem system;
  private static PayloadSerialization serialization;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("journal-event-format");
    serialization = new PayloadSerialization(system);
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  private static PersistentRepr repr(Object payload, long seq, String manifest, String writer, long timestamp) {
    return PersistentRepr$.MODULE$.apply(payload, seq, "order-17", manifest, false, null, writer)
        .withTimestamp(timestamp);
  }

  private static byte[] fieldsEvent(PersistentRepr repr, List<String> tags) throws Exception {
    PersistentReprFields fields = new PersistentReprFields(serialization);
    assertTrue(fields.encodes(repr), "a live event without sender is written as fields");
    return JournalRecords.event(fields.encode(repr, ID), tags.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList());
  }

  private static void assertSameEvent(PersistentRepr expected, PersistentRepr actual) {
    assertEquals(expected.payload(), actual.payload());
    assertEquals(expected.sequenceNr(), actual.sequenceNr());
    assertEquals(expected.persistenceId(), actual.persistenceId());
    assertEquals(expected.manifest(), actual.manifest());
    assertEquals(expected.writerUuid(), actual.writerUuid());
    assertEquals(expected.timestamp(), actual.timestamp());
    assertEquals(expected.metadata(), actual.metadata());
    assertEquals(expected.deleted(), actual.deleted());
    assertEquals(expected.sender(), actual.sender());
  }

  @Test
  void formatThreeReadsBackEveryFieldTheOrderingAndTheTags() throws Exception {
    PersistentRepr written = repr("shipped", 7, "order-event-v2", "writer-uuid-1", 1_700_000_000_123L)
        .withMetadata("trace=42");
    byte[] value = fieldsEvent(written, List.of("blue", "orders"));
    JournalRecords.setOrdering(value, 9_001);

    assertEquals(JournalRecords.FIELDS_VERSION, value[0]);
    JournalRecords.StoredEvent stored = JournalRecords.readStoredEvent(value, serialization);
    assertEquals(9_001, stored.ordering());
    assertEquals(List.of("blue", "orders"), stored.tags());
    assertSameEvent(written, stored.repr());
    assertSameEvent(written, replay(value));
    assertEquals(new JournalRecords.Header(9_001, List.of("blue", "orders")), JournalRecords.readHeader(value));
  }

  @Test
  void formatThreeLaysItsFieldsOutAsDocumented() throws Exception {
    byte[] value = fieldsEvent(repr("x", 513, "", "w", 0), List.of("t"));
    ByteBuffer in = ByteBuffer.wrap(value);
    assertEquals(3, in.get());
    assertEquals(0, in.getLong(), "ordering, written in by the committer");
    assertEquals(1, in.getShort());
    assertEquals("t", shortString(in));
    assertEquals(513, in.getLong());
    assertEquals(0, in.getLong(), "no timestamp");
    assertEquals("order-17", shortString(in));
    assertEquals("w", shortString(in));
    assertEquals("", shortString(in));
    assertEquals(0, in.get(), "no metadata");
    Payload payload = serialization.serialize("x");
    assertEquals(payload.serializerId(), in.getInt());
    assertEquals(payload.manifest(), shortString(in));
    byte[] bytes = new byte[in.getInt()];
    in.get(bytes);
    assertEquals("x", new String(bytes, StandardCharsets.UTF_8));
    assertFalse(in.hasRemaining());
  }

  @Test
  void aReplayTakesTheIdItAsksForInsteadOfDecodingIt() throws Exception {
    byte[] value = fieldsEvent(repr("x", 1, "", "w", 0), List.of());
    assertEquals("order-17", replay(value).persistenceId());
    assertEquals("order-17", JournalRecords.readStoredEvent(value, serialization).repr().persistenceId());
  }

  @Test
  void aReplaysEventsOfSeveralWritersEachKeepTheirOwnWriter() throws Exception {
    PersistentReprFields.WriterCache writers = new PersistentReprFields.WriterCache();
    List<String> uuids = List.of("writer-a", "writer-a", "writer-b", "", "writer-a", "writer-é");
    for (int i = 0; i < uuids.size(); i++) {
      byte[] value = fieldsEvent(repr("e" + i, i + 1, "", uuids.get(i), 0), List.of());
      PersistentRepr read = JournalRecords.readEvent(value, serialization, "order-17", writers);
      assertEquals(uuids.get(i), read.writerUuid(), "event " + (i + 1));
      assertEquals("e" + i, read.payload());
    }
  }

  @Test
  void whatFormatThreeCannotCarryIsWrittenAsFormatTwoAndReadsBack() {
    PersistentReprFields fields = new PersistentReprFields(serialization);
    ActorRef sender = system.deadLetters();
    assertFalse(fields.encodes(repr("x", 1, "", "w", 0).update(1, "order-17", false, sender, "w")));
    assertFalse(fields.encodes(repr("x", 1, "", "w", 0).update(1, "order-17", true, null, "w")));

    PersistentRepr withSender = repr("x", 3, "m", "w", 5).update(3, "order-17", false, sender, "w");
    byte[] value = JournalRecords.event(serialize(withSender), List.of());
    assertEquals(JournalRecords.EVENT_VERSION, value[0]);
    assertSameEvent(withSender, replay(value));
  }

  @Test
  void anApplicationsOwnPersistentReprSerializerKeepsFormatTwo() {
    ActorSystem own = ActorSystem.create("journal-event-format-own", ConfigFactory.parseString("""
        akka.actor.allow-java-serialization = on
        akka.actor.warn-about-java-serializer-usage = off
        akka.actor.serialization-bindings { "akka.persistence.PersistentRepr" = java }
        """).withFallback(ConfigFactory.load()));
    try {
      PersistentReprFields fields = new PersistentReprFields(new PayloadSerialization(own));
      assertFalse(fields.encodes(repr("x", 1, "", "w", 0)));
    } finally {
      TestKit.shutdownActorSystem(own);
    }
  }

  @Test
  void everyProperPrefixOfAFormatThreeEventIsCorruption() throws Exception {
    byte[] value = fieldsEvent(repr("payload", 2, "m", "w", 9).withMetadata("meta"), List.of("t"));
    for (int length = 0; length < value.length; length++) {
      byte[] prefix = Arrays.copyOf(value, length);
      assertThrows(CorruptionException.class, () -> JournalRecords.readStoredEvent(prefix, serialization),
          "prefix of " + length + " bytes");
      assertThrows(CorruptionException.class, () -> replay(prefix),
          "prefix of " + length + " bytes");
    }
  }

  @Test
  void unknownVersionsFlagsAndTrailingBytesAreCorruption() throws Exception {
    byte[] value = fieldsEvent(repr("x", 1, "", "w", 0), List.of());
    byte[] newer = value.clone();
    newer[0] = 4;
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> JournalRecords.readStoredEvent(newer, serialization));
    assertTrue(e.getMessage().contains("format version 4"), e.getMessage());

    byte[] flagged = value.clone();
    int flagsAt = 1 + 8 + 2 + 8 + 8 + (2 + ID.length) + (2 + 1) + 2;
    flagged[flagsAt] = 2;
    e = assertThrows(CorruptionException.class, () -> replay(flagged));
    assertTrue(e.getMessage().contains("unknown flags"), e.getMessage());

    byte[] longer = Arrays.copyOf(value, value.length + 1);
    e = assertThrows(CorruptionException.class, () -> JournalRecords.readStoredEvent(longer, serialization));
    assertTrue(e.getMessage().contains("after its fields"), e.getMessage());
  }

  private static PersistentRepr replay(byte[] value) {
    return JournalRecords.readEvent(value, serialization, "order-17", new PersistentReprFields.WriterCache());
  }

  private static Payload serialize(Object o) {
    try {
      return serialization.serialize(o);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String shortString(ByteBuffer in) {
    return Payload.readShortString(in);
  }
}
