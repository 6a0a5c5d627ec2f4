package dev.strata.iterator;

import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Iterates a sorted run of non-overlapping files (one level) as one sequence, opening each file's
 * iterator only when the cursor reaches it, so a short scan touches one or two files. Not
 * thread-safe.
 */
public final class ConcatIterator extends InternalIterator {
  /** What the iterator needs to know of each file of the run, in key order. */
  public interface Run {
    int size();

    /** The largest user key of file {@code i}. */
    byte[] largestUserKey(int i);

    InternalIterator open(int i);
  }

  private final Run run;
  private int index = -1;
  private InternalIterator current;

  public ConcatIterator(Run run) {
    this.run = run;
  }

  /** A run over a list, for tests and simple callers. */
  public static ConcatIterator of(List<byte[]> largestKeys, IntFunction<InternalIterator> opener) {
    return new ConcatIterator(new Run() {
      @Override
      public int size() {
        return largestKeys.size();
      }

      @Override
      public byte[] largestUserKey(int i) {
        return largestKeys.get(i);
      }

      @Override
      public InternalIterator open(int i) {
        return opener.apply(i);
      }
    });
  }

  @Override
  public boolean isValid() {
    return current != null && current.isValid();
  }

  @Override
  public void seekToFirst() {
    openAt(0);
    if (current != null) {
      current.seekToFirst();
      skipExhausted();
    }
  }

  @Override
  public void seek(byte[] userKey, long sequence) {
    // The first file whose largest key is >= the target can hold it; earlier ones cannot.
    int lo = 0;
    int hi = run.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (InternalKey.compareUserKeys(run.largestUserKey(mid), userKey) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    openAt(lo);
    if (current != null) {
      current.seek(userKey, sequence);
      skipExhausted();
    }
  }

  @Override
  public void next() {
    if (!isValid()) {
      throw new IllegalStateException("iterator is not positioned on an entry");
    }
    current.next();
    skipExhausted();
  }

  private void skipExhausted() {
    while (current != null && !current.isValid()) {
      openAt(index + 1);
      if (current != null) {
        current.seekToFirst();
      }
    }
  }

  private void openAt(int i) {
    if (current != null && index == i) {
      return;
    }
    closeCurrent();
    index = i;
    current = i < run.size() ? run.open(i) : null;
  }

  private void closeCurrent() {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  // The accessors are spelled out here, not inherited from a shared forwarding class: the JIT
  // profiles the receiver types of a call per bytecode, and one inherited body serving every layer
  // would see them all and inline none.

  @Override
  public byte[] userKey() {
    return current.userKey();
  }

  @Override
  public long sequence() {
    return current.sequence();
  }

  @Override
  public ValueKind kind() {
    return current.kind();
  }

  @Override
  public long trailer() {
    return current.trailer();
  }

  @Override
  public byte[] value() {
    return current.value();
  }

  @Override
  public void close() {
    closeCurrent();
    index = -1;
  }
}
