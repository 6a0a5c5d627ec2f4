package dev.strata.engine;

/**
 * A condition a write must meet at the moment it commits, checked under the commit lock right
 * before the write gets its sequence numbers, so that no other write can slip in between. A
 * transaction's conflict validation is one. Throws (a {@code TransactionConflictException}) to
 * refuse the write, which then leaves no trace.
 */
@FunctionalInterface
public interface CommitCheck {
  void verify();
}
