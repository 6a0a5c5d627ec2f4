package dev.strata.cli;

import java.util.HexFormat;

/**
 * How the inspection commands print keys and values that may hold any bytes: printable ASCII as
 * is, between double quotes (a quote or backslash inside makes it hex); anything else as
 * {@code 0x} and hex digits. Long values are cut short with the full length given. Stateless.
 */
final class Printable {
  /** Bytes of a value shown when the full value is not asked for. */
  static final int VALUE_PREVIEW_BYTES = 32;

  private Printable() {}

  /** The whole of {@code bytes}; {@code (none)} for null. */
  static String of(byte[] bytes) {
    return bytes == null ? "(none)" : of(bytes, Integer.MAX_VALUE);
  }

  /** At most {@code limit} bytes of {@code bytes}, then {@code ...(N bytes)} when cut. */
  static String of(byte[] bytes, int limit) {
    int shown = Math.min(bytes.length, limit);
    String head = isText(bytes, shown) ? "\"" + new String(bytes, 0, shown, java.nio.charset.StandardCharsets.US_ASCII) + "\""
        : "0x" + HexFormat.of().formatHex(bytes, 0, shown);
    return shown < bytes.length ? head + "...(" + bytes.length + " bytes)" : head;
  }

  private static boolean isText(byte[] bytes, int length) {
    for (int i = 0; i < length; i++) {
      int c = bytes[i] & 0xff;
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }
}
