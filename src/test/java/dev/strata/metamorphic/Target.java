package dev.strata.metamorphic;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * What a sequence runs against: the store under one option set, or the in-memory model. Each
 * operation returns one line of the trace, the text every run of the sequence must agree on.
 */
interface Target extends AutoCloseable {
  String apply(Op op);

  @Override
  void close();

  /** A value in a trace: its length and checksum, so that traces of large values stay small. */
  static String describe(byte[] value) {
    if (value == null) {
      return "absent";
    }
    CRC32 crc = new CRC32();
    crc.update(value);
    return value.length + ":" + Long.toHexString(crc.getValue());
  }

  static String describe(String value) {
    return describe(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  /** Up to {@code limit} entries of {@code it} as "[k=v, ...]", with " end" when it ran out. */
  static String entries(Iterator<Map.Entry<String, String>> it, int limit) {
    StringBuilder sb = new StringBuilder("[");
    int n = 0;
    while (n < limit && it.hasNext()) {
      Map.Entry<String, String> e = it.next();
      sb.append(n++ == 0 ? "" : ", ").append(e.getKey()).append('=').append(describe(e.getValue()));
    }
    sb.append(']');
    if (!it.hasNext()) {
      sb.append(" end");
    }
    return sb.toString();
  }
}
