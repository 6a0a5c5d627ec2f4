package dev.strata;

/** A serializable transaction lost: another transaction committed a write it had read. */
public class TransactionConflictException extends StrataException {
  public TransactionConflictException(String message) {
    super(message);
  }
}
