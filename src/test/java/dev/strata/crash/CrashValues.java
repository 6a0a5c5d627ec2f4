package dev.strata.crash;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The keys and values of the crash test, shared by the child that writes them ({@link CrashWriter})
 * and the parent that checks them ({@link CrashModel}).
 *
 * <p>Keys are {@code k<nnnn>}, {@link #KEYS} of them shared by every writer thread (a small hot
 * set of them drawn more often, so that transactions conflict), so keys are overwritten and
 * deleted again and again across cycles and the store stays small enough to check in full after
 * every kill. A value names the write that wrote it and is
 * otherwise a deterministic function of that write:
 * <pre>
 *   c&lt;cycle&gt;.t&lt;thread&gt;.w&lt;write&gt;.&lt;key&gt;.&lt;padding&gt;
 * </pre>
 * where {@code write} counts the thread's writes within the cycle and the padding (8 to 127
 * lowercase letters) is derived from the rest. So the checker can say, of any value it reads,
 * which write it claims to come from, and whether its bytes are exactly what that write wrote.
 * Stateless and thread-safe.
 */
final class CrashValues {
  /** The key space: {@code k0000} to {@code k0511}. */
  static final int KEYS = 512;
  /** The first keys of the key space, drawn {@link #HOT_PERCENT}% of the time. */
  static final int HOT_KEYS = 16;
  static final int HOT_PERCENT = 25;

  private CrashValues() {}

  static String key(int n) {
    return String.format("k%04d", n);
  }

  /** The index of a key of the key space, or -1 for any other string. */
  static int index(String key) {
    if (key.length() != 5 || key.charAt(0) != 'k') {
      return -1;
    }
    try {
      int n = Integer.parseInt(key.substring(1));
      return n >= 0 && n < KEYS && key.equals(key(n)) ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static String string(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
  }

  /** The value write {@code write} of {@code thread} in {@code cycle} puts under {@code key}. */
  static byte[] value(int cycle, int thread, long write, String key) {
    String head = "c" + cycle + ".t" + thread + ".w" + write + "." + key + ".";
    int h = mix(cycle, thread, write, key);
    int padding = 8 + Math.floorMod(h, 120);
    byte[] out = new byte[head.length() + padding];
    byte[] headBytes = bytes(head);
    System.arraycopy(headBytes, 0, out, 0, headBytes.length);
    for (int i = 0; i < padding; i++) {
      out[headBytes.length + i] = (byte) ('a' + Math.floorMod(h + i * 31, 26));
    }
    return out;
  }

  /** The write a value says it comes from. */
  record Origin(int cycle, int thread, long write, String key) {}

  /**
   * The origin of {@code value} if it is, byte for byte, a value this test writes; null if it is
   * not (garbage, a torn or mixed-up value).
   */
  static Origin origin(byte[] value) {
    String s = string(value);
    String[] parts = s.split("\\.", 5);
    if (parts.length != 5 || !parts[0].startsWith("c") || !parts[1].startsWith("t") || !parts[2].startsWith("w")) {
      return null;
    }
    try {
      Origin o = new Origin(Integer.parseInt(parts[0].substring(1)), Integer.parseInt(parts[1].substring(1)),
          Long.parseLong(parts[2].substring(1)), parts[3]);
      return Arrays.equals(value, value(o.cycle(), o.thread(), o.write(), o.key())) ? o : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A short printable form of a value for failure reports: its origin, or its first bytes. */
  static String describe(byte[] value) {
    if (value == null) {
      return "absent";
    }
    Origin o = origin(value);
    if (o != null) {
      return "value of c" + o.cycle() + ".t" + o.thread() + ".w" + o.write() + " for " + o.key();
    }
    String s = string(value);
    return "unknown bytes '" + (s.length() > 60 ? s.substring(0, 60) + "...'" : s + "'") + " (" + value.length
        + " bytes)";
  }

  private static int mix(int cycle, int thread, long write, String key) {
    long h = 0x9E3779B97F4A7C15L;
    h = (h ^ cycle) * 0xBF58476D1CE4E5B9L;
    h = (h ^ thread) * 0x94D049BB133111EBL;
    h = (h ^ write) * 0xBF58476D1CE4E5B9L;
    h = (h ^ key.hashCode()) * 0x94D049BB133111EBL;
    return (int) (h ^ (h >>> 31));
  }
}
