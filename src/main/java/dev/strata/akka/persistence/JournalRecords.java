package dev.strata.akka.persistence;

import akka.persistence.PersistentRepr;
import dev.strata.CorruptionException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of the journal's records (keys: {@link PersistenceKeys}). Strata's WAL records and SST
 * blocks carry CRC32C checksums, so these formats carry none of their own.
 *
 * <pre>
 * event (key kind 0x01), and its copy in the tag index (key kind 0x06)
 *   byte  0          format version: 3 or 2 (version 1, written before the read journal, lacks bytes 1..10+)
 *   bytes 1..8       the event's ordering, int64 big-endian
 *   bytes 9..10      tag count n, unsigned int16 big-endian
 *   then n times     tag length t (unsigned int16 big-endian) | tag (t bytes, UTF-8)
 *   version 3 (the PersistentRepr's fields, see PersistentReprFields):
 *   bytes 8          sequence number, int64 big-endian
 *   bytes 8          timestamp (ms since the epoch, 0 when unset), int64 big-endian
 *   then 3 times     length l (unsigned int16 big-endian) | l bytes of UTF-8: the persistence id,
 *                    the writer uuid, the event adapter's manifest ("" when none)
 *   byte  1          flags: bit 0 set when metadata follows the payload; other bits must be 0
 *   bytes 4          the event payload's serializer id, int32 big-endian
 *   bytes 2          its manifest length m, unsigned int16 big-endian
 *   bytes m          its manifest, UTF-8
 *   bytes 4          its length p, int32 big-endian
 *   bytes p          the payload (without its Tagged wrapper) as its serializer wrote it
 *   when flag bit 0 is set, the metadata in the same four fields (serializer id, manifest length,
 *                    manifest, length-prefixed bytes); nothing may follow
 *   version 2 (a PersistentRepr version 3 cannot carry, or bound to a serializer of the application's):
 *   bytes 4          serializer id, int32 big-endian
 *   bytes 2          manifest length m, unsigned int16 big-endian
 *   bytes m          manifest, UTF-8
 *   the rest         the whole PersistentRepr (payload without its Tagged wrapper, sequence number,
 *                    persistence id, writer uuid, manifest, timestamp, metadata) as that serializer
 *                    wrote it: Akka's MessageSerializer, unless the application binds PersistentRepr elsewhere
 *
 * highest sequence number (key kind 0x02)
 *   byte  0          format version: 1
 *   bytes 1..8       the highest sequence number ever written for the id, int64 big-endian
 *
 * ordering log entry (key kind 0x05)
 *   byte  0          format version: 1
 *   byte  1          flags: bit 0 set when the event is the first its persistence id ever wrote
 *   bytes 2..9       the event's sequence number, int64 big-endian
 *   bytes 10..11     persistence id length p, unsigned int16 big-endian
 *   bytes 12..11+p   persistence id, UTF-8
 *
 * highest ordering (key kind 0x07)
 *   byte  0          format version: 1
 *   bytes 1..8       the highest ordering ever assigned, int64 big-endian
 *
 * journal format (key kind 0x08)
 *   byte  0          format version: 1
 *   bytes 1..4       the journal's layout version, int32 big-endian: 2 (ordering log and tag index)
 * </pre>
 *
 * <p>A tag index entry holds a copy of its event's value, so that {@code eventsByTag} reads one key
 * range instead of one random read per event (as Akka's LevelDB journal did). Stateless; thread-safe.
 */
final class JournalRecords {
  static final byte VERSION = 1;
  /** An event holding its whole PersistentRepr as Akka serialization wrote it. */
  static final byte EVENT_VERSION = 2;
  /** An event holding its PersistentRepr's fields (PersistentReprFields). */
  static final byte FIELDS_VERSION = 3;
  /** The journal layout this code writes: events of version 2 with their ordering log and tag index. */
  static final int LAYOUT = 2;
  private static final int FIRST_OF_ID = 1;
  private static final int MAX_TAGS = 0xFFFF;

  /** An event as stored: its ordering (0 for a version 1 event), tags and the PersistentRepr. */
  record StoredEvent(long ordering, List<String> tags, PersistentRepr repr) {}

  /** What an event's value says besides the event: enough to find its ordering and tag entries. */
  record Header(long ordering, List<String> tags) {}

  /** An ordering log entry. */
  record OrderingEntry(String persistenceId, long sequenceNr, boolean firstOfId) {}

  private JournalRecords() {}

  /**
   * An event's value (format 2) with ordering 0: {@link JournalCommitter} writes the ordering in with
   * {@link #setOrdering} when it assigns it. {@code tags} are UTF-8.
   */
  static byte[] event(Payload repr, List<byte[]> tags) {
    ByteBuffer out = eventHeader(EVENT_VERSION, repr.encodedSize(false), tags);
    repr.writeTo(out, false);
    return out.array();
  }

  /** An event's value (format 3) with ordering 0, as {@link #event(Payload, List)}. */
  static byte[] event(PersistentReprFields.Encoded fields, List<byte[]> tags) {
    ByteBuffer out = eventHeader(FIELDS_VERSION, fields.size(), tags);
    fields.writeTo(out);
    return out.array();
  }

  /** A buffer for an event of {@code bodySize} bytes after its header, the header written. */
  private static ByteBuffer eventHeader(byte version, int bodySize, List<byte[]> tags) {
    if (tags.size() > MAX_TAGS) {
      throw new IllegalArgumentException("an event has " + tags.size() + " tags; the limit is " + MAX_TAGS);
    }
    int size = 1 + 8 + 2 + bodySize;
    for (byte[] tag : tags) {
      size += 2 + tag.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size).put(version).putLong(0).putShort((short) tags.size());
    for (byte[] tag : tags) {
      Payload.writeShortString(out, tag);
    }
    return out;
  }

  static void setOrdering(byte[] eventValue, long ordering) {
    ByteBuffer.wrap(eventValue).putLong(1, ordering);
  }

  /**
   * The event alone, as a replay of {@code persistenceId}'s events wants it: its ordering and tags
   * are skipped, not decoded (a replay reads every event of an id, and needs neither); {@code
   * writers} is the replay's own.
   */
  static PersistentRepr readEvent(byte[] value, PayloadSerialization serialization, String persistenceId,
      PersistentReprFields.WriterCache writers) {
    try {
      ByteBuffer in = openEvent(value);
      if (value[0] != VERSION) {
        Payload.skip(in, 8); // the ordering
        for (int tags = Short.toUnsignedInt(in.getShort()); tags > 0; tags--) {
          Payload.skip(in, Short.toUnsignedInt(in.getShort()));
        }
      }
      if (value[0] == FIELDS_VERSION) {
        return PersistentReprFields.read(in, serialization, persistenceId, writers);
      }
      return (PersistentRepr) serialization.deserialize(Payload.readFrom(in, false));
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("journal event", e);
    }
  }

  static StoredEvent readStoredEvent(byte[] value, PayloadSerialization serialization) {
    try {
      ByteBuffer in = openEvent(value);
      Header header = readHeader(in, value[0]);
      PersistentRepr repr = value[0] == FIELDS_VERSION ? PersistentReprFields.read(in, serialization, null, null)
          : (PersistentRepr) serialization.deserialize(Payload.readFrom(in, false));
      return new StoredEvent(header.ordering(), header.tags(), repr);
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("journal event", e);
    }
  }

  /** The ordering and tags of an event, without deserializing it. */
  static Header readHeader(byte[] value) {
    try {
      return readHeader(openEvent(value), value[0]);
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("journal event", e);
    }
  }

  private static ByteBuffer openEvent(byte[] value) {
    if (value.length == 0 || value[0] < VERSION || value[0] > FIELDS_VERSION) {
      throw new CorruptionException("journal event has format version "
          + (value.length == 0 ? "(empty)" : value[0]) + "; this Strata reads versions 1 to " + FIELDS_VERSION);
    }
    return ByteBuffer.wrap(value, 1, value.length - 1);
  }

  private static Header readHeader(ByteBuffer in, byte version) {
    if (version == VERSION) {
      return new Header(0, List.of());
    }
    long ordering = in.getLong();
    int count = Short.toUnsignedInt(in.getShort());
    List<String> tags = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      tags.add(Payload.readShortString(in));
    }
    return new Header(ordering, List.copyOf(tags));
  }

  static byte[] highestSequenceNr(long sequenceNr) {
    return ByteBuffer.allocate(9).put(VERSION).putLong(sequenceNr).array();
  }

  static long readHighestSequenceNr(byte[] value) {
    return readLong(value, "highest sequence number");
  }

  static byte[] orderingEntry(String persistenceId, long sequenceNr, boolean firstOfId) {
    return orderingEntry(Payload.shortStringBytes(persistenceId, "persistence id"), sequenceNr, firstOfId);
  }

  /** An ordering log entry of an id given as its UTF-8 (at most {@link PersistenceKeys#MAX_PERSISTENCE_ID_BYTES}). */
  static byte[] orderingEntry(byte[] id, long sequenceNr, boolean firstOfId) {
    return ByteBuffer.allocate(1 + 1 + 8 + 2 + id.length).put(VERSION).put((byte) (firstOfId ? FIRST_OF_ID : 0))
        .putLong(sequenceNr).putShort((short) id.length).put(id).array();
  }

  static OrderingEntry readOrderingEntry(byte[] value) {
    try {
      ByteBuffer in = Payload.open(value, VERSION, "ordering log entry");
      boolean first = (in.get() & FIRST_OF_ID) != 0;
      long sequenceNr = in.getLong();
      return new OrderingEntry(Payload.readShortString(in), sequenceNr, first);
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("ordering log entry", e);
    }
  }

  static byte[] highestOrdering(long ordering) {
    return ByteBuffer.allocate(9).put(VERSION).putLong(ordering).array();
  }

  static long readHighestOrdering(byte[] value) {
    return readLong(value, "highest ordering");
  }

  static byte[] journalFormat(int layout) {
    return ByteBuffer.allocate(5).put(VERSION).putInt(layout).array();
  }

  static int readJournalFormat(byte[] value) {
    try {
      return Payload.open(value, VERSION, "journal format").getInt();
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("journal format", e);
    }
  }

  private static long readLong(byte[] value, String what) {
    try {
      return Payload.open(value, VERSION, what).getLong();
    } catch (BufferUnderflowException e) {
      throw Payload.truncated(what, e);
    }
  }
}
