package dev.strata;

/** A storage failure: an I/O error, a store in its read-only error state, a lock held elsewhere. */
public class StrataException extends RuntimeException {
  public StrataException(String message) {
    super(message);
  }

  public StrataException(String message, Throwable cause) {
    super(message, cause);
  }
}
