package dev.strata.cluster.replication;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One entry of a shard's replicated log: its position, the epoch of the leader that created it,
 * and what it carries. Immutable. Two entries at one index with one epoch are the same entry (the
 * log matching property); the protocol relies on it and never compares payloads.
 */
public record LogEntry(long index, long epoch, Payload payload) {
  public LogEntry {
    if (index < 1) {
      throw new IllegalArgumentException("log index must be >= 1, got " + index);
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    Objects.requireNonNull(payload, "payload");
  }

  /** What an entry carries. */
  public sealed interface Payload permits NoOp, Write, Config {}

  /** Appended by every new leader; once it commits, the leader's log holds every committed entry. */
  public record NoOp() implements Payload {}

  /** A client's write batch, encoded by {@link BatchCodec}. */
  public record Write(byte[] batch) implements Payload {
    public Write {
      Objects.requireNonNull(batch, "batch");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Write w && Arrays.equals(batch, w.batch);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(batch);
    }

    @Override
    public String toString() {
      return "Write(" + batch.length + " bytes)";
    }
  }

  /**
   * The replica set from this entry on (sorted, distinct ids). A replica uses the latest
   * configuration in its log, committed or not (Raft's single-server change), so that successive
   * configurations differ by one replica and their majorities overlap.
   */
  public record Config(List<String> members) implements Payload {
    public Config {
      members = List.copyOf(members);
      if (!members.stream().sorted().distinct().toList().equals(members)) {
        throw new IllegalArgumentException("config members must be sorted and distinct: " + members);
      }
    }
  }
}
