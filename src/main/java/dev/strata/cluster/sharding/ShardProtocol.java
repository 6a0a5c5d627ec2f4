package dev.strata.cluster.sharding;

import akka.actor.typed.ActorRef;
import dev.strata.Bound;
import dev.strata.akka.stream.KeyValue;
import java.util.List;
import java.util.Objects;

/**
 * The messages a keyspace's clients send to a shard's leader entity ({@link ShardEntity}), and its
 * replies. They cross the network: {@link ClusterProtocolSerializer} writes them.
 */
public final class ShardProtocol {
  private ShardProtocol() {}

  /** What a shard's leader entity is asked. */
  public sealed interface Command permits Write, Get, ScanPage, ShardEntity.Internal {}

  /** Writes {@code ops} (puts and deletes of keys of this shard) atomically, in order. */
  public record Write(List<KeyValue> ops, ActorRef<Reply> replyTo) implements Command {
    public Write {
      ops = List.copyOf(ops);
      Objects.requireNonNull(replyTo);
    }
  }

  /** Reads {@code key}; answered with a {@link Value}. */
  public record Get(byte[] key, ActorRef<Reply> replyTo) implements Command {
    public Get {
      Objects.requireNonNull(key);
      Objects.requireNonNull(replyTo);
    }
  }

  /** Reads the first {@code limit} keys of this shard in [lower, upper]; answered with a {@link Page}. */
  public record ScanPage(Bound lower, Bound upper, int limit, ActorRef<Reply> replyTo) implements Command {
    public ScanPage {
      Objects.requireNonNull(lower);
      Objects.requireNonNull(upper);
      if (limit < 1) {
        throw new IllegalArgumentException("a scan page holds at least 1 entry, not " + limit);
      }
      Objects.requireNonNull(replyTo);
    }
  }

  /** A shard's answer. */
  public sealed interface Reply permits Written, Value, Page, Failure {}

  /** The write is durable as the keyspace promises (a majority of replicas hold it). */
  public enum Written implements Reply { INSTANCE }

  /** The value of the key asked, or null when the key is absent. */
  public record Value(byte[] value) implements Reply {}

  /**
   * Entries in key order; {@code last} when the shard holds no more keys in the range. A page
   * that is not last has at least one entry, so a scan resumes after its last key.
   */
  public record Page(List<KeyValue> entries, boolean last) implements Reply {
    public Page {
      entries = List.copyOf(entries);
      if (!last && entries.isEmpty()) {
        throw new IllegalArgumentException("a page that is not the last one carries at least one entry");
      }
    }
  }

  /**
   * The request failed; {@code message} says why (it reaches the client's exception).
   * {@code retriable}: nothing was done (the shard is not served here yet), so the client may send
   * the request again, a write included.
   */
  public record Failure(String message, boolean retriable) implements Reply {
    public Failure {
      Objects.requireNonNull(message);
    }
  }
}
