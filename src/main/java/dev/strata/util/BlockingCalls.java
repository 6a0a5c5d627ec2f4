package dev.strata.util;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs a blocking store call on an executor of its own and hands back a stage, for the Akka
 * integrations whose calls must not block Akka's default dispatcher. Stateless.
 */
public final class BlockingCalls {
  private BlockingCalls() {}

  /**
   * Runs {@code work} on {@code executor}. The stage fails with the exception {@code work} throws,
   * not wrapped in a {@code CompletionException} as {@code CompletableFuture.supplyAsync} would, and
   * with the executor's own exception when it refuses the job (its system is shutting down).
   */
  public static <T> CompletionStage<T> supply(Executor executor, Supplier<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          result.complete(work.get());
        } catch (Throwable e) {
          result.completeExceptionally(e);
        }
      });
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result;
  }
}
