package dev.strata.akka.stream;

import akka.NotUsed;
import akka.stream.ActorAttributes;
import akka.stream.javadsl.Source;
import dev.strata.Bound;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import java.util.Objects;
import java.util.Optional;

/**
 * Streams a key range of a {@link Strata} store, in ascending key order, as {@link KeyValue}
 * puts.
 *
 * <pre>{@code
 * StrataSource.scan(store, Bound.included(from), Bound.excluded(to))
 *     .runWith(Sink.foreach(kv -> ...), system);
 * }</pre>
 *
 * <p><b>Consistency.</b> When the stream starts (materialization, then the stage's start on its
 * dispatcher) it takes a {@link Strata#snapshot()} and scans through it, so it streams the range
 * exactly as it was at that moment, whatever is written, flushed or compacted while the stream
 * runs, at the stream's own pace: the snapshot and the iterator pin what they read, and compaction
 * keeps it.
 *
 * <p><b>Resources.</b> The iterator and the snapshot are closed when the range is exhausted, when
 * a read fails (the stream fails with the store's exception) and when downstream cancels, so a
 * finished or abandoned stream holds nothing and the store can close cleanly. A stream that is
 * never run takes nothing. Do not close the store while a scan stream runs: its next read fails.
 *
 * <p><b>Dispatcher.</b> Reads may block on file I/O, so the stage runs on
 * {@code strata.blocking-dispatcher} (Strata's reference.conf), like flushes and compactions,
 * while the stages downstream of it stay on the stream's own dispatcher;
 * {@code withAttributes(ActorAttributes.dispatcher(...))} on the returned source picks another.
 *
 * <p>Thread-safe factory; each materialization has its own snapshot and iterator, used by one
 * stage at a time.
 */
public final class StrataSource {
  /** The dispatcher scans run on. */
  public static final String BLOCKING_DISPATCHER = "strata.blocking-dispatcher";

  private StrataSource() {}

  /** The keys between {@code lower} and {@code upper} (see {@link Bound}), from a snapshot taken as the stream starts. */
  public static Source<KeyValue, NotUsed> scan(Strata store, Bound lower, Bound upper) {
    Objects.requireNonNull(store, "store must not be null");
    Objects.requireNonNull(lower, "lower bound must not be null (use Bound.unbounded())");
    Objects.requireNonNull(upper, "upper bound must not be null (use Bound.unbounded())");
    return Source.unfoldResource(() -> Cursor.open(store, lower, upper), Cursor::next, Cursor::close)
        .withAttributes(ActorAttributes.dispatcher(BLOCKING_DISPATCHER))
        .named("strataScan");
  }

  /** A snapshot and an iterator through it; closing closes both. Used by one stage at a time. */
  private static final class Cursor {
    private final Snapshot snapshot;
    private final StrataIterator iterator;

    private Cursor(Snapshot snapshot, StrataIterator iterator) {
      this.snapshot = snapshot;
      this.iterator = iterator;
    }

    static Cursor open(Strata store, Bound lower, Bound upper) {
      Snapshot snapshot = store.snapshot();
      try {
        return new Cursor(snapshot, snapshot.scan(lower, upper));
      } catch (RuntimeException | Error e) {
        snapshot.close();
        throw e;
      }
    }

    Optional<KeyValue> next() {
      if (!iterator.isValid()) {
        return Optional.empty();
      }
      // The iterator returns copies, which the element may keep.
      KeyValue kv = KeyValue.owning(iterator.key(), iterator.value());
      iterator.next();
      return Optional.of(kv);
    }

    void close() {
      try {
        iterator.close();
      } finally {
        snapshot.close();
      }
    }
  }
}
