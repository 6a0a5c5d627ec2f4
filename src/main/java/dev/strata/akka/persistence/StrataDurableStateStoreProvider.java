package dev.strata.akka.persistence;

import akka.actor.ExtendedActorSystem;
import akka.persistence.state.DurableStateStoreProvider;
import akka.persistence.state.javadsl.DurableStateStore;
import com.typesafe.config.Config;

/**
 * Akka Persistence durable state on a Strata store; enable it with
 * {@code akka.persistence.state.plugin = "strata.persistence.state"}. Akka creates one provider per
 * plugin path and actor system; both APIs it hands out work on the same {@link
 * StrataDurableStateStore}. Thread-safe.
 */
public final class StrataDurableStateStoreProvider implements DurableStateStoreProvider {
  private final StrataDurableStateStore javadsl;
  private final ScalaDurableStateStore scaladsl;

  public StrataDurableStateStoreProvider(ExtendedActorSystem system, Config config, String configPath) {
    PluginSettings settings = PluginSettings.fromConfig(config, configPath);
    this.javadsl = new StrataDurableStateStore(settings.openStore(system), new PayloadSerialization(system),
        system.dispatchers().lookup(settings.dispatcherId()));
    this.scaladsl = new ScalaDurableStateStore(javadsl);
  }

  @Override
  public akka.persistence.state.scaladsl.DurableStateStore<Object> scaladslDurableStateStore() {
    return scaladsl;
  }

  @Override
  public DurableStateStore<Object> javadslDurableStateStore() {
    return javadsl;
  }
}
