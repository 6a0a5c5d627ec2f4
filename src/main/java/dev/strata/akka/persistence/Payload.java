package dev.strata.akka.persistence;

import dev.strata.CorruptionException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An object as Akka serialization wrote it: the serializer's id, its manifest and the bytes, the
 * three things {@code Serialization.deserialize} needs to read it back. The record formats embed it
 * as
 *
 * <pre>
 * serializer id (4 bytes, big-endian) | manifest length m (2 bytes, unsigned big-endian) | manifest (m bytes, UTF-8) | bytes
 * </pre>
 *
 * where the bytes run to the end of the value, or, where more follows, carry a 4-byte big-endian
 * length first. Immutable.
 */
record Payload(int serializerId, String manifest, byte[] bytes) {
  private static final int MAX_MANIFEST_BYTES = 0xFFFF;

  /** Bytes {@link #writeTo} takes. */
  int encodedSize(boolean lengthPrefixed) {
    return 4 + 2 + manifestBytes().length + (lengthPrefixed ? 4 : 0) + bytes.length;
  }

  void writeTo(ByteBuffer out, boolean lengthPrefixed) {
    byte[] m = manifestBytes();
    out.putInt(serializerId).putShort((short) m.length).put(m);
    if (lengthPrefixed) {
      out.putInt(bytes.length);
    }
    out.put(bytes);
  }

  static Payload readFrom(ByteBuffer in, boolean lengthPrefixed) {
    int serializerId = in.getInt();
    String manifest = readShortString(in);
    int length = lengthPrefixed ? in.getInt() : in.remaining();
    if (length < 0 || length > in.remaining()) {
      throw new BufferUnderflowException(); // a damaged length: report it truncated, never allocate it
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return new Payload(serializerId, manifest, bytes);
  }

  /** Moves {@code in} past {@code bytes} bytes, or throws BufferUnderflowException where fewer are left. */
  static void skip(ByteBuffer in, int bytes) {
    if (bytes > in.remaining()) {
      throw new BufferUnderflowException();
    }
    in.position(in.position() + bytes);
  }

  /** A string with a 2-byte unsigned big-endian length before its UTF-8 bytes. */
  static void writeShortString(ByteBuffer out, byte[] utf8) {
    out.putShort((short) utf8.length).put(utf8);
  }

  static String readShortString(ByteBuffer in) {
    int length = Short.toUnsignedInt(in.getShort());
    if (length == 0) {
      return ""; // most manifests: no copy, no decoding
    }
    byte[] utf8 = new byte[length];
    in.get(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  /** UTF-8 of a string stored with a 2-byte length: a tag or a manifest. */
  static byte[] shortStringBytes(String s, String what) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > MAX_MANIFEST_BYTES) {
      throw new IllegalArgumentException(what + " is " + utf8.length + " bytes of UTF-8; the limit is "
          + MAX_MANIFEST_BYTES);
    }
    return utf8;
  }

  /** Checks the version byte at the start of a value and wraps a truncated value in a clear error. */
  static ByteBuffer open(byte[] value, int version, String what) {
    if (value.length == 0 || value[0] != version) {
      throw new CorruptionException(what + " has format version " + (value.length == 0 ? "(empty)" : value[0])
          + "; this Strata reads version " + version);
    }
    return ByteBuffer.wrap(value, 1, value.length - 1);
  }

  static CorruptionException truncated(String what, BufferUnderflowException e) {
    return new CorruptionException(what + " is truncated", e);
  }

  private byte[] manifestBytes() {
    return shortStringBytes(manifest, "serializer manifest");
  }
}
