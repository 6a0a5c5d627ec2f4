package dev.strata.cli;

import akka.actor.Props;
import akka.persistence.AbstractPersistentActor;
import akka.persistence.RecoveryCompleted;
import akka.persistence.journal.Tagged;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The persistent actor of {@code strata bench persistence}: persists the events it is told to, one
 * at a time ({@code persist}) or in groups ({@code persistAll}), each group only after the last one
 * was written, as an application's command handler does; and counts the events it replays.
 * Confined to its actor; the futures it completes are how the bench learns that it is done.
 */
final class BenchPersistentActor extends AbstractPersistentActor {
  /** The tag every bench event carries when the journal under test has a read journal. */
  static final String TAG = "bench";

  /** Persist {@code events} events in groups of {@code groupSize}; complete {@code done} after the last. */
  record Persist(int events, int groupSize, CompletableFuture<Void> done) {}

  private static final Object NEXT = new Object();

  private final String persistenceId;
  private final boolean tagged;
  private final String padding;
  private final CompletableFuture<Long> recovered;
  private long replayed;
  private long nextEvent;
  private int remaining;
  private int groupSize;
  private int inFlight;
  private CompletableFuture<Void> done;

  static Props props(String persistenceId, boolean tagged, int eventBytes, CompletableFuture<Long> recovered) {
    return Props.create(BenchPersistentActor.class,
        () -> new BenchPersistentActor(persistenceId, tagged, eventBytes, recovered));
  }

  private BenchPersistentActor(String persistenceId, boolean tagged, int eventBytes,
      CompletableFuture<Long> recovered) {
    this.persistenceId = persistenceId;
    this.tagged = tagged;
    this.padding = "x".repeat(Math.max(0, eventBytes - persistenceId.length() - 12));
    this.recovered = recovered;
  }

  @Override
  public String persistenceId() {
    return persistenceId;
  }

  @Override
  public Receive createReceiveRecover() {
    return receiveBuilder()
        .match(RecoveryCompleted.class, r -> {
          nextEvent = replayed;
          recovered.complete(replayed);
        })
        .matchAny(event -> replayed++)
        .build();
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Persist.class, p -> {
          remaining = p.events();
          groupSize = p.groupSize();
          done = p.done();
          next();
        })
        .matchEquals(NEXT, n -> next())
        .build();
  }

  private void next() {
    if (remaining == 0) {
      done.complete(null);
      return;
    }
    int n = Math.min(groupSize, remaining);
    remaining -= n;
    if (n == 1) {
      persist(event(), e -> self().tell(NEXT, self()));
      return;
    }
    List<Object> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      events.add(event());
    }
    inFlight = n;
    persistAll(events, e -> {
      if (--inFlight == 0) {
        self().tell(NEXT, self());
      }
    });
  }

  private Object event() {
    String payload = persistenceId + "-" + nextEvent++ + "-" + padding;
    return tagged ? new Tagged(payload, Set.of(TAG)) : payload;
  }

  @Override
  public void onPersistFailure(Throwable cause, Object event, long seqNr) {
    fail(new IllegalStateException(persistenceId + ": persisting event " + seqNr + " failed: " + cause, cause));
    super.onPersistFailure(cause, event, seqNr);
  }

  @Override
  public void onPersistRejected(Throwable cause, Object event, long seqNr) {
    fail(new IllegalStateException(persistenceId + ": the journal rejected event " + seqNr + ": " + cause, cause));
    super.onPersistRejected(cause, event, seqNr);
  }

  @Override
  public void onRecoveryFailure(Throwable cause, scala.Option<Object> event) {
    recovered.completeExceptionally(new IllegalStateException(persistenceId + ": recovery failed: " + cause, cause));
    super.onRecoveryFailure(cause, event);
  }

  private void fail(Throwable error) {
    if (done != null) {
      done.completeExceptionally(error);
    }
  }
}
