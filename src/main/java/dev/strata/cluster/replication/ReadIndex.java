package dev.strata.cluster.replication;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The read-index rounds of one leadership (Raft's ReadIndex, batched). A read records the commit
 * index when it arrived (its read index) and the round that must confirm it: the round in flight
 * if none is, else the next one, so that every confirming round starts after the read arrived.
 * All reads that arrive during a round share the next. A round is confirmed once a majority of
 * the replica set echoed its number in this epoch; a confirmed read is ready once the applied
 * index reaches its read index. Not thread-safe: owned by its leader.
 */
final class ReadIndex {
  private record PendingRead(long requestId, long round, long readIndex) {}

  private final List<PendingRead> reads = new ArrayList<>();
  /** The latest round started; every Append carries it and followers echo it. */
  private long round;
  private boolean inFlight;

  long round() {
    return round;
  }

  /**
   * Registers a read. Returns true if it started a round, which the leader must now send to every
   * follower. {@code alone}: the leader is the whole replica set, and confirms every round itself.
   */
  boolean add(long requestId, long readIndex, boolean alone) {
    if (alone) {
      reads.add(new PendingRead(requestId, round, readIndex));
      return false;
    }
    if (!inFlight) {
      round++;
      inFlight = true;
      reads.add(new PendingRead(requestId, round, readIndex));
      return true;
    }
    reads.add(new PendingRead(requestId, round + 1, readIndex));
    return false;
  }

  /**
   * Rounds through {@code confirmed} are confirmed. Returns true if reads wait for a round not
   * yet started, which this call then started (the leader must send it).
   */
  boolean confirm(long confirmed) {
    if (confirmed >= round) {
      inFlight = false;
    }
    if (!inFlight && reads.stream().anyMatch(r -> r.round() > round)) {
      round++;
      inFlight = true;
      return true;
    }
    return false;
  }

  /** Removes and returns the reads confirmed through round {@code confirmed} whose read index is applied. */
  List<Long> ready(long confirmed, long applied) {
    List<Long> ready = new ArrayList<>();
    for (Iterator<PendingRead> it = reads.iterator(); it.hasNext(); ) {
      PendingRead r = it.next();
      if (r.round() <= confirmed && r.readIndex() <= applied) {
        it.remove();
        ready.add(r.requestId());
      }
    }
    return ready;
  }

  /** Removes and returns every waiting read (leadership lost). */
  List<Long> drain() {
    List<Long> all = reads.stream().map(PendingRead::requestId).toList();
    reads.clear();
    return all;
  }
}
