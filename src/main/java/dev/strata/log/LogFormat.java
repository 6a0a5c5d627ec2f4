package dev.strata.log;

import java.nio.charset.StandardCharsets;

/** The record log's constants, in one place; the format itself is described in {@link LogWriter}. */
public final class LogFormat {
  /** Files are cut into blocks of this size; no fragment crosses a block boundary. */
  public static final int BLOCK_SIZE = 32 * 1024;

  /** Bytes at the start of block 0 taken by the file header. */
  public static final int FILE_HEADER_SIZE = 16;

  /** Bytes before each fragment's payload: masked CRC32C (4), payload length (2), type (1). */
  public static final int FRAGMENT_HEADER_SIZE = 7;

  /** The only format version this code writes and reads. */
  public static final int VERSION = 1;

  /** File kind of a write-ahead log. */
  public static final int KIND_WAL = 1;

  /** File kind of a manifest. */
  public static final int KIND_MANIFEST = 2;

  static final byte[] MAGIC = "STRATLOG".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION_OFFSET = 8;
  static final int KIND_OFFSET = 9;
  static final int RESERVED_OFFSET = 10;
  static final int HEADER_CRC_OFFSET = 12;

  /** Fragment types. 0 is never written, so that zero bytes always read as "nothing here". */
  static final int FULL = 1;
  static final int FIRST = 2;
  static final int MIDDLE = 3;
  static final int LAST = 4;

  private LogFormat() {}

  /** A file kind as messages name it. */
  public static String kindName(int kind) {
    return switch (kind) {
      case KIND_WAL -> "write-ahead log (kind " + kind + ")";
      case KIND_MANIFEST -> "manifest (kind " + kind + ")";
      default -> "log of kind " + kind;
    };
  }

  static String typeName(int type) {
    return switch (type) {
      case FULL -> "FULL";
      case FIRST -> "FIRST";
      case MIDDLE -> "MIDDLE";
      case LAST -> "LAST";
      default -> "invalid fragment type " + type;
    };
  }

  static void checkKind(int kind) {
    if (kind < 1 || kind > 255) {
      throw new IllegalArgumentException("file kind must be in [1, 255], was " + kind);
    }
  }
}
