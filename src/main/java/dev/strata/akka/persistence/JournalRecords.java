package dev.strata.akka.persistence;

import akka.persistence.PersistentRepr;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The values of the journal's records (keys: {@link PersistenceKeys}). Strata's WAL records and SST
 * blocks carry CRC32C checksums, so these formats carry none of their own.
 *
 * <pre>
 * event (key kind 0x01)
 *   byte  0          format version: 1
 *   bytes 1..4       serializer id, int32 big-endian
 *   bytes 5..6       manifest length m, unsigned int16 big-endian
 *   bytes 7..6+m     manifest, UTF-8
 *   bytes 7+m..end   the whole PersistentRepr (payload, sequence number, persistence id, writer
 *                    uuid, manifest, timestamp, metadata) as that serializer wrote it: Akka's
 *                    MessageSerializer, unless the application binds PersistentRepr elsewhere
 *
 * highest sequence number (key kind 0x02)
 *   byte  0          format version: 1
 *   bytes 1..8       the highest sequence number ever written for the id, int64 big-endian
 * </pre>
 *
 * Stateless; thread-safe.
 */
final class JournalRecords {
  static final byte VERSION = 1;

  private JournalRecords() {}

  static byte[] event(Payload repr) {
    ByteBuffer out = ByteBuffer.allocate(1 + repr.encodedSize(false)).put(VERSION);
    repr.writeTo(out, false);
    return out.array();
  }

  static PersistentRepr readEvent(byte[] value, PayloadSerialization serialization) {
    Payload payload;
    try {
      payload = Payload.readFrom(Payload.open(value, VERSION, "journal event"), false);
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("journal event", e);
    }
    return (PersistentRepr) serialization.deserialize(payload);
  }

  static byte[] highestSequenceNr(long sequenceNr) {
    return ByteBuffer.allocate(9).put(VERSION).putLong(sequenceNr).array();
  }

  static long readHighestSequenceNr(byte[] value) {
    try {
      return Payload.open(value, VERSION, "highest sequence number").getLong();
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("highest sequence number", e);
    }
  }
}
