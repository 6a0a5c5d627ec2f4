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
 * <p>The journal's store-wide records (format version 2 of the journal, {@link JournalRecords}):
 *
 * <pre>
 * 0x05 | ordering (8 bytes big-endian)                                  the ordering log: one per event
 * 0x06 | tag length (2 bytes, unsigned big-endian) | tag (UTF-8) | ordering (8 bytes big-endian)
 *                                                                       the tag index: one per (tag, event)
 * 0x07                                                                  the highest ordering ever assigned
 * 0x08                                                                  the journal's format version
 * 0x09 | tag length (2 bytes, unsigned big-endian) | tag (UTF-8) | ordering (8 bytes big-endian)
 *                                                                       durable state tag index: an id's latest change
 * 0x0A                                                                  the highest durable state ordering
 * </pre>
 *
 * <p>The ordering is the journal's store-wide sequence of events ({@link JournalCommitter} assigns
 * it, in commit order, and never reuses a number): the offset ({@code Sequence}) of the read
 * journal's queries. A tag shares the id's length-prefixed layout, so one tag's entries are one
 * key range, in ordering order: {@code eventsByTag} from an offset is one forward scan. Ordering
 * keys carry no id, so the ordering log is one range in commit order. The highest ordering has its
 * own key, written in the batch of the events it numbers, so that a journal starts by one read
 * (Strata scans forward only, and deleted events take their ordering entries with them).
 *
 * <p>Durable state changes have an ordering of their own ({@link StateSequencer}). A tagged state
 * has one entry in the state tag index, under its latest change's ordering: each change moves it
 * (deletes the old entry, writes the new) in the change's transaction, so {@code changes(tag)} reads
 * each id's latest change once, as Akka's durable state queries ask.
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
  static final byte ORDERING = 0x05;
  static final byte TAG = 0x06;
  static final byte HIGHEST_ORDERING = 0x07;
  static final byte JOURNAL_FORMAT = 0x08;
  static final byte STATE_TAG = 0x09;
  static final byte HIGHEST_STATE_ORDERING = 0x0A;

  /** The longest persistence id, in UTF-8 bytes, that fits a key with an 8-byte suffix. */
  static final int MAX_PERSISTENCE_ID_BYTES = Limits.MAX_KEY_BYTES - 1 - 2 - 8;

  private PersistenceKeys() {}

  static byte[] event(String persistenceId, long sequenceNr) {
    return withSequence(EVENT, persistenceId, checkSequenceNr(sequenceNr));
  }

  /** The event key of an id already encoded (and checked) by {@link #persistenceIdBytes}. */
  static byte[] event(byte[] persistenceIdUtf8, long sequenceNr) {
    return ByteBuffer.allocate(1 + 2 + persistenceIdUtf8.length + 8).put(EVENT).putShort((short) persistenceIdUtf8.length)
        .put(persistenceIdUtf8).putLong(checkSequenceNr(sequenceNr)).array();
  }

  static byte[] highestSequenceNr(String persistenceId) {
    return prefix(HIGHEST_SEQUENCE_NR, persistenceId, 0).array();
  }

  /** The UTF-8 of a persistence id; throws when it is too long for a key. */
  static byte[] persistenceIdBytes(String persistenceId) {
    return utf8(persistenceId, "persistence id");
  }

  /** Writes {@code ordering} into a tag key built with ordering 0 (by {@link #tag}), in place. */
  static void setTagOrdering(byte[] tagKey, long ordering) {
    ByteBuffer.wrap(tagKey).putLong(tagKey.length - 8, checkOrdering(ordering));
  }

  static byte[] snapshot(String persistenceId, long sequenceNr) {
    return withSequence(SNAPSHOT, persistenceId, Long.MAX_VALUE - checkSequenceNr(sequenceNr));
  }

  static byte[] state(String persistenceId) {
    return prefix(STATE, persistenceId, 0).array();
  }

  static byte[] ordering(long ordering) {
    return ByteBuffer.allocate(9).put(ORDERING).putLong(checkOrdering(ordering)).array();
  }

  /** The tag index entry of {@code tag} for the event numbered {@code ordering}. */
  static byte[] tag(String tag, long ordering) {
    return prefix(TAG, tag, 8, "tag").putLong(checkOrdering(ordering)).array();
  }

  /** The state tag index entry of {@code tag} for the change numbered {@code ordering}. */
  static byte[] stateTag(String tag, long ordering) {
    return prefix(STATE_TAG, tag, 8, "tag").putLong(checkOrdering(ordering)).array();
  }

  static byte[] highestStateOrdering() {
    return new byte[] {HIGHEST_STATE_ORDERING};
  }

  static byte[] highestOrdering() {
    return new byte[] {HIGHEST_ORDERING};
  }

  static byte[] journalFormat() {
    return new byte[] {JOURNAL_FORMAT};
  }

  /** The first key of a kind: every key of the kind sorts at or after it and before {@code kindStart(kind + 1)}. */
  static byte[] kindStart(byte kind) {
    return new byte[] {kind};
  }

  /** The ordering at the end of an ordering or tag key. */
  static long orderingOf(byte[] key) {
    return ByteBuffer.wrap(key, key.length - 8, 8).getLong();
  }

  /** The persistence id of a key of kind 0x01 to 0x04. */
  static String persistenceIdOf(byte[] key) {
    int length = ((key[1] & 0xFF) << 8) | (key[2] & 0xFF);
    return new String(key, 3, length, StandardCharsets.UTF_8);
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

  private static long checkOrdering(long ordering) {
    if (ordering < 0) {
      throw new IllegalArgumentException("orderings must not be negative: " + ordering);
    }
    return ordering;
  }

  private static byte[] withSequence(byte kind, String persistenceId, long suffix) {
    return prefix(kind, persistenceId, 8).putLong(suffix).array();
  }

  private static ByteBuffer prefix(byte kind, String persistenceId, int suffixBytes) {
    return prefix(kind, persistenceId, suffixBytes, "persistence id");
  }

  private static ByteBuffer prefix(byte kind, String persistenceId, int suffixBytes, String what) {
    byte[] id = utf8(persistenceId, what);
    return ByteBuffer.allocate(1 + 2 + id.length + suffixBytes).put(kind).putShort((short) id.length).put(id);
  }

  private static byte[] utf8(String persistenceId, String what) {
    if (persistenceId == null) {
      throw new NullPointerException(what + " must not be null");
    }
    byte[] id = persistenceId.getBytes(StandardCharsets.UTF_8);
    if (id.length > MAX_PERSISTENCE_ID_BYTES) {
      throw new IllegalArgumentException(what + " is " + id.length + " bytes of UTF-8; the limit is "
          + MAX_PERSISTENCE_ID_BYTES);
    }
    return id;
  }
}
