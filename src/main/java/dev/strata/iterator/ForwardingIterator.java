package dev.strata.iterator;

import dev.strata.key.ValueKind;

/**
 * An iterator whose entry is the entry of one of its parts at a time (the heap's top in a merge,
 * the open file of a level, the open block of a table): the accessors read that part.
 */
public abstract class ForwardingIterator extends InternalIterator {
  /** The part standing on the current entry; only called while {@link #isValid()}. */
  protected abstract InternalIterator current();

  @Override
  public byte[] userKey() {
    return current().userKey();
  }

  @Override
  public long sequence() {
    return current().sequence();
  }

  @Override
  public ValueKind kind() {
    return current().kind();
  }

  @Override
  public long trailer() {
    return current().trailer();
  }

  @Override
  public byte[] value() {
    return current().value();
  }
}
