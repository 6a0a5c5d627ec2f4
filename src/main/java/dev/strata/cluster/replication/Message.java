package dev.strata.cluster.replication;

import java.util.List;
import java.util.Objects;

/**
 * The protocol messages between the replicas of one shard. Immutable values of longs, strings and
 * log entries, so that a transport can encode them without knowing the protocol. Every message
 * names its sender and the epoch it belongs to; a message may be lost, delayed, duplicated or
 * reordered, and the protocol stays safe.
 */
public sealed interface Message {
  String from();

  long epoch();

  /** A would-be leader asks for a durable promise to refuse every epoch below {@code epoch}. */
  record Prepare(String from, long epoch) implements Message {
    public Prepare {
      Objects.requireNonNull(from, "from");
    }
  }

  /**
   * The answer to a {@link Prepare}: granted with the replica's log position and commit index,
   * or refused with the epoch it promised instead.
   */
  record Promise(String from, long epoch, boolean granted, long promised, long lastIndex, long lastEpoch,
      long commitIndex) implements Message {
    public Promise {
      Objects.requireNonNull(from, "from");
    }
  }

  /**
   * Entries (possibly none: a heartbeat) that follow {@code prevIndex}, whose entry has epoch
   * {@code prevEpoch} in the leader's log. {@code readSeq} is the leader's latest read-index round,
   * echoed back to confirm leadership for reads; {@code truncateThrough} lets the replica drop log
   * entries up to that index once it has applied them.
   */
  record Append(String from, long epoch, long prevIndex, long prevEpoch, List<LogEntry> entries, long commitIndex,
      long readSeq, long truncateThrough) implements Message {
    public Append {
      Objects.requireNonNull(from, "from");
      entries = List.copyOf(entries);
    }
  }

  /**
   * The answer to an {@link Append}. {@code accepted} false: the replica promised {@code promised}
   * &gt; epoch, and the sender is deposed. Otherwise {@code matched} says whether the log matched;
   * if so the replica's log equals the leader's through {@code matchIndex}, and if not
   * {@code hintIndex} is an index through which it does (so the leader resends from after it).
   */
  record AppendReply(String from, long epoch, boolean accepted, long promised, boolean matched, long matchIndex,
      long hintIndex, long readSeq) implements Message {
    public AppendReply {
      Objects.requireNonNull(from, "from");
    }
  }

  /** A preparing leader fetches the entries from {@code fromIndex} of the most up-to-date promiser. */
  record Fetch(String from, long epoch, long fromIndex, int maxEntries) implements Message {
    public Fetch {
      Objects.requireNonNull(from, "from");
    }
  }

  /**
   * The answer to a {@link Fetch}: entries from {@code fromIndex}, the requested index or, if the
   * replica truncated its log past it, its first kept entry; {@code prevEpoch} is the epoch of the
   * entry before {@code fromIndex}, so that the leader can check that its log matches there (if
   * not, it needs a checkpoint). Or refused with the epoch the replica promised.
   */
  record FetchReply(String from, long epoch, boolean granted, long promised, long fromIndex, long prevEpoch,
      List<LogEntry> entries, long lastIndex) implements Message {
    public FetchReply {
      Objects.requireNonNull(from, "from");
      entries = List.copyOf(entries);
    }
  }
}
