package dev.strata.cluster;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.japi.function.Function;
import akka.pattern.Patterns;
import akka.stream.javadsl.Source;
import dev.strata.Bound;
import dev.strata.Limits;
import dev.strata.WriteBatch;
import dev.strata.akka.stream.KeyValue;
import dev.strata.cluster.sharding.KeyspaceNode;
import dev.strata.cluster.sharding.KeyspaceSettings;
import dev.strata.cluster.sharding.ShardHash;
import dev.strata.cluster.sharding.ShardProtocol;
import dev.strata.cluster.sharding.ShardProtocol.Failure;
import dev.strata.cluster.sharding.ShardProtocol.Reply;
import dev.strata.cluster.sharding.ShardStoreLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * A keyspace of the cluster: keys spread over its shards by {@link ShardHash}, each shard led by
 * one sharded entity that owns the shard's store. Every operation is asynchronous and may be
 * called from any thread and any node.
 *
 * <p><b>Guarantees.</b> A write ({@link #put}, {@link #delete}, {@link #write}) completes once the
 * shard's leader has written it to its store (with the keyspace's {@code sync-writes}); a
 * {@link #get} at the leader sees every write acknowledged before it began. {@link #scan} streams
 * every shard's keys in the range in one ascending key order; it reads each shard page by page
 * (page size {@code strata.cluster.scan-page-size}), so it is not a snapshot of the whole
 * keyspace: each page sees every write acknowledged before the page was read.
 *
 * <p><b>Failures.</b> A request that reaches a shard not served yet (the keyspace is starting, the
 * shard is moving, its node is down) is sent again until {@code strata.cluster.ask-timeout} has
 * passed since it was made, then fails with the shard's reason. A write that got no answer in
 * that time fails with a {@link TimeoutException}: it may or may not have been applied.
 *
 * <p>Thread-safe.
 */
public final class Keyspace {
  private static final Duration FIRST_RETRY = Duration.ofMillis(50);
  private static final Duration MAX_RETRY = Duration.ofMillis(800);

  private final ActorSystem<?> system;
  private final KeyspaceNode node;
  private final KeyspaceSettings settings;

  Keyspace(ActorSystem<?> system, KeyspaceNode node) {
    this.system = system;
    this.node = node;
    this.settings = node.settings();
  }

  public String name() {
    return settings.name();
  }

  /** The shard of {@code key}: {@code floorMod(murmur3_32(key), shards)} ({@link ShardHash}). */
  public int shardOf(byte[] key) {
    return ShardHash.shardOf(key, settings.shards());
  }

  /** Stores {@code value} under {@code key}; completes once the write is acknowledged. */
  public CompletionStage<Done> put(byte[] key, byte[] value) {
    checkKey(key);
    return writeOps(shardOf(key), List.of(KeyValue.put(key, value)));
  }

  /** Deletes {@code key} (an absent key is fine); completes once the delete is acknowledged. */
  public CompletionStage<Done> delete(byte[] key) {
    checkKey(key);
    return writeOps(shardOf(key), List.of(KeyValue.delete(key)));
  }

  /**
   * Writes {@code batch} atomically, in order. Every key of the batch must belong to one shard:
   * a batch spanning shards is refused with an {@link IllegalArgumentException} naming two of its
   * keys and their shards (group keys by {@link #shardOf}). An empty batch completes at once.
   */
  public CompletionStage<Done> write(WriteBatch batch) {
    Objects.requireNonNull(batch, "batch must not be null");
    if (batch.isEmpty()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    List<KeyValue> ops = new ArrayList<>(batch.count());
    int shard = -1;
    byte[] first = null;
    for (int i = 0; i < batch.count(); i++) {
      byte[] key = batch.key(i);
      checkKey(key);
      int s = shardOf(key);
      if (first == null) {
        first = key;
        shard = s;
      } else if (s != shard) {
        throw new IllegalArgumentException("a batch of keyspace '" + name() + "' must stay within one shard: key "
            + Arrays.toString(first) + " is in shard " + shard + " and key " + Arrays.toString(key)
            + " in shard " + s + "; write one batch per shard (Keyspace.shardOf)");
      }
      ops.add(batch.isDelete(i) ? KeyValue.delete(key) : KeyValue.put(key, batch.value(i)));
    }
    return writeOps(shard, ops);
  }

  /** The value of {@code key}, empty when absent; sees every write acknowledged before the call. */
  public CompletionStage<Optional<byte[]>> get(byte[] key) {
    checkKey(key);
    return ask(shardOf(key), replyTo -> new ShardProtocol.Get(key.clone(), replyTo), false)
        .thenApply(reply -> Optional.ofNullable(((ShardProtocol.Value) reply).value()));
  }

  /**
   * Every key between {@code lower} and {@code upper} with its value, in ascending (unsigned
   * byte-wise) key order across all shards: a merge of one paged scan per shard, each page asked
   * for only when the stream needs it.
   */
  public Source<KeyValue, NotUsed> scan(Bound lower, Bound upper) {
    Objects.requireNonNull(lower, "lower bound must not be null (use Bound.unbounded())");
    Objects.requireNonNull(upper, "upper bound must not be null (use Bound.unbounded())");
    List<Source<Keyed, NotUsed>> shards = new ArrayList<>(settings.shards());
    for (int shard = 0; shard < settings.shards(); shard++) {
      shards.add(shardScan(shard, lower, upper).map(kv -> new Keyed(kv.key(), kv)));
    }
    return mergeSorted(shards, 0, shards.size()).map(Keyed::kv).named("strataClusterScan");
  }

  /** An element with its key copied once, so that the merge compares without copying. */
  private record Keyed(byte[] key, KeyValue kv) {}

  private static Source<Keyed, NotUsed> mergeSorted(List<Source<Keyed, NotUsed>> sources, int from, int to) {
    if (to - from == 1) {
      return sources.get(from);
    }
    int mid = (from + to) >>> 1;
    return mergeSorted(sources, from, mid).mergeSorted(mergeSorted(sources, mid, to),
        (a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
  }

  /** Shard {@code shard}'s keys in the range, one page per pull. */
  private Source<KeyValue, NotUsed> shardScan(int shard, Bound lower, Bound upper) {
    record Cursor(Bound lower, boolean done) {}
    return Source.unfoldAsync(new Cursor(lower, false), cursor -> {
      if (cursor.done()) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      return ask(shard, replyTo -> new ShardProtocol.ScanPage(cursor.lower(), upper, settings.scanPageSize(), replyTo),
          false).thenApply(reply -> {
            ShardProtocol.Page page = (ShardProtocol.Page) reply;
            Bound next = page.entries().isEmpty() ? cursor.lower()
                : Bound.excluded(page.entries().get(page.entries().size() - 1).key());
            return Optional.of(akka.japi.Pair.create(new Cursor(next, page.last()), page.entries()));
          });
    }).mapConcat(entries -> entries);
  }

  private CompletionStage<Done> writeOps(int shard, List<KeyValue> ops) {
    return ask(shard, replyTo -> new ShardProtocol.Write(ops, replyTo), true).thenApply(reply -> Done.getInstance());
  }

  /**
   * Asks shard {@code shard}'s leader; sends again on a retriable failure (nothing done) until the
   * ask timeout has passed since the first try. Completes exceptionally with the shard's failure.
   */
  private CompletionStage<Reply> ask(int shard, Function<ActorRef<Reply>, ShardProtocol.Command> message,
      boolean isWrite) {
    long deadline = System.nanoTime() + settings.askTimeout().toNanos();
    return node.awaitPlacement().thenCompose(placed -> attempt(shard, message, isWrite, deadline, FIRST_RETRY));
  }

  private CompletionStage<Reply> attempt(int shard, Function<ActorRef<Reply>, ShardProtocol.Command> message,
      boolean isWrite, long deadline, Duration backoff) {
    Duration left = Duration.ofNanos(deadline - System.nanoTime());
    if (left.compareTo(Duration.ofMillis(1)) < 0) {
      left = Duration.ofMillis(1);
    }
    Duration timeout = left;
    return node.shard(shard).ask(message::apply, timeout).handle((reply, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        String what = isWrite ? "the write to keyspace '" + name() + "' shard " + shard
            + " got no answer in " + settings.askTimeout() + " (strata.cluster.ask-timeout); it may or may not"
            + " have been applied"
            : "keyspace '" + name() + "' shard " + shard + " did not answer in " + settings.askTimeout()
            + " (strata.cluster.ask-timeout)";
        TimeoutException timeoutFailure = new TimeoutException(what + ": " + cause);
        timeoutFailure.initCause(cause);
        return CompletableFuture.<Reply>failedFuture(timeoutFailure);
      }
      if (reply instanceof Failure f) {
        if (f.retriable() && System.nanoTime() + backoff.toNanos() < deadline) {
          Duration nextBackoff = backoff.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : backoff.multipliedBy(2);
          return Patterns.after(backoff, system.classicSystem().scheduler(), system.executionContext(),
              () -> attempt(shard, message, isWrite, deadline, nextBackoff));
        }
        return CompletableFuture.<Reply>failedFuture(new ShardUnavailableException(f.message()));
      }
      return CompletableFuture.completedFuture(reply);
    }).thenCompose(stage -> stage);
  }

  private static void checkKey(byte[] key) {
    Objects.requireNonNull(key, "key must not be null");
    if (key.length > Limits.MAX_KEY_BYTES - ShardStoreLayout.KEY_OVERHEAD) {
      throw new IllegalArgumentException("key is " + key.length + " bytes; a keyspace's limit is "
          + (Limits.MAX_KEY_BYTES - ShardStoreLayout.KEY_OVERHEAD) + " (the store's, less the shard store's prefix)");
    }
  }

  @Override
  public String toString() {
    return "Keyspace(" + settings + ")";
  }
}
