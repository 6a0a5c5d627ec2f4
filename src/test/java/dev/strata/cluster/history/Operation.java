package dev.strata.cluster.history;

import java.util.Objects;

/**
 * One client operation on one key of a keyspace, as a {@link History} recorded it: what was asked,
 * when it was invoked and when its answer arrived (both {@code System.nanoTime()} of the one JVM
 * that ran the clients), and how it ended.
 *
 * <p>A value is a string ({@code null} for "absent"): a put's value, or what a get returned. The
 * checker identifies a write by its value, so a workload gives every put a value of its own.
 *
 * <p>Immutable.
 *
 * @param id the order of invocation in the history, from 0
 * @param process who issued it (a client thread or logical process); one process issues one operation at a time
 * @param kind put, delete or get
 * @param key the key
 * @param value a put's value; a completed get's result ({@code null}: absent); {@code null} for a delete
 * @param invokedNanos when the operation was sent
 * @param completedNanos when its answer arrived; {@link Long#MAX_VALUE} while it is pending or if
 *     it ended {@link Outcome#INFO}: it may still take effect at any later time
 * @param outcome how it ended
 */
public record Operation(int id, int process, Kind kind, String key, String value, long invokedNanos,
    long completedNanos, Outcome outcome) {

  /** The operations a keyspace client issues. */
  public enum Kind { PUT, DELETE, GET }

  /**
   * How an operation ended, as in Jepsen's histories: acknowledged, known not to have happened,
   * or unknown (a timeout, a lost connection, a node killed while it held the request).
   */
  public enum Outcome {
    /** Acknowledged: a write took effect; a get returned {@link #value}. */
    OK,
    /** Refused before it could take effect (an invalid request): it never happened. */
    FAIL,
    /** No answer, or an error that does not say whether a write took effect. A get that ends so says nothing. */
    INFO
  }

  public Operation {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(outcome, "outcome");
    if (completedNanos < invokedNanos) {
      throw new IllegalArgumentException("operation " + id + " completed at " + completedNanos
          + " before it was invoked at " + invokedNanos);
    }
    if (kind == Kind.DELETE && value != null) {
      throw new IllegalArgumentException("a delete carries no value, operation " + id + " has " + value);
    }
    if (kind == Kind.PUT && value == null) {
      throw new IllegalArgumentException("put operation " + id + " on " + key + " has no value");
    }
  }

  boolean isWrite() {
    return kind != Kind.GET;
  }

  /** The value this write leaves under its key: the put's value, or {@code null} for a delete. */
  String written() {
    return kind == Kind.PUT ? value : null;
  }

  @Override
  public String toString() {
    String what = switch (kind) {
      case PUT -> "put(" + key + ", " + value + ")";
      case DELETE -> "delete(" + key + ")";
      case GET -> "get(" + key + ")" + (outcome == Outcome.OK ? " = " + (value == null ? "absent" : value) : "");
    };
    String end = completedNanos == Long.MAX_VALUE ? "..." : Long.toString(completedNanos);
    return "#" + id + " p" + process + " " + what + " " + outcome + " [" + invokedNanos + ", " + end + "]";
  }
}
