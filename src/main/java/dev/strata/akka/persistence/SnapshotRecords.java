package dev.strata.akka.persistence;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The value of a snapshot record (key kind 0x03, see {@link PersistenceKeys}); Strata's checksums
 * cover it.
 *
 * <pre>
 *   byte  0        format version: 1
 *   bytes 1..8     timestamp of the snapshot (SnapshotMetadata.timestamp, ms), int64 big-endian
 *   byte  9        flags: bit 0 set when metadata follows (SnapshotMetadata.metadata); other bits 0
 *   metadata       when flagged: serializer id (int32) | manifest length m (uint16) | manifest (m
 *                  bytes, UTF-8) | length n (int32) | n bytes, all big-endian
 *   snapshot       serializer id (int32) | manifest length m (uint16) | manifest (m bytes, UTF-8) |
 *                  the snapshot's bytes, to the end of the value
 * </pre>
 *
 * The snapshot is serialized on its own with the serializer bound to its class, not wrapped in
 * Akka's {@code Snapshot} envelope, so its serializer id and manifest stand in the value.
 * Stateless; thread-safe.
 */
final class SnapshotRecords {
  static final byte VERSION = 1;
  private static final int HAS_METADATA = 1;

  /** A decoded snapshot record; the objects are still serialized. */
  record Decoded(long timestamp, Optional<Payload> metadata, Payload snapshot) {}

  private SnapshotRecords() {}

  static byte[] encode(long timestamp, Optional<Payload> metadata, Payload snapshot) {
    int size = 1 + 8 + 1 + metadata.map(m -> m.encodedSize(true)).orElse(0) + snapshot.encodedSize(false);
    ByteBuffer out = ByteBuffer.allocate(size).put(VERSION).putLong(timestamp)
        .put((byte) (metadata.isPresent() ? HAS_METADATA : 0));
    metadata.ifPresent(m -> m.writeTo(out, true));
    snapshot.writeTo(out, false);
    return out.array();
  }

  /** Only the timestamp: what selection criteria test before a snapshot is worth decoding. */
  static long timestamp(byte[] value) {
    try {
      return Payload.open(value, VERSION, "snapshot").getLong();
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("snapshot", e);
    }
  }

  static Decoded decode(byte[] value) {
    try {
      ByteBuffer in = Payload.open(value, VERSION, "snapshot");
      long timestamp = in.getLong();
      int flags = in.get();
      Optional<Payload> metadata = (flags & HAS_METADATA) != 0 ? Optional.of(Payload.readFrom(in, true)) : Optional.empty();
      return new Decoded(timestamp, metadata, Payload.readFrom(in, false));
    } catch (BufferUnderflowException e) {
      throw Payload.truncated("snapshot", e);
    }
  }
}
