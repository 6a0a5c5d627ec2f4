package dev.strata.cluster.history;

import dev.strata.cluster.history.Operation.Kind;
import dev.strata.cluster.history.Operation.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * Records a concurrent client workload on a keyspace for {@link HistoryChecker}: every operation's
 * invocation and completion times and how it ended.
 *
 * <p>The times are {@code System.nanoTime()} taken in this JVM just before a request is sent and
 * when its answer is seen. Both are conservative: the operation took effect, if at all, somewhere
 * inside that interval, and a late answer only widens it. So every clock reading must come from
 * the JVM that runs the clients (nanoTime is not comparable across JVMs).
 *
 * <p>Thread-safe: any number of client threads and completion callbacks record into one history.
 */
public final class History {
  private final List<Operation> operations = new ArrayList<>();
  private final Predicate<Throwable> definiteFailure;

  /**
   * @param definiteFailure says which errors prove that a write never took effect (say, an
   *     argument the client refused before sending); every other error is {@link Outcome#INFO}
   */
  public History(Predicate<Throwable> definiteFailure) {
    this.definiteFailure = definiteFailure;
  }

  /** A history in which every error is {@link Outcome#INFO}: the safe choice when in doubt. */
  public History() {
    this(error -> false);
  }

  /** An operation that was invoked and has not been answered yet. Complete it exactly once. */
  public final class Pending {
    private final int id;
    private final int process;
    private final Kind kind;
    private final String key;
    private final String value;
    private final long invokedNanos;
    private boolean completed;

    private Pending(int id, int process, Kind kind, String key, String value, long invokedNanos) {
      this.id = id;
      this.process = process;
      this.kind = kind;
      this.key = key;
      this.value = value;
      this.invokedNanos = invokedNanos;
    }

    /** A write was acknowledged. */
    public void ok() {
      if (kind == Kind.GET) {
        throw new IllegalStateException("a get completes with okRead(value), not ok(): " + key);
      }
      complete(value, Outcome.OK, System.nanoTime());
    }

    /** A get returned {@code result} ({@code null}: absent). */
    public void okRead(String result) {
      if (kind != Kind.GET) {
        throw new IllegalStateException("only a get returns a value; this is a " + kind + " of " + key);
      }
      complete(result, Outcome.OK, System.nanoTime());
    }

    /** The operation ended with {@code error}: {@link Outcome#FAIL} if it proves nothing happened, else {@link Outcome#INFO}. */
    public void failed(Throwable error) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (definiteFailure.test(cause)) {
        complete(kind == Kind.GET ? null : value, Outcome.FAIL, System.nanoTime());
      } else {
        complete(kind == Kind.GET ? null : value, Outcome.INFO, Long.MAX_VALUE);
      }
    }

    private void complete(String result, Outcome outcome, long completedNanos) {
      synchronized (History.this) {
        if (completed) {
          throw new IllegalStateException("operation " + id + " on " + key + " completed twice");
        }
        completed = true;
        operations.set(id, new Operation(id, process, kind, key, result, invokedNanos, completedNanos, outcome));
      }
    }
  }

  /** Records that {@code process} is about to send a put, a delete ({@code value} null) or a get ({@code value} null). */
  public synchronized Pending invoke(int process, Kind kind, String key, String value) {
    int id = operations.size();
    long now = System.nanoTime();
    // Until it completes it stands in the history as unanswered: if it never completes it is INFO.
    operations.add(new Operation(id, process, kind, key, kind == Kind.GET ? null : value, now, Long.MAX_VALUE,
        Outcome.INFO));
    return new Pending(id, process, kind, key, kind == Kind.GET ? null : value, now);
  }

  /** Records a write and completes it from {@code reply}; returns {@code reply}'s completion as seen by the history. */
  public <T> CompletionStage<T> write(int process, Kind kind, String key, String value, CompletionStage<T> reply) {
    Pending op = invoke(process, kind, key, value);
    return reply.whenComplete((done, error) -> {
      if (error == null) {
        op.ok();
      } else {
        op.failed(error);
      }
    });
  }

  /** Records a get and completes it from {@code reply}. */
  public CompletionStage<Optional<String>> read(int process, String key, CompletionStage<Optional<String>> reply) {
    Pending op = invoke(process, Kind.GET, key, null);
    return reply.whenComplete((result, error) -> {
      if (error == null) {
        op.okRead(result.orElse(null));
      } else {
        op.failed(error);
      }
    });
  }

  /** Every operation so far, in invocation order; those not answered yet stand as {@link Outcome#INFO}. */
  public synchronized List<Operation> operations() {
    return List.copyOf(operations);
  }

  /** The operations in invocation order, in one line each (what a failed test prints or keeps). */
  public static String describe(List<Operation> operations) {
    StringBuilder out = new StringBuilder();
    operations.stream().sorted(Comparator.comparingInt(Operation::id)).forEach(op -> out.append(op).append('\n'));
    return out.toString();
  }
}
