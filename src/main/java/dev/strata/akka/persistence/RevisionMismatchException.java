package dev.strata.akka.persistence;

import dev.strata.StrataException;

/**
 * An update of a durable state named a revision that does not follow the stored one: another writer
 * got there first, or the caller's view is stale. Nothing was written.
 */
public final class RevisionMismatchException extends StrataException {
  private final String persistenceId;
  private final long requestedRevision;
  private final long storedRevision;

  public RevisionMismatchException(String operation, String persistenceId, long requestedRevision, long storedRevision) {
    super(operation + " of durable state '" + persistenceId + "' at revision " + requestedRevision
        + " needs the stored revision to be " + (requestedRevision - 1) + ", but it is " + storedRevision
        + (storedRevision == 0 ? " (no state stored)" : ""));
    this.persistenceId = persistenceId;
    this.requestedRevision = requestedRevision;
    this.storedRevision = storedRevision;
  }

  public String persistenceId() {
    return persistenceId;
  }

  public long requestedRevision() {
    return requestedRevision;
  }

  /** The revision found in the store; 0 when the id has no state. */
  public long storedRevision() {
    return storedRevision;
  }
}
