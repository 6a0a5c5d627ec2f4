package dev.strata.akka.persistence;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The value of a durable state record (key kind 0x04, see {@link PersistenceKeys}); Strata's
 * checksums cover it.
 *
 * <pre>
 *   byte  0          format version: 1
 *   bytes 1..8       revision, int64 big-endian
 *   byte  9          flags: bit 0 set for a deleted state; other bits 0
 *   bytes 10..11     tag length t, unsigned int16 big-endian
 *   bytes 12..11+t   tag, UTF-8 (empty when the behavior has none)
 *   the rest         unless deleted: serializer id (int32) | manifest length m (uint16) | manifest
 *                    (m bytes, UTF-8) | the state's bytes, to the end of the value
 * </pre>
 *
 * A deleted state keeps its record, without a value, so that its revision survives: Akka's
 * {@code DurableStateBehavior} deletes at revision N and carries on with N + 1. Stateless;
 * thread-safe.
 */
final class StateRecords {
  static final byte VERSION = 1;
  private static final int DELETED = 1;

  /** A decoded state record; the value is still serialized, and empty for a deleted state. */
  record Decoded(long revision, String tag, Optional<Payload> value) {}

  private StateRecords() {}

  static byte[] encode(long revision, String tag, Optional<Payload> value) {
    byte[] t = Payload.shortStringBytes(tag, "tag");
    ByteBuffer out = ByteBuffer.allocate(1 + 8 + 1 + 2 + t.length + value.map(v -> v.encodedSize(false)).orElse(0))
        .put(VERSION).putLong(revision).put((byte) (value.isPresent() ? 0 : DELETED));
    Payload.writeShortString(out, t);
    value.ifPresent(v -> v.writeTo(out, false));
    return out.array();
  }

  /** Only the revision: what an update checks. */
  static long revision(byte[] value) {
    try {
      return Payload.open(value, VERSION, "durable state").getLong();
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("durable state", e);
    }
  }

  static Decoded decode(byte[] value) {
    try {
      ByteBuffer in = Payload.open(value, VERSION, "durable state");
      long revision = in.getLong();
      int flags = in.get();
      String tag = Payload.readShortString(in);
      Optional<Payload> payload = (flags & DELETED) != 0 ? Optional.empty() : Optional.of(Payload.readFrom(in, false));
      return new Decoded(revision, tag, payload);
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("durable state", e);
    }
  }
}
