package dev.strata.akka.projection;

import akka.projection.ProjectionId;
import dev.strata.Limits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The keys of a projection's records in the store:
 *
 * <pre>
 * kind (1 byte) | name length (2 bytes, unsigned big-endian) | name (UTF-8)
 *               | key length (2 bytes, unsigned big-endian)  | key (UTF-8)
 *
 * kind  record
 * 0x10  the projection's offset             (value: OffsetRecords.offset)
 * 0x11  the projection's management state   (value: OffsetRecords.managementState)
 * </pre>
 *
 * <p>The kinds sit apart from the persistence plugins' (0x01 to 0x0F, {@code PersistenceKeys}), so a
 * projection may keep its offsets in the journal's own store, and below 0x20, so an application's
 * printable keys never meet them. The two length prefixes make (name, key) unambiguous whatever
 * characters they hold; all the keys of one projection name share a prefix, so its instances could be
 * listed by one scan. Stateless; thread-safe.
 */
final class OffsetKeys {
  static final byte OFFSET = 0x10;
  static final byte MANAGEMENT = 0x11;

  private OffsetKeys() {}

  static byte[] offset(ProjectionId id) {
    return key(OFFSET, id);
  }

  static byte[] management(ProjectionId id) {
    return key(MANAGEMENT, id);
  }

  private static byte[] key(byte kind, ProjectionId id) {
    byte[] name = id.name().getBytes(StandardCharsets.UTF_8);
    byte[] key = id.key().getBytes(StandardCharsets.UTF_8);
    if (name.length > 0xFFFF || key.length > 0xFFFF || 5 + name.length + key.length > Limits.MAX_KEY_BYTES) {
      throw new IllegalArgumentException("projection id " + id + " is too long: its name and key take "
          + (name.length + key.length) + " bytes of UTF-8; together they must fit " + (Limits.MAX_KEY_BYTES - 5)
          + " (and each 65535)");
    }
    return ByteBuffer.allocate(5 + name.length + key.length).put(kind)
        .putShort((short) name.length).put(name).putShort((short) key.length).put(key).array();
  }
}
