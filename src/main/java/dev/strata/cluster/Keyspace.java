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
import dev.strata.cluster.replication.ShardStore;
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
 * <p><b>Guarantees.</b> Each shard has {@code replication-factor} replicas on distinct nodes
 * (fewer while fewer nodes are up when the shard is created) and one leader, the node its sharded
 * entity runs on. A write ({@link #put}, {@link #delete}, {@link #write}) completes once a
 * majority of the shard's replicas hold it durably (with the keyspace's {@code sync-writes}) and
 * the leader applied it; a leader deposed by a newer one can never get a write acknowledged. A
 * {@link #get} is linearizable: the leader confirms its leadership with a majority after the read
 * arrives, so it sees every write acknowledged before the read began. {@link #scan} streams every
 * shard's keys in the range in one ascending key order; it reads each shard page by page (page
 * size {@code strata.cluster.scan-page-size}), each page as linearizable as a get, so it is not a
 * snapshot of the whole keyspace: each page sees every write acknowledged before the page was read.
 *
 * <p><b>Failures.</b> A request that reaches a shard not served yet (the keyspace is starting, the
 * shard's leader is moving or taking over) is sent again until {@code strata.cluster.ask-timeout}
 * has passed since it was made, then fails with a {@link ShardUnavailableException} giving the
 * shard's reason. A read that gets no answer is asked again within that time too. A write that got
 * no answer in that time fails with a {@link TimeoutException}, and one whose leader lost its
 * leadership after logging it fails saying so: either may or may not have been applied.
 *
 * <p>Thread-safe.
 */
public final class Keyspace {
  private static final Duration FIRST_RETRY = Duration.ofMillis(50);
  private static final Duration MAX_RETRY = Duration.ofMillis(800);
  private static final Duration READ_TRY = Duration.ofSeconds(3);

  private final ActorSystem<?> system;
  private final KeyspaceNode node;
  private final KeyspaceSettings settings;

  Keyspace(ActorSystem<?> system, KeyspaceNode node) {
    this.system = system;
    this.node = node;
    this.settings = node.settings();
  }

  KeyspaceNode node() {
    return node;
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

  /**
   * The value of {@code key}, empty when absent, read with the keyspace's default consistency
   * ({@code strata.cluster.follower-reads}: off, the default, reads {@link ReadConsistency#LINEARIZABLE},
   * which sees every write acknowledged before the call).
   */
  public CompletionStage<Optional<byte[]>> get(byte[] key) {
    return get(key, settings.followerReads() ? ReadConsistency.FOLLOWER : ReadConsistency.LINEARIZABLE);
  }

  /** The value of {@code key}, empty when absent, read as {@code consistency} says. */
  public CompletionStage<Optional<byte[]>> get(byte[] key, ReadConsistency consistency) {
    checkKey(key);
    Objects.requireNonNull(consistency, "consistency must not be null");
    if (consistency == ReadConsistency.FOLLOWER) {
      int shard = shardOf(key);
      return node.readLocally(shard, key.clone()).thenCompose(reply -> reply instanceof ShardProtocol.Value v
          ? CompletableFuture.completedFuture(Optional.ofNullable(v.value()))
          : get(key, ReadConsistency.LINEARIZABLE));
    }
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
    // A read is asked again when a try gets no answer (Sharding drops the messages it buffered for
    // a shard that moves), so each try gets a part of the time; a write is sent once, with all of it.
    Duration timeout = isWrite || left.compareTo(READ_TRY) < 0 ? left : READ_TRY;
    return node.shard(shard).ask(message::apply, timeout).handle((reply, failure) -> {
      if (failure != null && !isWrite && System.nanoTime() + backoff.toNanos() < deadline) {
        return attempt(shard, message, false, deadline, backoff);
      }
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
    if (key.length > Limits.MAX_KEY_BYTES - ShardStore.USER_PREFIX_BYTES) {
      throw new IllegalArgumentException("key is " + key.length + " bytes; a keyspace's limit is "
          + (Limits.MAX_KEY_BYTES - ShardStore.USER_PREFIX_BYTES) + " (the store's, less the shard store's prefix)");
    }
  }

  @Override
  public String toString() {
    return "Keyspace(" + settings + ")";
  }
}
