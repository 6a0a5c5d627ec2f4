package dev.strata.sst;

import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import java.util.Arrays;

/** Readable forms of encoded internal keys for error messages and the table dump. */
final class EncodedKeys {
  private EncodedKeys() {}

  static String describe(byte[] key) {
    return key == null ? "(none)" : describe(key, 0, key.length);
  }

  /** Like {@link InternalKey#describe}, but tolerant of a damaged trailer: a dump must not fail on it. */
  static String describe(byte[] buf, int off, int len) {
    if (len < InternalKey.TRAILER_BYTES) {
      return "(malformed key of " + len + " bytes)";
    }
    int userLen = len - InternalKey.TRAILER_BYTES;
    long trailer = InternalKey.readTrailer(buf, off + userLen);
    ValueKind kind = InternalKey.kindOf(trailer);
    byte[] user = Arrays.copyOfRange(buf, off, off + userLen);
    long sequence = InternalKey.sequenceOf(trailer);
    return kind != null ? InternalKey.describe(user, sequence, kind)
        : InternalKey.printable(user) + "@" + sequence + ":kind#" + (trailer & 0xff);
  }
}
