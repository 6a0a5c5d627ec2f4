package dev.strata;

/**
 * A transaction lost at commit, and nothing of it was applied: since it began, another write
 * committed a key it writes, or, with {@code StrataOptions.builder().serializable(true)}, a key it
 * read or one inside a range it scanned. Retry with a new transaction.
 */
public class TransactionConflictException extends StrataException {
  public TransactionConflictException(String message) {
    super(message);
  }
}
