package dev.strata.iterator;

import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import java.util.List;

/**
 * Merges sorted children into one internal-key order with a binary min-heap. Children are given
 * newest source first; when two children stand on the same internal key (which only duplicated
 * data can cause) the newer source comes first. Not thread-safe. Closing it closes the children.
 */
public final class MergingIterator extends InternalIterator {
  private final InternalIterator[] children;
  private final int[] rank;
  /** Heap of child indexes; heap[0] is the current child. Only valid children are in it. */
  private final int[] heap;
  /**
   * Each child's user key and trailer (sequence and kind), taken when it moves. The heap compares
   * these plain arrays instead of calling the children, whose types differ (memtable, table,
   * level), so those calls could not be inlined and a sift paid several of them per comparison;
   * and the user iterator's sequence() and kind() read them without a call through the layers.
   */
  private final byte[][] keys;
  private final long[] trailers;
  private int size;
  /** Cached {@link #runnerUp()}, or -1 when the heap changed since it was found. */
  private int runnerUp = -1;

  public MergingIterator(List<? extends InternalIterator> children) {
    this.children = children.toArray(new InternalIterator[0]);
    this.rank = new int[this.children.length];
    for (int i = 0; i < rank.length; i++) {
      rank[i] = i;
    }
    this.heap = new int[this.children.length];
    this.keys = new byte[this.children.length][];
    this.trailers = new long[this.children.length];
  }

  @Override
  public boolean isValid() {
    return size > 0;
  }

  @Override
  public void seekToFirst() {
    for (InternalIterator c : children) {
      c.seekToFirst();
    }
    rebuild();
  }

  @Override
  public void seek(byte[] userKey, long sequence) {
    for (InternalIterator c : children) {
      c.seek(userKey, sequence);
    }
    rebuild();
  }

  @Override
  public void next() {
    if (size == 0) {
      throw new IllegalStateException("iterator is not positioned on an entry");
    }
    int topIndex = heap[0];
    InternalIterator top = children[topIndex];
    top.next();
    if (top.isValid()) {
      capture(topIndex);
      if (size == 1) {
        return;
      }
      // Runs of keys from one child are common (a scan across a large level with a few newer
      // entries above it): one comparison with the runner-up settles them, against two for a sift.
      int r = runnerUp();
      if (less(topIndex, heap[r])) {
        return;
      }
      heap[0] = heap[r];
      heap[r] = topIndex;
      siftDown(r);
    } else {
      heap[0] = heap[--size];
      if (size > 0) {
        siftDown(0);
      }
    }
    runnerUp = -1;
  }

  /** The heap position (1 or 2) of the second-smallest child; cached until the heap changes. */
  private int runnerUp() {
    if (runnerUp < 0) {
      runnerUp = size > 2 && less(heap[2], heap[1]) ? 2 : 1;
    }
    return runnerUp;
  }

  private void rebuild() {
    size = 0;
    for (int i = 0; i < children.length; i++) {
      if (children[i].isValid()) {
        capture(i);
        heap[size++] = i;
      }
    }
    for (int i = size / 2 - 1; i >= 0; i--) {
      siftDown(i);
    }
    runnerUp = -1;
  }

  private void capture(int i) {
    keys[i] = children[i].userKey();
    trailers[i] = children[i].trailer();
  }

  private boolean less(int a, int b) {
    int c = InternalKey.compareUserKeys(keys[a], keys[b]);
    if (c == 0) {
      c = Long.compare(trailers[b], trailers[a]); // newer first; trailers are below 2^63
      if (c == 0) {
        c = Integer.compare(rank[a], rank[b]);
      }
    }
    return c < 0;
  }

  private void siftDown(int i) {
    int item = heap[i];
    while (true) {
      int left = 2 * i + 1;
      if (left >= size) {
        break;
      }
      int smallest = left;
      int right = left + 1;
      if (right < size && less(heap[right], heap[left])) {
        smallest = right;
      }
      if (!less(heap[smallest], item)) {
        break;
      }
      heap[i] = heap[smallest];
      i = smallest;
    }
    heap[i] = item;
  }

  @Override
  public byte[] userKey() {
    current();
    return keys[heap[0]];
  }

  @Override
  public long sequence() {
    current();
    return InternalKey.sequenceOf(trailers[heap[0]]);
  }

  @Override
  public ValueKind kind() {
    current();
    ValueKind kind = InternalKey.kindOf(trailers[heap[0]]);
    return kind != null ? kind : current().kind(); // an unknown code: the child reports it as corruption
  }

  @Override
  public long trailer() {
    current();
    return trailers[heap[0]];
  }

  @Override
  public byte[] value() {
    return current().value();
  }

  private InternalIterator current() {
    if (size == 0) {
      throw new IllegalStateException("iterator is not positioned on an entry");
    }
    return children[heap[0]];
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (InternalIterator c : children) {
      try {
        c.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    size = 0;
    if (first != null) {
      throw first;
    }
  }
}
