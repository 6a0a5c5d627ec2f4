package dev.strata.akka;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.strata.Bound;
import dev.strata.WriteBatch;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The messages a {@link StrataActor} understands, and its replies. Every command carries a
 * {@code replyTo} and gets exactly one {@link StatusReply}: a success with the result, or an error
 * whose exception is the one the matching {@link dev.strata.Strata} method would have thrown
 * ({@code NullPointerException} for a null key, value, bound or batch,
 * {@code IllegalArgumentException} for a key or value over the limits or a page size below one,
 * {@code IllegalStateException} for a closed store, {@code StrataException} for a storage failure).
 *
 * <p>Messages are immutable: a command copies the key and value arrays it is given, so the sender
 * may reuse them once the command is built. A {@link Write} takes over its batch: do not modify it
 * after building the command (copying a batch of up to 256 MiB for every write would cost more than
 * the rule does). The arrays in a reply are the reply's own.
 */
public sealed interface StrataCommand {

  /** Reads the value of {@code key}; replies a {@link GetResult} (empty when absent or deleted). */
  record Get(byte[] key, ActorRef<StatusReply<GetResult>> replyTo) implements StrataCommand {
    public Get {
      key = copy(key);
      Objects.requireNonNull(replyTo, "replyTo must not be null: it is where the reply goes");
    }
  }

  /** Stores {@code value} under {@code key}; replies {@code Done} once the write is acknowledged. */
  record Put(byte[] key, byte[] value, ActorRef<StatusReply<Done>> replyTo) implements StrataCommand {
    public Put {
      key = copy(key);
      value = copy(value);
      Objects.requireNonNull(replyTo, "replyTo must not be null: it is where the reply goes");
    }
  }

  /** Deletes {@code key} (deleting an absent key is fine); replies {@code Done} once acknowledged. */
  record Delete(byte[] key, ActorRef<StatusReply<Done>> replyTo) implements StrataCommand {
    public Delete {
      key = copy(key);
      Objects.requireNonNull(replyTo, "replyTo must not be null: it is where the reply goes");
    }
  }

  /** Applies {@code batch} all or nothing, in order; replies {@code Done} once acknowledged. */
  record Write(WriteBatch batch, ActorRef<StatusReply<Done>> replyTo) implements StrataCommand {
    public Write {
      Objects.requireNonNull(replyTo, "replyTo must not be null: it is where the reply goes");
    }
  }

  /**
   * Reads up to {@code maxEntries} entries between {@code lower} and {@code upper}, in ascending
   * key order; replies a {@link Page}. Each page is a consistent view of the store as it was when
   * the page was read; a range read over several pages is not one snapshot: a key written between
   * two pages is seen when it lies ahead of the continuation, missed when it lies behind.
   */
  record Scan(Bound lower, Bound upper, int maxEntries, ActorRef<StatusReply<Page>> replyTo)
      implements StrataCommand {
    public Scan {
      Objects.requireNonNull(replyTo, "replyTo must not be null: it is where the reply goes");
    }

    /** The whole key space, {@code maxEntries} at a time. */
    public static Scan all(int maxEntries, ActorRef<StatusReply<Page>> replyTo) {
      return new Scan(Bound.unbounded(), Bound.unbounded(), maxEntries, replyTo);
    }

    /** The same scan with its replies going to {@code replyTo}: for a continuation sent with ask. */
    public Scan withReplyTo(ActorRef<StatusReply<Page>> replyTo) {
      return new Scan(lower, upper, maxEntries, replyTo);
    }
  }

  // ---------------------------------------------------------------- replies

  /** The reply to {@link Get}: the key asked for and its value, empty when absent or deleted. */
  record GetResult(byte[] key, Optional<byte[]> value) {
    public GetResult {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value must not be null (Optional.empty() when absent)");
    }

    /** Records compare arrays by identity; a result compares by content. */
    @Override
    public boolean equals(Object o) {
      return o instanceof GetResult r && Arrays.equals(r.key, key)
          && r.value.isPresent() == value.isPresent()
          && (value.isEmpty() || Arrays.equals(r.value.get(), value.get()));
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(key) + value.map(Arrays::hashCode).orElse(-1);
    }

    @Override
    public String toString() {
      return "GetResult(" + Arrays.toString(key) + " -> " + value.map(Arrays::toString).orElse("absent") + ")";
    }
  }

  /** One key and its value in a {@link Page}. */
  record Entry(byte[] key, byte[] value) {
    public Entry {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }

    /** Records compare arrays by identity; an entry compares by content. */
    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e && Arrays.equals(e.key, key) && Arrays.equals(e.value, value);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Entry(" + Arrays.toString(key) + " -> " + Arrays.toString(value) + ")";
    }
  }

  /**
   * The reply to {@link Scan}: at most {@code maxEntries} entries in ascending key order, and the
   * scan to send for the next page, starting at the first key this page did not hold, or empty
   * when the range held no more keys when this page was read.
   */
  record Page(List<Entry> entries, Optional<Scan> next) {
    public Page {
      entries = List.copyOf(entries);
      Objects.requireNonNull(next, "next must not be null (Optional.empty() on the last page)");
    }

    /** True when the range is exhausted: no page follows this one. */
    public boolean isLast() {
      return next.isEmpty();
    }
  }

  /** Commands copy arrays so that a sender reusing its buffer cannot change a message in flight. */
  private static byte[] copy(byte[] bytes) {
    return bytes == null ? null : bytes.clone();
  }
}
