package dev.strata.akka.persistence;

import akka.persistence.PersistentRepr;
import akka.persistence.PersistentRepr$;
import dev.strata.CorruptionException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import scala.Option;

/**
 * A {@code PersistentRepr} as the fields of a journal event of format version 3 (the layout is in
 * {@link JournalRecords}): its event payload serialized on its own, the other fields beside it in
 * Strata's layout. Akka's {@code MessageSerializer} would wrap the same fields in a protocol
 * buffer, whose building, parsing and UTF-8 checks cost a replay about as much as the event's own
 * deserialization; the R2DBC and JDBC plugins store these fields as columns for the same reason.
 *
 * <p>Only what that serializer would write back exactly is encoded this way ({@link #encodes}):
 * a live event, with no sender (Akka's journal protocol clears it before a write). Anything else,
 * and every event when the application binds {@code PersistentRepr} to a serializer of its own,
 * keeps format 2 (the whole PersistentRepr through Akka serialization).
 *
 * <p>Thread-safety: an instance is confined to one journal actor (its encoding caches the last
 * writer UUID's bytes); {@link #read} is static and stateless.
 */
final class PersistentReprFields {
  private static final int HAS_METADATA = 1;
  private static final byte[] EMPTY = new byte[0];

  private final PayloadSerialization serialization;
  private final boolean akkaSerializerBound;
  /** The last writer UUID encoded and its UTF-8: an actor's events all carry the same one. */
  private String lastWriterUuid = "";
  private byte[] lastWriterUuidBytes = EMPTY;

  PersistentReprFields(PayloadSerialization serialization) {
    this.serialization = serialization;
    this.akkaSerializerBound = serialization.persistentReprUsesAkkaSerializer();
  }

  /** Whether {@code repr} is written as fields (format 3) rather than through its serializer (format 2). */
  boolean encodes(PersistentRepr repr) {
    return akkaSerializerBound && repr.sender() == null && !repr.deleted();
  }

  /** The fields of {@code repr} ({@link #encodes} must hold), for an event whose persistence id is {@code id} (UTF-8). */
  Encoded encode(PersistentRepr repr, byte[] id) throws Exception {
    Payload event = serialization.serialize(repr.payload());
    Option<Object> metadata = repr.metadata();
    Payload meta = metadata.isDefined() ? serialization.serialize(metadata.get()) : null;
    return new Encoded(repr.sequenceNr(), repr.timestamp(), id, writerUuidBytes(repr.writerUuid()),
        Payload.shortStringBytes(repr.manifest(), "event adapter manifest"), event, meta);
  }

  private byte[] writerUuidBytes(String writerUuid) {
    if (!writerUuid.equals(lastWriterUuid)) {
      lastWriterUuidBytes = Payload.shortStringBytes(writerUuid, "writer uuid");
      lastWriterUuid = writerUuid;
    }
    return lastWriterUuidBytes;
  }

  /** An event's fields, ready to be written: {@link #size} bytes by {@link #writeTo}. */
  record Encoded(long sequenceNr, long timestamp, byte[] persistenceId, byte[] writerUuid, byte[] manifest,
      Payload event, Payload metadata) {
    int size() {
      return 8 + 8 + 2 + persistenceId.length + 2 + writerUuid.length + 2 + manifest.length + 1
          + event.encodedSize(true) + (metadata == null ? 0 : metadata.encodedSize(true));
    }

    void writeTo(ByteBuffer out) {
      out.putLong(sequenceNr).putLong(timestamp);
      Payload.writeShortString(out, persistenceId);
      Payload.writeShortString(out, writerUuid);
      Payload.writeShortString(out, manifest);
      out.put((byte) (metadata == null ? 0 : HAS_METADATA));
      event.writeTo(out, true);
      if (metadata != null) {
        metadata.writeTo(out, true);
      }
    }
  }

  /**
   * The PersistentRepr whose fields {@code in} is positioned at. {@code persistenceId}, when not
   * null, is the id the caller already knows (a replay reads one id's events): its bytes are
   * skipped, not decoded, once per event; {@code writers} is the reader's cache of the last writer uuid
   * (null for a reader of single events, which decodes each one's).
   */
  static PersistentRepr read(ByteBuffer in, PayloadSerialization serialization, String persistenceId,
      WriterCache writers) {
    long sequenceNr = in.getLong();
    long timestamp = in.getLong();
    String id;
    if (persistenceId == null) {
      id = Payload.readShortString(in);
    } else {
      Payload.skip(in, Short.toUnsignedInt(in.getShort()));
      id = persistenceId;
    }
    String writerUuid = writers == null ? Payload.readShortString(in) : writers.read(in);
    String manifest = Payload.readShortString(in);
    int flags = in.get();
    if ((flags & ~HAS_METADATA) != 0) {
      throw new CorruptionException("journal event has unknown flags 0x" + Integer.toHexString(flags & 0xFF));
    }
    Payload event = Payload.readFrom(in, true);
    Payload metadata = (flags & HAS_METADATA) != 0 ? Payload.readFrom(in, true) : null;
    if (in.hasRemaining()) {
      throw new CorruptionException("journal event has " + in.remaining() + " bytes after its fields");
    }
    PersistentRepr repr = PersistentRepr$.MODULE$.apply(serialization.deserialize(event), sequenceNr, id, manifest,
        false, null, writerUuid).withTimestamp(timestamp);
    return metadata == null ? repr : repr.withMetadata(serialization.deserialize(metadata));
  }

  /**
   * The writer uuid of the event read last, kept by one reader (a replay): an id's events, often
   * all of a replay's, share one writer, whose String is then decoded once instead of once per
   * event. Confined to the thread reading.
   */
  static final class WriterCache {
    private byte[] utf8 = EMPTY;
    private String string = "";

    /** The short string (2-byte length, UTF-8) {@code in}, a buffer over an array, is positioned at. */
    String read(ByteBuffer in) {
      int length = Short.toUnsignedInt(in.getShort());
      if (length > in.remaining()) {
        throw new BufferUnderflowException();
      }
      byte[] array = in.array();
      int at = in.arrayOffset() + in.position();
      if (!Arrays.equals(utf8, 0, utf8.length, array, at, at + length)) {
        utf8 = Arrays.copyOfRange(array, at, at + length);
        string = new String(utf8, StandardCharsets.UTF_8);
      }
      in.position(in.position() + length);
      return string;
    }
  }
}
