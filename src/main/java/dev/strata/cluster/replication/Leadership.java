package dev.strata.cluster.replication;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The volatile state of one leadership attempt (one epoch) of a {@link Replica}: the promises
 * gathered, the fetch that brings the leader's log up to date, each follower's progress, the
 * client requests waiting on the log, and the read-index rounds. Lost on a crash by design; a
 * restarted leader starts a new epoch. Not thread-safe: owned by its replica.
 */
final class Leadership {
  enum Phase { PREPARING, FETCHING, LEADING }

  /** What the leader knows of one follower. */
  static final class Progress {
    /** The follower's log equals the leader's through this index (acknowledged). */
    long match;
    /** The next index to send. */
    long next;
    /** The highest read round the follower acknowledged in this epoch. */
    long readAck;
    /** The tick at which a checkpoint was last requested for it (-1: none). */
    long checkpointTick = -1;
    /**
     * While a checkpoint is in flight to it and until it caught up with the log after installing
     * it: the leader's applied index when the checkpoint was first asked for (a lower bound of the
     * checkpoint's); the leader keeps its log from there, or from the follower's match once
     * higher (-1: none).
     */
    long catchUpFrom = -1;

    Progress(long next) {
      this.next = next;
    }
  }

  /** A client request that arrived before the leader could serve. */
  record Queued(long requestId, byte[] batch) {}

  final long epoch;
  Phase phase = Phase.PREPARING;
  final Map<String, Message.Promise> promises = new HashMap<>();
  /** The highest commit index a promiser reported: committed, so it is in the log the leader adopts. */
  long promisedCommit;
  String fetchSource;
  long fetchNext;
  long fetchTarget;
  /** The tick of the last fetch progress (entering the fetch, or a reply that brought entries). */
  long fetchTick;
  long noOpIndex;
  boolean serving;
  final Map<String, Progress> progress = new HashMap<>();
  /** Log index -> the client request it carries (writes and configuration changes). */
  final TreeMap<Long, Long> pendingWrites = new TreeMap<>();
  final List<Queued> queuedWrites = new ArrayList<>();
  final List<Long> queuedReads = new ArrayList<>();
  final ReadIndex reads = new ReadIndex();

  Leadership(long epoch) {
    this.epoch = epoch;
  }
}
