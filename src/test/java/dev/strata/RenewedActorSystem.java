package dev.strata;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One ActorSystem shared by the many stores a long test opens one after another, replaced by a
 * fresh one once it is ten minutes old. Akka 2.8 without a license key terminates every
 * ActorSystem fifteen minutes after it started ("Akka terminated. Obtain free keys at
 * https://akka.io/key"), which a 1000-cycle crash test outlives. Not thread-safe: call
 * {@link #get()} only while no store is open on the system.
 */
public final class RenewedActorSystem implements AutoCloseable {
  private static final Duration MAX_AGE = Duration.ofMinutes(10);

  private final String name;
  private ActorSystem<Void> system;
  private long startedNanos;
  private int generation;

  public RenewedActorSystem(String name) {
    this.name = name;
  }

  /** The current system, started or replaced first when there is none or it is past its age. */
  public ActorSystem<Void> get() {
    if (system != null && System.nanoTime() - startedNanos > MAX_AGE.toNanos()) {
      close();
    }
    if (system == null) {
      system = ActorSystem.create(Behaviors.empty(), name + "-" + generation++, ConfigFactory.load());
      startedNanos = System.nanoTime();
    }
    return system;
  }

  @Override
  public void close() {
    if (system == null) {
      return;
    }
    ActorSystem<Void> s = system;
    system = null;
    s.terminate();
    try {
      s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("ActorSystem " + s.name() + " did not terminate: " + e, e);
    }
  }
}
