package dev.strata.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.akka.stream.StrataWriteSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What every command shares: the configuration (conf/application.conf over the libraries'
 * reference.conf), the store options it yields, and one ActorSystem built from that
 * configuration, in which every store the command opens spawns its actors. Sharing one system
 * means the akka settings of application.conf apply, and bench's many re-opens stay cheap.
 *
 * <p>Thread-safe: the ActorSystem is created lazily, once, on the first {@link #open}.
 */
final class CliContext implements AutoCloseable {
  private static final Duration TERMINATION_TIMEOUT = Duration.ofSeconds(30);

  private final Config config;
  private final StrataOptions baseOptions;
  private ActorSystem<Void> system;

  CliContext(Config config) {
    this.config = config;
    this.baseOptions = StrataOptions.fromConfig(config);
  }

  /** The library defaults, as when no conf/application.conf exists. */
  static CliContext withDefaults() {
    return new CliContext(ConfigFactory.load());
  }

  /**
   * Reads {@code file} when it exists, falling back to the classpath configuration. Throws
   * {@link com.typesafe.config.ConfigException} or {@link IllegalArgumentException} when the file
   * is malformed or holds a bad {@code strata} setting.
   */
  static CliContext load(Path file) {
    Config fallback = ConfigFactory.load();
    if (!Files.isRegularFile(file)) {
      return new CliContext(fallback);
    }
    return new CliContext(ConfigFactory.parseFile(file.toFile()).withFallback(fallback).resolve());
  }

  /** The options of the configuration, before any command-line flag. */
  StrataOptions baseOptions() {
    return baseOptions;
  }

  /** Opens (creating when missing) the Strata store in {@code dir} with {@code options}. */
  KeyValueStore open(Path dir, StrataOptions options) {
    return new StrataStore(openStrata(dir, options));
  }

  /**
   * Opens the existing Strata store in {@code dir} read-only ({@code Strata.openReadOnly}): no
   * lock, no file created or changed, and no actor, so it needs no ActorSystem; writes throw.
   */
  KeyValueStore openReadOnly(Path dir, StrataOptions options) {
    return new StrataStore(Strata.openReadOnly(dir, options));
  }

  /** As {@link #open}, the store itself, for what needs more than {@link KeyValueStore} (streams). */
  Strata openStrata(Path dir, StrataOptions options) {
    return Strata.open(system(), dir, options);
  }

  /** The configuration's {@code strata.stream} settings, before any command-line flag. */
  StrataWriteSettings baseStreamSettings() {
    return StrataWriteSettings.create(config.getConfig(StrataWriteSettings.CONFIG_PATH));
  }

  /** A factory that opens stores with {@code options}. */
  KeyValueStore.Factory factory(StrataOptions options) {
    return dir -> open(dir, options);
  }

  /** The command's ActorSystem, started on first use. */
  synchronized ActorSystem<Void> system() {
    if (system == null) {
      system = ActorSystem.create(Behaviors.empty(), "strata-cli", config);
    }
    return system;
  }

  /** Terminates the ActorSystem, if one was started; the commands have closed their stores. */
  @Override
  public synchronized void close() {
    if (system == null) {
      return;
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(TERMINATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("the ActorSystem did not terminate within " + TERMINATION_TIMEOUT, e);
    }
    system = null;
  }
}
