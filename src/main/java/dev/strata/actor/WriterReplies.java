package dev.strata.actor;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The futures callers have handed to one writer actor and still wait for, so that none waits
 * forever on a writer that is gone. A message told to a stopped actor goes to dead letters and is
 * never answered; the writer fails what it holds as it stops, but not what is still in its mailbox
 * or what is told after. So every future is registered here before it is told, and when the writer
 * stops (or a close gives up on it) every registered future fails with {@code
 * IllegalStateException("store is closed")}.
 *
 * <p>Why this cannot miss one: {@link #register} adds, then reads the stopped flag; {@link
 * #writerStopped} sets the flag, then fails what it finds. Both are sequentially consistent (a
 * volatile flag, a concurrent set), so either the sweep sees the future or the registration sees
 * the flag.
 *
 * <p>Thread-safe. Only calls that wait for the writer pay for this (queued writes, flush, sync,
 * close); a write that commits on its caller's thread never comes here.
 */
public final class WriterReplies {
  private final Set<CompletableFuture<?>> waiting = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile boolean writerStopped;

  /** Registers {@code done}, about to be handed to the writer; fails it at once if the writer is gone. */
  public <T> CompletableFuture<T> register(CompletableFuture<T> done) {
    waiting.add(done);
    if (writerStopped) {
      done.completeExceptionally(closed());
    }
    return done;
  }

  /** Forgets {@code done}: it was answered, or it was never handed to the writer. */
  public void forget(CompletableFuture<?> done) {
    waiting.remove(done);
  }

  /**
   * The writer stopped, or will never answer again: every registered future, and every one
   * registered from now on, fails. Idempotent.
   */
  public void writerStopped() {
    writerStopped = true;
    for (CompletableFuture<?> done : waiting) {
      done.completeExceptionally(closed());
    }
    stopped.complete(null);
  }

  public boolean isWriterStopped() {
    return writerStopped;
  }

  /** Waits up to {@code timeout} for {@link #writerStopped}; true if it happened. */
  public boolean awaitWriterStopped(Duration timeout) throws InterruptedException {
    try {
      stopped.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new AssertionError("never completed exceptionally", e);
    }
  }

  private static IllegalStateException closed() {
    return new IllegalStateException("store is closed");
  }
}
