package dev.strata.akka.persistence;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The value of a durable state record (key kind 0x04, see {@link PersistenceKeys}), and of a state
 * tag index entry (kind 0x09); Strata's checksums cover them.
 *
 * <pre>
 * durable state
 *   byte  0          format version: 2 (version 1 lacks bytes 10..25)
 *   bytes 1..8       revision, int64 big-endian
 *   byte  9          flags: bit 0 set for a deleted state; other bits 0
 *   bytes 10..17     the change's ordering ({@link StateSequencer}), int64 big-endian
 *   bytes 18..25     the change's time, milliseconds since the epoch, int64 big-endian
 *   2 bytes          tag length t, unsigned int16 big-endian
 *   t bytes          tag, UTF-8 (empty when the behavior has none)
 *   the rest         unless deleted: serializer id (int32) | manifest length m (uint16) | manifest
 *                    (m bytes, UTF-8) | the state's bytes, to the end of the value
 *
 * state tag index entry
 *   byte  0          format version: 1
 *   2 bytes          persistence id length p, unsigned int16 big-endian
 *   p bytes          persistence id, UTF-8
 * </pre>
 *
 * A deleted state keeps its record, without a value but with its tag, so that its revision
 * survives (Akka's {@code DurableStateBehavior} deletes at revision N and carries on with N + 1)
 * and {@code changes} reports the deletion. Stateless; thread-safe.
 */
final class StateRecords {
  static final byte VERSION_1 = 1;
  static final byte VERSION = 2;
  private static final int DELETED = 1;

  /** A decoded state record; the value is still serialized, and empty for a deleted state. Ordering and time are 0 in version 1. */
  record Decoded(long revision, String tag, Optional<Payload> value, long ordering, long timestamp) {}

  private StateRecords() {}

  static byte[] encode(long revision, String tag, long ordering, long timestamp, Optional<Payload> value) {
    byte[] t = Payload.shortStringBytes(tag, "tag");
    ByteBuffer out = ByteBuffer.allocate(1 + 8 + 1 + 8 + 8 + 2 + t.length
            + value.map(v -> v.encodedSize(false)).orElse(0))
        .put(VERSION).putLong(revision).put((byte) (value.isPresent() ? 0 : DELETED)).putLong(ordering)
        .putLong(timestamp);
    Payload.writeShortString(out, t);
    value.ifPresent(v -> v.writeTo(out, false));
    return out.array();
  }

  /** Only the revision: what an update checks. */
  static long revision(byte[] value) {
    try {
      return open(value).getLong();
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("durable state", e);
    }
  }

  static Decoded decode(byte[] value) {
    try {
      ByteBuffer in = open(value);
      long revision = in.getLong();
      int flags = in.get();
      long ordering = 0;
      long timestamp = 0;
      if (value[0] == VERSION) {
        ordering = in.getLong();
        timestamp = in.getLong();
      }
      String tag = Payload.readShortString(in);
      Optional<Payload> payload = (flags & DELETED) != 0 ? Optional.empty() : Optional.of(Payload.readFrom(in, false));
      return new Decoded(revision, tag, payload, ordering, timestamp);
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("durable state", e);
    }
  }

  static byte[] tagEntry(String persistenceId) {
    byte[] id = Payload.shortStringBytes(persistenceId, "persistence id");
    ByteBuffer out = ByteBuffer.allocate(1 + 2 + id.length).put(VERSION_1);
    Payload.writeShortString(out, id);
    return out.array();
  }

  static String readTagEntry(byte[] value) {
    try {
      return Payload.readShortString(Payload.open(value, VERSION_1, "durable state tag entry"));
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("durable state tag entry", e);
    }
  }

  private static ByteBuffer open(byte[] value) {
    return Payload.open(value, value.length > 0 && value[0] == VERSION_1 ? VERSION_1 : VERSION, "durable state");
  }
}
