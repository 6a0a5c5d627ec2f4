package dev.strata.readstate;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the current {@link ReadState} is published. Only the writer actor publishes; any thread
 * acquires. Thread-safe and lock-free: a reader that loses the race with a publish (the state it
 * loaded was released before it could take a reference) simply loads the new one.
 */
public final class ReadStateCell {
  private final AtomicReference<ReadState> current;

  public ReadStateCell(ReadState initial) {
    this.current = new AtomicReference<>(initial);
  }

  /** The current state with a reference taken; the caller must {@link ReadState#unref()} it. */
  public ReadState acquire() {
    while (true) {
      ReadState s = current.get();
      if (s.tryRef()) {
        return s;
      }
      if (current.get() == s) {
        // Released yet still current: only close() does that.
        throw new IllegalStateException("store is closed");
      }
    }
  }

  /**
   * The current state without a reference, for a reader that reads only its memtables (nothing
   * closes a memtable; the collector frees it once unreachable) and pins the state with
   * {@link ReadState#tryRef} before it reads an SST.
   */
  public ReadState unpinned() {
    return current.get();
  }

  /** The current state without a reference: only for the writer, which alone replaces it. */
  public ReadState peek() {
    return current.get();
  }

  /** Drops the cell's reference to the current state for good; later acquires fail. */
  public void close() {
    current.get().unref();
  }

  /** Makes {@code next} current and drops the cell's reference to the previous state. */
  public void publish(ReadState next) {
    ReadState previous = current.getAndSet(next);
    previous.unref();
  }
}
