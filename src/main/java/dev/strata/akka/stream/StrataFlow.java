package dev.strata.akka.stream;

import akka.NotUsed;
import akka.japi.function.Function;
import akka.stream.javadsl.Flow;
import dev.strata.Strata;
import dev.strata.WriteBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Writes a stream's elements into a {@link Strata} store and passes each one on once the store
 * has acknowledged its write: visible to every later read and, with the WAL on, recoverable after
 * a crash (after a power loss too with {@code syncWrites(true)}).
 *
 * <pre>{@code
 * source                                                   // Source<KeyValue, ?>
 *     .via(StrataFlow.write(store, StrataWriteSettings.create(system)))
 *     .runWith(Sink.foreach(kv -> log.info("stored {}", kv)), system);
 * }</pre>
 *
 * <p><b>How.</b> Elements are grouped into write batches of at most {@code batchSize} elements
 * and {@code maxBatchBytes} bytes, or what arrived within {@code batchWindow}
 * ({@code groupedWeightedWithin}); each batch is one {@link Strata#writeAsync} (one commit, one
 * WAL record, all or nothing; its operations sorted by key, which the memtable inserts faster),
 * with at most {@code parallelism} batches in flight ({@code mapAsync}); elements leave in input
 * order once their batch is acknowledged.
 *
 * <p><b>Order.</b> Writes of the same key are applied in input order, so the last element of a
 * key wins, whatever the parallelism. {@code mapAsync} calls {@code writeAsync} for one batch at
 * a time, in input order, from the stage (serialized by the stream's actor), and the store
 * applies writes submitted that way in submission order on both of its paths:
 * <ul>
 *   <li>Fast path: {@code writeAsync} commits the batch on the calling thread under the store's
 *       commit lock (sequence numbers, WAL record, memtable) before it returns, so the next batch
 *       is not even submitted until this one is committed.</li>
 *   <li>Mailbox path (the store is stalled, writes are slowed down, or {@code syncWrites}): the
 *       store counts the batch as queued, then tells it to the writer actor
 *       ({@code WritePath.enqueue}). While any write is queued, no write takes the fast path
 *       ({@code WritePath.admit} refuses it under the commit lock), so later batches queue behind
 *       it; the mailbox is FIFO for tells that follow one another; and the writer applies its
 *       queue in arrival order, stopping at the first batch that still finds the store stalled,
 *       never skipping one ({@code WriterActor.drainQueue}).</li>
 * </ul>
 * Within a batch the writes of one key keep their input order (the batch is sorted by key, stably,
 * and commits atomically).
 *
 * <p><b>Back-pressure.</b> When the store stalls (memtables full and waiting for flush, or
 * compaction behind), {@code writeAsync} returns a stage that completes late; once
 * {@code parallelism} batches wait, the flow stops pulling, so no more than about
 * {@code (parallelism + 2) * batchSize} elements are held between upstream and the store.
 *
 * <p><b>Failure.</b> A failed write (an I/O error, which puts the store in its read-only error
 * state, or a closed store) fails the stream with the store's exception itself: a
 * {@link dev.strata.StrataException} whose cause is the I/O error, or the
 * {@link IllegalStateException} of a closed store. Every element emitted before that was
 * acknowledged, so it survives what any acknowledged write survives (a process crash with the WAL
 * on, a power loss with {@code syncWrites}); a batch in flight at the failure may or may not have
 * been applied. Nothing is retried: the store's error state lasts until it is reopened.
 *
 * <p>Thread-safety: the factories are thread-safe; each materialization is independent. The
 * store may be shared with any other writers and readers, but the ordering above holds only among
 * the writes of one materialized flow. Fast-path commits run on the stream's dispatcher; they hold
 * the commit lock for about a microsecond per element.
 */
public final class StrataFlow {
  private StrataFlow() {}

  /** Writes each {@link KeyValue} (a put or a delete) and emits it once acknowledged. */
  public static Flow<KeyValue, KeyValue, NotUsed> write(Strata store, StrataWriteSettings settings) {
    return batches(store, settings).mapConcat(batch -> batch).named("strataWrite");
  }

  /**
   * Writes the operation {@code toKeyValue} makes of each element and emits the element once
   * acknowledged (Alpakka's pass-through): an offset to commit, a message to acknowledge, the
   * domain object itself. {@code toKeyValue} is called once per element, in order; a null result
   * fails the stream.
   */
  public static <T> Flow<T, T, NotUsed> write(Strata store, StrataWriteSettings settings,
      Function<T, KeyValue> toKeyValue) {
    return batches(store, settings, toKeyValue).mapConcat(batch -> batch).named("strataWrite");
  }

  /**
   * The stages above without the last one: each acknowledged batch leaves as one list, for
   * {@link StrataSink}, which need not pass elements one by one to a sink that drops them.
   */
  static Flow<KeyValue, List<KeyValue>, NotUsed> batches(Strata store, StrataWriteSettings settings) {
    Objects.requireNonNull(store, "store must not be null");
    Objects.requireNonNull(settings, "settings must not be null");
    return Flow.<KeyValue>create()
        .groupedWeightedWithin(settings.maxBatchBytes(), settings.batchSize(), KeyValue::dataBytes,
            settings.batchWindow())
        .mapAsync(settings.parallelism(), group -> writeGroup(store, group, kv -> kv, kv -> kv));
  }

  static <T> Flow<T, List<T>, NotUsed> batches(Strata store, StrataWriteSettings settings,
      Function<T, KeyValue> toKeyValue) {
    Objects.requireNonNull(store, "store must not be null");
    Objects.requireNonNull(settings, "settings must not be null");
    Objects.requireNonNull(toKeyValue, "toKeyValue must not be null");
    return Flow.<T>create()
        .map(element -> new Pending<>(element, Objects.requireNonNull(toKeyValue.apply(element),
            () -> "toKeyValue returned null for " + element)))
        .groupedWeightedWithin(settings.maxBatchBytes(), settings.batchSize(), Pending::weight,
            settings.batchWindow())
        .mapAsync(settings.parallelism(), group -> writeGroup(store, group, Pending::operation, Pending::element));
  }

  /** An element and the operation it stands for. */
  private record Pending<T>(T element, KeyValue operation) {
    long weight() {
      return operation.dataBytes();
    }
  }

  /** Key order, unsigned bytes, as the store sorts keys. */
  private static final Comparator<KeyValue> BY_KEY = (a, b) -> Arrays.compareUnsigned(a.keyArray(), b.keyArray());

  /**
   * One write batch of {@code group}'s operations; completes with the group's elements, in input
   * order, once acknowledged, or fails with the store's exception.
   *
   * <p>The batch holds the operations sorted by key. The store commits a batch atomically (one
   * WAL record, consecutive sequence numbers published together), so the order of different keys
   * inside it cannot be observed, and the sort is stable, so the writes of one key keep their
   * order and the last still wins. Sorted inserts walk the memtable's skip list along nearby
   * paths: on {@code strata bench ingest} (1M random keys, batches of 4000, medians of 5 rounds)
   * 294k-366k elements/s unsorted, 407k-477k sorted; without the sort the stream only matches
   * the synchronous API, whose per-put lock and WAL record cost about what the stream adds.
   */
  private static <G, T> CompletionStage<List<T>> writeGroup(Strata store, List<G> group,
      java.util.function.Function<G, KeyValue> operation, java.util.function.Function<G, T> element) {
    List<T> elements = new ArrayList<>(group.size());
    KeyValue[] ops = new KeyValue[group.size()];
    int i = 0;
    for (G g : group) {
      ops[i++] = operation.apply(g);
      elements.add(element.apply(g));
    }
    Arrays.sort(ops, BY_KEY); // TimSort: stable
    WriteBatch batch = new WriteBatch();
    for (KeyValue op : ops) {
      op.addTo(batch);
    }
    // A closed store throws here (IllegalStateException), which fails the stage at once.
    CompletionStage<?> written = store.writeAsync(batch);
    CompletableFuture<List<T>> result = new CompletableFuture<>();
    written.whenComplete((done, failure) -> {
      if (failure == null) {
        result.complete(elements);
      } else {
        result.completeExceptionally(unwrap(failure));
      }
    });
    return result;
  }

  /** The store's own exception, not the CompletionException that dependent stages wrap it in. */
  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
