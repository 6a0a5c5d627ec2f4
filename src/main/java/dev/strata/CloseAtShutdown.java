package dev.strata;

import akka.Done;
import akka.actor.Cancellable;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a store opened in an application's {@code ActorSystem} when that system shuts down: a
 * {@code CoordinatedShutdown} task of its own in phase {@code before-actor-system-terminate}
 * (while the store's writer actor can still answer), cancelled when the store's owner closes it
 * first, so that a long-lived system holds no store that was closed.
 *
 * <p>Why each store registers itself: the API then needs nothing of the Akka integration, and
 * whoever opened the store (the application, {@code StrataExtension}, a test kit) gets the same
 * guarantee. Tasks of one phase run in parallel, so the phase's timeout
 * ({@code akka.coordinated-shutdown.phases.before-actor-system-terminate.timeout}, 5 s by default)
 * bounds the slowest close rather than the sum of them; a store with the WAL off flushes its
 * memtables as it closes, which may need a longer one. Each store gets
 * {@link Strata#close(Duration)} with the phase's timeout less a margin, so that it has stopped
 * its writer and released its files and directory lock before the phase gives up on it.
 *
 * <p>Thread-safe: registration, cancellation and the shutdown task may run on any threads.
 */
final class CloseAtShutdown {
  private static final Logger log = LoggerFactory.getLogger(CloseAtShutdown.class);
  private static final String PHASE = CoordinatedShutdown.PhaseBeforeActorSystemTerminate();

  private final Cancellable task;

  private CloseAtShutdown(Cancellable task) {
    this.task = task;
  }

  /**
   * Registers {@code store} to be closed when {@code system} shuts down. Throws
   * {@link IllegalStateException} when the shutdown has begun already: a task added then might
   * never run, so the store is not registered and the caller must close it.
   */
  static CloseAtShutdown register(ActorSystem<?> system, Strata store) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    if (shutdown.getShutdownReason().isPresent()) {
      throw shuttingDown();
    }
    Duration phase = Duration.ofNanos(shutdown.timeout(PHASE).toNanos());
    // The margin leaves time for releasing files after the writer was given up on (see close(Duration)).
    Duration timeout = phase.minus(min(phase.dividedBy(5), Duration.ofSeconds(2)));
    Cancellable task = shutdown.addCancellableTask(PHASE, "strata-close-" + store.directory(),
        () -> close(store, timeout));
    // The shutdown may have begun between the check above and the add, and a task added after
    // its phase ran never runs: cancel it and refuse the store, as if it had come a moment later.
    // A shutdown that begins after this second look sees the task, since a phase reads its tasks
    // only when it runs.
    if (shutdown.getShutdownReason().isPresent()) {
      task.cancel();
      throw shuttingDown();
    }
    return new CloseAtShutdown(task);
  }

  /** Forgets the store: its owner closed it. Does nothing once the shutdown task has started. */
  void cancel() {
    task.cancel();
  }

  /** True until {@link #cancel()} took the task out of the shutdown, for tests. */
  boolean isRegistered() {
    return !task.isCancelled();
  }

  private static IllegalStateException shuttingDown() {
    return new IllegalStateException("the actor system is shutting down: no store may open in it now");
  }

  /**
   * Closes {@code store} on a thread of its own and completes when it is closed. Not on
   * {@code strata.blocking-dispatcher}: a close may flush there (with the WAL off), and a closing
   * thread holding that dispatcher's last thread would wait for itself until the phase times out,
   * leaving the store unflushed and locked. Not on the caller's thread either: the phase starts
   * its tasks one after another, and a close that blocked here would serialize them.
   */
  private static CompletionStage<Done> close(Strata store, Duration timeout) {
    return CompletableFuture.runAsync(() -> closeQuietly(store, timeout), job -> {
      Thread thread = new Thread(job, "strata-shutdown-" + store.directory().getFileName());
      thread.setDaemon(true); // a close stuck past the phase's timeout must not keep the JVM alive
      thread.start();
    }).thenApply(v -> Done.getInstance());
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void closeQuietly(Strata store, Duration timeout) {
    try {
      store.close(timeout);
    } catch (RuntimeException e) {
      log.error("closing the Strata store in {} at shutdown failed", store.directory(), e);
    }
  }
}
