package dev.strata;

/** A checksum, magic number or format check failed: the named file cannot be trusted. */
public class CorruptionException extends StrataException {
  public CorruptionException(String message) {
    super(message);
  }

  public CorruptionException(String message, Throwable cause) {
    super(message, cause);
  }
}
