package dev.strata.akka.projection;

import akka.persistence.query.Sequence;
import akka.persistence.query.TimeBasedUUID;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The values of a projection's records (keys: {@link OffsetKeys}). Strata's WAL records and SST
 * blocks carry CRC32C checksums, so these formats carry none of their own.
 *
 * <pre>
 * offset (key kind 0x10)
 *   byte  0         format version: 1
 *   byte  1         offset type:
 *                     1  akka.persistence.query.Sequence   bytes 2..9: its value, int64 big-endian
 *                     2  java.lang.Long                    bytes 2..9: int64 big-endian
 *                     3  java.lang.Integer                 bytes 2..5: int32 big-endian
 *                     4  java.lang.String                  bytes 2..end: UTF-8
 *                     5  akka.persistence.query.TimeBasedUUID
 *                                                          bytes 2..17: most, then least significant
 *                                                          64 bits, big-endian
 *
 * management state (key kind 0x11)
 *   byte  0         format version: 1
 *   byte  1         paused: 1, running: 0
 * </pre>
 *
 * The type byte makes a record readable without knowing the source provider, and lets a reader
 * refuse an offset of a type it does not expect instead of misreading its bytes. Stateless; thread-safe.
 */
final class OffsetRecords {
  static final byte VERSION = 1;
  private static final byte SEQUENCE = 1;
  private static final byte LONG = 2;
  private static final byte INT = 3;
  private static final byte STRING = 4;
  private static final byte TIME_BASED_UUID = 5;

  private OffsetRecords() {}

  /** The record of {@code offset}; an offset of another type is an {@link IllegalArgumentException}. */
  static byte[] offset(Object offset) {
    if (offset instanceof Sequence s) {
      return ByteBuffer.allocate(10).put(VERSION).put(SEQUENCE).putLong(s.value()).array();
    } else if (offset instanceof Long l) {
      return ByteBuffer.allocate(10).put(VERSION).put(LONG).putLong(l).array();
    } else if (offset instanceof Integer i) {
      return ByteBuffer.allocate(6).put(VERSION).put(INT).putInt(i).array();
    } else if (offset instanceof String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      return ByteBuffer.allocate(2 + utf8.length).put(VERSION).put(STRING).put(utf8).array();
    } else if (offset instanceof TimeBasedUUID t) {
      return ByteBuffer.allocate(18).put(VERSION).put(TIME_BASED_UUID)
          .putLong(t.value().getMostSignificantBits()).putLong(t.value().getLeastSignificantBits()).array();
    }
    throw new IllegalArgumentException("a Strata offset store keeps offsets of type Sequence, TimeBasedUUID, Long,"
        + " Integer or String; got " + (offset == null ? "null" : offset.getClass().getName()));
  }

  static Object readOffset(byte[] value) {
    ByteBuffer in = open(value, "projection offset");
    try {
      byte type = in.get();
      Object offset = switch (type) {
        case SEQUENCE -> Sequence.apply(in.getLong());
        case LONG -> in.getLong();
        case INT -> in.getInt();
        case STRING -> StandardCharsets.UTF_8.decode(in).toString();
        case TIME_BASED_UUID -> TimeBasedUUID.apply(new UUID(in.getLong(), in.getLong()));
        default -> throw new IllegalStateException("projection offset record has unknown offset type " + type);
      };
      if (in.hasRemaining()) {
        throw new IllegalStateException("projection offset record has " + in.remaining() + " bytes after its offset");
      }
      return offset;
    } catch (BufferUnderflowException e) {
      throw new IllegalStateException("projection offset record is truncated (" + value.length + " bytes)", e);
    }
  }

  static byte[] managementState(boolean paused) {
    return new byte[] {VERSION, (byte) (paused ? 1 : 0)};
  }

  static boolean readPaused(byte[] value) {
    ByteBuffer in = open(value, "projection management state");
    if (in.remaining() != 1 || (in.get(1) & 0xFF) > 1) {
      throw new IllegalStateException("projection management state record is malformed (" + value.length + " bytes)");
    }
    return in.get() == 1;
  }

  private static ByteBuffer open(byte[] value, String what) {
    if (value.length == 0 || value[0] != VERSION) {
      throw new IllegalStateException(what + " record has format version "
          + (value.length == 0 ? "(none: empty value)" : value[0]) + "; this Strata reads version " + VERSION);
    }
    return ByteBuffer.wrap(value, 1, value.length - 1);
  }
}
