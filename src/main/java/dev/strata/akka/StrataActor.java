package dev.strata.akka;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.pattern.StatusReply;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.WriteBatch;
import dev.strata.akka.StrataCommand.Delete;
import dev.strata.akka.StrataCommand.Entry;
import dev.strata.akka.StrataCommand.Get;
import dev.strata.akka.StrataCommand.GetResult;
import dev.strata.akka.StrataCommand.Page;
import dev.strata.akka.StrataCommand.Put;
import dev.strata.akka.StrataCommand.Scan;
import dev.strata.akka.StrataCommand.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * A store behind a message protocol ({@link StrataCommand}), for actors that prefer messages to
 * method calls:
 *
 * <pre>{@code
 * ActorRef<StrataCommand> orders = context.spawn(StrataActor.create(store), "orders");
 * orders.tell(new StrataCommand.Put(key, value, replyTo));   // StatusReply<Done> once acknowledged
 * }</pre>
 *
 * <p>Thread-safety: the actor holds no state of its own; it is a front for a thread-safe
 * {@link Strata}, which other threads may keep using directly. It never blocks its own thread:
 * writes go through {@code putAsync}/{@code writeAsync}, which commit on the actor's thread in
 * about a microsecond, or queue at the writer actor when the store is stalled, and are
 * acknowledged when their stage completes; reads, which may read SST blocks from disk, run on
 * {@code strata.blocking-dispatcher} and reply from there.
 *
 * <p>Ordering: writes are applied in the order the actor receives them (a write queued behind a
 * stall holds back every later one). A read sees every write acknowledged before the read was
 * sent. Reads run concurrently, so their replies may arrive in another order than they were sent.
 *
 * <p>Bad input (a null or oversized key, a page size below one) and a closed store get a
 * {@code StatusReply.error}; the actor neither crashes nor stops. It does not own the store:
 * stopping it leaves the store open, and closing the store makes it reply errors.
 */
public final class StrataActor extends AbstractBehavior<StrataCommand> {
  static final String READ_DISPATCHER = "strata.blocking-dispatcher";

  private final Supplier<Strata> store;
  private final Executor reads;

  /** A behavior serving {@code store}; spawn it where you like, as often as you like. */
  public static Behavior<StrataCommand> create(Strata store) {
    Objects.requireNonNull(store, "store must not be null");
    return create(() -> store);
  }

  /**
   * A behavior serving whichever store {@code store} gives for each command, which throws
   * {@code IllegalStateException} when there is none; the extension's per-name actor outlives a
   * close and reopen of its store.
   */
  static Behavior<StrataCommand> create(Supplier<Strata> store) {
    return Behaviors.setup(ctx -> new StrataActor(ctx, store));
  }

  private StrataActor(ActorContext<StrataCommand> context, Supplier<Strata> store) {
    super(context);
    this.store = store;
    this.reads = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(READ_DISPATCHER));
  }

  @Override
  public Receive<StrataCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(Get.class, this::onGet)
        .onMessage(Put.class, this::onPut)
        .onMessage(Delete.class, this::onDelete)
        .onMessage(Write.class, this::onWrite)
        .onMessage(Scan.class, this::onScan)
        .build();
  }

  private Behavior<StrataCommand> onGet(Get get) {
    read(get.replyTo(), () -> new GetResult(get.key(), Optional.ofNullable(store.get().get(get.key()))));
    return this;
  }

  private Behavior<StrataCommand> onPut(Put put) {
    acknowledge(put.replyTo(), () -> store.get().putAsync(put.key(), put.value()));
    return this;
  }

  private Behavior<StrataCommand> onDelete(Delete delete) {
    // Strata has no deleteAsync: a one-operation batch is what delete() itself queues when stalled.
    acknowledge(delete.replyTo(), () -> store.get().writeAsync(new WriteBatch().delete(delete.key())));
    return this;
  }

  private Behavior<StrataCommand> onWrite(Write write) {
    acknowledge(write.replyTo(), () -> store.get().writeAsync(write.batch()));
    return this;
  }

  private Behavior<StrataCommand> onScan(Scan scan) {
    if (scan.maxEntries() < 1) {
      scan.replyTo().tell(StatusReply.error(new IllegalArgumentException(
          "scan maxEntries must be at least 1 (it is the page size), got " + scan.maxEntries())));
      return this;
    }
    read(scan.replyTo(), () -> page(scan));
    return this;
  }

  /** One page, read from a fixed view of the store; the iterator is closed whatever happens. */
  private Page page(Scan scan) {
    try (StrataIterator it = store.get().scan(scan.lower(), scan.upper())) {
      List<Entry> entries = new ArrayList<>(Math.min(scan.maxEntries(), 1024));
      for (; it.isValid() && entries.size() < scan.maxEntries(); it.next()) {
        entries.add(new Entry(it.key(), it.value()));
      }
      // The iterator already stands on the first key past the page: the continuation starts there,
      // so the last page says it is last without an extra, empty one.
      Optional<Scan> next = it.isValid()
          ? Optional.of(new Scan(Bound.included(it.key()), scan.upper(), scan.maxEntries(), scan.replyTo()))
          : Optional.empty();
      return new Page(entries, next);
    }
  }

  /** Starts a write and acknowledges it when its stage completes; a write refused up front fails at once. */
  private static void acknowledge(ActorRef<StatusReply<Done>> replyTo, Supplier<CompletionStage<Done>> write) {
    CompletionStage<Done> stage;
    try {
      stage = write.get();
    } catch (RuntimeException e) {
      replyTo.tell(StatusReply.error(e));
      return;
    }
    stage.whenComplete((done, failure) ->
        replyTo.tell(failure == null ? StatusReply.ack() : StatusReply.error(unwrap(failure))));
  }

  /** Runs {@code read} on the read dispatcher and replies its result, or its failure, from there. */
  private <T> void read(ActorRef<StatusReply<T>> replyTo, Supplier<T> read) {
    try {
      reads.execute(() -> {
        StatusReply<T> reply;
        try {
          reply = StatusReply.success(read.get());
        } catch (RuntimeException e) {
          reply = StatusReply.error(e);
        }
        replyTo.tell(reply);
      });
    } catch (RejectedExecutionException e) {
      replyTo.tell(StatusReply.error(new IllegalStateException(
          "the read could not start: " + READ_DISPATCHER + " refused it (is the actor system shutting down?)", e)));
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
