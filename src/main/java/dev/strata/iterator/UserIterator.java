package dev.strata.iterator;

import dev.strata.Bound;
import dev.strata.StrataIterator;
import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;

/**
 * The user's view of an internal iterator: user keys in ascending order within the bounds, each
 * at its newest version visible at {@code readSequence}, tombstones hidden. Entries written after
 * the read sequence are invisible, which is what fixes the view when the scan starts. Not
 * thread-safe. Closing it closes the source and runs {@code onClose} once (the read-state
 * release that unpins files).
 */
public final class UserIterator implements StrataIterator {
  private final InternalIterator source;
  private final long readSequence;
  private final Bound upper;
  private final Runnable onClose;
  private byte[] key;
  private boolean closed;

  public UserIterator(InternalIterator source, long readSequence, Bound lower, Bound upper, Runnable onClose) {
    this.source = source;
    this.readSequence = readSequence;
    this.upper = upper;
    this.onClose = onClose;
    if (lower.isUnbounded()) {
      source.seekToFirst();
    } else {
      source.seek(lower.key(), readSequence);
    }
    byte[] skip = lower.kind() == Bound.Kind.EXCLUDED ? lower.key() : null;
    findVisible(skip);
  }

  /**
   * Moves the source to the next user key that has a visible live version, skipping every
   * version of {@code skipKey} (the key just returned, or an excluded lower bound).
   */
  private void findVisible(byte[] skipKey) {
    byte[] skip = skipKey;
    while (source.isValid()) {
      byte[] k = source.userKey();
      if (skip != null && InternalKey.compareUserKeys(k, skip) == 0) {
        source.next();
        continue;
      }
      if (source.sequence() > readSequence) {
        source.next();
        continue;
      }
      if (pastUpper(k)) {
        break;
      }
      // The first visible version of k decides it: a tombstone hides k, a put shows it.
      if (source.kind() == ValueKind.PUT) {
        key = k; // the source stays on this entry until next(): value() reads it there
        return;
      }
      skip = k;
      source.next();
    }
    key = null;
  }

  private boolean pastUpper(byte[] k) {
    if (upper.isUnbounded()) {
      return false;
    }
    int c = InternalKey.compareUserKeys(k, upper.key());
    return upper.kind() == Bound.Kind.INCLUDED ? c > 0 : c >= 0;
  }

  @Override
  public boolean isValid() {
    return key != null;
  }

  @Override
  public byte[] key() {
    checkValid();
    return key.clone();
  }

  /** A new array each call, straight from the source (InternalIterator#value makes one per call). */
  @Override
  public byte[] value() {
    checkValid();
    return source.value();
  }

  @Override
  public void next() {
    checkValid();
    byte[] done = key;
    source.next();
    findVisible(done);
  }

  private void checkValid() {
    if (closed) {
      throw new IllegalStateException("iterator is closed");
    }
    if (key == null) {
      throw new IllegalStateException("iterator is not positioned on an entry (check isValid() first)");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    key = null;
    try {
      source.close();
    } finally {
      onClose.run();
    }
  }
}
