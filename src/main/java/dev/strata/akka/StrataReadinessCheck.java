package dev.strata.akka;

import akka.actor.typed.javadsl.Adapter;
import dev.strata.Strata;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A readiness check in the shape Akka Management loads, without depending on it: a
 * {@code Supplier<CompletionStage<Boolean>>} with a constructor taking the classic
 * {@code akka.actor.ActorSystem}. It is ready when every store opened through the system's
 * {@link StrataExtension} is open and accepts writes ({@link Strata#isHealthy()}): not closed, and
 * not in its read-only error state. A system that opened no store through the extension is ready.
 *
 * <pre>{@code
 * akka.management.health-checks.readiness-checks {
 *   strata = "dev.strata.akka.StrataReadinessCheck"
 * }
 * }</pre>
 *
 * <p>A store whose error state is recoverable (a full device) turns ready again by itself once the
 * retried flush or compaction succeeds; any other error state lasts until the store is reopened,
 * so a Kubernetes readiness probe takes the pod out of the load balancer meanwhile. The answer is
 * computed on the caller's thread without blocking: each store's health is two volatile reads.
 * Thread-safe.
 */
public final class StrataReadinessCheck implements Supplier<CompletionStage<Boolean>> {
  private static final Logger log = LoggerFactory.getLogger(StrataReadinessCheck.class);

  private final StrataExtension extension;

  /** The check of {@code system}'s stores; the constructor Akka Management calls. */
  public StrataReadinessCheck(akka.actor.ActorSystem system) {
    this(StrataExtension.get(Adapter.toTyped(Objects.requireNonNull(system, "system must not be null"))));
  }

  /** The check of the stores {@code extension} opened. */
  public StrataReadinessCheck(StrataExtension extension) {
    this.extension = Objects.requireNonNull(extension, "extension must not be null");
  }

  /** Completed at once: true when every store opened through the extension is healthy. */
  @Override
  public CompletionStage<Boolean> get() {
    for (Map.Entry<String, Strata> e : extension.openedStores().entrySet()) {
      Strata store = e.getValue();
      if (!store.isHealthy()) {
        log.debug("not ready: store '{}' in {} is {}", e.getKey(), store.directory(),
            store.isClosed() ? "closed" : "in its read-only error state");
        return CompletableFuture.completedFuture(false);
      }
    }
    return CompletableFuture.completedFuture(true);
  }
}
