package dev.strata.key;

/** What an internal entry records for its user key. The code is the low byte of the trailer. */
public enum ValueKind {
  /** A tombstone: the key is deleted as of this sequence number. */
  DELETE(0),
  /** A value. */
  PUT(1);

  private final int code;

  ValueKind(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  private static final ValueKind[] BY_CODE = {DELETE, PUT};

  /** The kind for {@code code}, or null when the code is not one Strata writes. */
  public static ValueKind fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
