package dev.strata.akka.persistence;

import dev.strata.Limits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The keys the persistence plugins write, one layout for every record kind:
 *
 * <pre>
 * kind (1 byte) | persistence id length (2 bytes, unsigned big-endian) | persistence id (UTF-8) | suffix
 *
 * kind  record                      suffix
 * 0x01  event                       sequence number, 8 bytes big-endian
 * 0x02  highest sequence number     none
 * 0x03  snapshot                    Long.MAX_VALUE - sequence number, 8 bytes big-endian
 * 0x04  durable state               none
 * </pre>
 *
 * <p>Why this shape:
 * <ul>
 *   <li>The kind byte first keeps each record kind in a key range of its own, so the journal, the
 *       snapshot store and the state store share a store without meeting. Every kind is below
 *       0x20, so an application's printable keys in the same store never collide with them.
 *   <li>The length prefix, rather than a separator, makes the id unambiguous whatever bytes it
 *       holds (a persistence id may contain any character, U+0000 included). Two keys of one kind
 *       and one id share the prefix {@code kind | length | id}, and every key sorting between
 *       them shares it too, so a scan between two of them never strays into another id.
 *   <li>Sequence numbers are never negative, so their big-endian bytes sort as the numbers do:
 *       a replay is one ascending scan. Snapshots store {@code Long.MAX_VALUE - sequenceNr} so the
 *       newest sorts first: Strata scans forward only, and loading the latest snapshot that
 *       matches a criteria then stops at the first match instead of reading every older one.
 *   <li>The highest sequence number lives in its own key, written in the same batch as the
 *       events, so it survives the deletion of every event.
 * </ul>
 *
 * <p>Persistence ids are limited to {@link #MAX_PERSISTENCE_ID_BYTES} bytes of UTF-8 (Strata's key
 * limit less the kind, length and suffix). Stateless; thread-safe.
 */
final class PersistenceKeys {
  static final byte EVENT = 0x01;
  static final byte HIGHEST_SEQUENCE_NR = 0x02;
  static final byte SNAPSHOT = 0x03;
  static final byte STATE = 0x04;

  /** The longest persistence id, in UTF-8 bytes, that fits a key with an 8-byte suffix. */
  static final int MAX_PERSISTENCE_ID_BYTES = Limits.MAX_KEY_BYTES - 1 - 2 - 8;

  private PersistenceKeys() {}

  static byte[] event(String persistenceId, long sequenceNr) {
    return withSequence(EVENT, persistenceId, checkSequenceNr(sequenceNr));
  }

  static byte[] highestSequenceNr(String persistenceId) {
    return prefix(HIGHEST_SEQUENCE_NR, persistenceId, 0).array();
  }

  static byte[] snapshot(String persistenceId, long sequenceNr) {
    return withSequence(SNAPSHOT, persistenceId, Long.MAX_VALUE - checkSequenceNr(sequenceNr));
  }

  static byte[] state(String persistenceId) {
    return prefix(STATE, persistenceId, 0).array();
  }

  /** The sequence number at the end of an event key. */
  static long eventSequenceNr(byte[] key) {
    return ByteBuffer.wrap(key, key.length - 8, 8).getLong();
  }

  /** The sequence number at the end of a snapshot key. */
  static long snapshotSequenceNr(byte[] key) {
    return Long.MAX_VALUE - ByteBuffer.wrap(key, key.length - 8, 8).getLong();
  }

  private static long checkSequenceNr(long sequenceNr) {
    if (sequenceNr < 0) {
      throw new IllegalArgumentException("sequence numbers must not be negative: " + sequenceNr);
    }
    return sequenceNr;
  }

  private static byte[] withSequence(byte kind, String persistenceId, long suffix) {
    return prefix(kind, persistenceId, 8).putLong(suffix).array();
  }

  private static ByteBuffer prefix(byte kind, String persistenceId, int suffixBytes) {
    if (persistenceId == null) {
      throw new NullPointerException("persistenceId must not be null");
    }
    byte[] id = persistenceId.getBytes(StandardCharsets.UTF_8);
    if (id.length > MAX_PERSISTENCE_ID_BYTES) {
      throw new IllegalArgumentException("persistence id is " + id.length + " bytes of UTF-8; the limit is "
          + MAX_PERSISTENCE_ID_BYTES);
    }
    return ByteBuffer.allocate(1 + 2 + id.length + suffixBytes).put(kind).putShort((short) id.length).put(id);
  }
}
