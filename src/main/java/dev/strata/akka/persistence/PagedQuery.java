package dev.strata.akka.persistence;

import akka.NotUsed;
import akka.japi.Pair;
import akka.stream.javadsl.Source;
import dev.strata.Bound;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * A query as a Source reading one key range forward, a page at a time: each page is read from a
 * snapshot taken for it and closed after it ({@link Strata#snapshot()}), on the plugin dispatcher,
 * when the stream asks for more (back-pressure: a slow consumer holds one page in memory and no
 * snapshot at all). The next page starts after the last key read.
 *
 * <p>A current query ends at the end of the range, whose upper bound it takes when it starts (so
 * that it ends even while writes go on). A live query that reaches the end of what is written waits
 * for the {@link CommitSignal} (or the refresh interval, whichever is first) and reads again; it ends
 * only when it read the range's inclusive upper key.
 *
 * <p>Immutable; each materialization has cursors of its own.
 */
final class PagedQuery {
  /** Turns an entry into an element, or null to skip it. */
  interface Decoder<E> extends BiFunction<byte[], byte[], E> {}

  /** Where a materialization stands: the next page's lower bound, and whether to wait before reading it. */
  private record Cursor(Bound lower, Bound upper, boolean waitFirst, long generation, boolean done) {}

  private final Strata store;
  private final Executor executor;
  private final CommitSignal signal;
  private final Duration refreshInterval;
  private final int pageSize;

  PagedQuery(Strata store, Executor executor, CommitSignal signal, Duration refreshInterval, int pageSize) {
    this.store = store;
    this.executor = executor;
    this.signal = signal;
    this.refreshInterval = refreshInterval;
    this.pageSize = pageSize;
  }

  /**
   * The entries from {@code lower} up to the bound {@code upperAtStart} answers when the stream
   * starts (on the plugin dispatcher; empty for an empty stream); live when {@code live}.
   */
  <E> Source<E, NotUsed> source(Bound lower, Supplier<Optional<Bound>> upperAtStart, boolean live, Decoder<E> decoder) {
    return Source.<Cursor, List<E>>unfoldAsync(new Cursor(lower, null, false, 0, false),
        cursor -> step(cursor, upperAtStart, live, decoder)).mapConcat(page -> page);
  }

  Executor executor() {
    return executor;
  }

  private <E> CompletionStage<Optional<Pair<Cursor, List<E>>>> step(Cursor cursor,
      Supplier<Optional<Bound>> upperAtStart, boolean live, Decoder<E> decoder) {
    if (cursor.done()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    CompletableFuture<Void> ready = cursor.waitFirst()
        ? signal.await(cursor.generation(), refreshInterval)
        : CompletableFuture.completedFuture(null);
    return ready.thenApplyAsync(v -> readPage(cursor, upperAtStart, live, decoder), executor);
  }

  private <E> Optional<Pair<Cursor, List<E>>> readPage(Cursor cursor, Supplier<Optional<Bound>> upperAtStart,
      boolean live, Decoder<E> decoder) {
    Bound upper = cursor.upper();
    if (upper == null) {
      Optional<Bound> end = upperAtStart.get();
      if (end.isEmpty()) {
        return Optional.empty();
      }
      upper = end.get();
    }
    long generation = signal.generation(); // before the read: a commit after it wakes the wait
    List<E> elements = new ArrayList<>();
    byte[] last = null;
    int read = 0;
    try (Snapshot snapshot = store.snapshot(); StrataIterator it = snapshot.scan(cursor.lower(), upper)) {
      for (; it.isValid() && read < pageSize; it.next(), read++) {
        last = it.key();
        E element = decoder.apply(last, it.value());
        if (element != null) {
          elements.add(element);
        }
      }
    }
    Bound lower = last == null ? cursor.lower() : Bound.excluded(last);
    boolean reachedUpperKey = last != null && upper.kind() == Bound.Kind.INCLUDED && Arrays.equals(last, upper.key());
    boolean done = reachedUpperKey || (read < pageSize && !live);
    return Optional.of(Pair.create(new Cursor(lower, upper, read < pageSize, generation, done), elements));
  }
}
