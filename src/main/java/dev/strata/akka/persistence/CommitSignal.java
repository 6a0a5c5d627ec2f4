package dev.strata.akka.persistence;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells live queries that a journal (or durable state) commit happened, so that they read again at
 * once instead of at their next poll. A query notes {@link #generation()} before it reads, and when
 * it found nothing new, {@link #await}s a commit after that generation: a commit between its read and
 * its wait is not missed. Polling stays as the fallback ({@code refresh-interval}): the wait ends at
 * its timeout too, which also covers writes made by another {@code JournalCommitter} on the store.
 *
 * <p>Thread-safe: {@link #fire} may run on any thread, concurrently with any number of waiters.
 */
final class CommitSignal {
  private final AtomicLong generation = new AtomicLong();
  private final Set<CompletableFuture<Void>> waiters = ConcurrentHashMap.newKeySet();

  /** The number of commits signalled so far. */
  long generation() {
    return generation.get();
  }

  /**
   * Completes after a commit later than {@code seen} (at once if one happened already) or after
   * {@code timeout}, whichever is first. A waiter leaves the set when it completes either way, so a
   * query idling for days holds nothing here.
   */
  CompletableFuture<Void> await(long seen, Duration timeout) {
    CompletableFuture<Void> waiter = new CompletableFuture<>();
    waiters.add(waiter); // before the check: a fire after the check finds it in the set
    if (generation.get() != seen) {
      waiters.remove(waiter);
      return CompletableFuture.completedFuture(null);
    }
    waiter.whenComplete((v, e) -> waiters.remove(waiter));
    return waiter.completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Wakes every waiter: a commit is visible to reads from now on. */
  void fire() {
    generation.incrementAndGet();
    for (CompletableFuture<Void> waiter : waiters) {
      waiter.complete(null);
    }
  }
}
