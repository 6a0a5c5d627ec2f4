package dev.strata.testing;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One ActorSystem for a test class: started before its first test, terminated after its last.
 * Starting a system costs more than most tests, so a class's tests share one; each test makes
 * its own stores in it. Register it as a static field:
 *
 * <pre>
 *   &#64;RegisterExtension static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");
 *   ... Strata.open(SYSTEM.get(), ...)
 * </pre>
 *
 * <p>The system runs on the configuration the test class path loads ({@code ConfigFactory.load()}),
 * as an application's would. A system that does not terminate within {@link #TERMINATE_WITHIN}
 * fails the class: something in it (a store's writer, a stream) would not stop.
 */
public final class ActorSystemPerClass implements BeforeAllCallback, AfterAllCallback {
  /** Longest the system may take to terminate after the class's last test. */
  public static final Duration TERMINATE_WITHIN = Duration.ofSeconds(30);

  private final String name;
  private volatile ActorSystem<Void> system;

  /** @param name the ActorSystem's name (it appears in log lines and thread names) */
  public ActorSystemPerClass(String name) {
    this.name = name;
  }

  /** The class's system; only between the class's first test and its last. */
  public ActorSystem<Void> get() {
    ActorSystem<Void> s = system;
    if (s == null) {
      throw new IllegalStateException("the ActorSystem \"" + name + "\" runs only while its test class does:"
          + " register ActorSystemPerClass as a static @RegisterExtension field, and use it from tests");
    }
    return s;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    system = ActorSystem.create(Behaviors.empty(), name, ConfigFactory.load());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    ActorSystem<Void> s = system;
    system = null;
    if (s == null) {
      return;
    }
    s.terminate();
    try {
      s.getWhenTerminated().toCompletableFuture().get(TERMINATE_WITHIN.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the ActorSystem \"" + name + "\" of " + context.getDisplayName()
          + " did not terminate within " + TERMINATE_WITHIN, e);
    }
  }
}
