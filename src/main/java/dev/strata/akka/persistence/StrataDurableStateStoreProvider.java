package dev.strata.akka.persistence;

import akka.actor.ExtendedActorSystem;
import akka.persistence.state.DurableStateStoreProvider;
import akka.persistence.state.javadsl.DurableStateStore;
import com.typesafe.config.Config;
import dev.strata.Strata;
import java.util.concurrent.Executor;

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
    Strata store = settings.openStore(system);
    Executor blocking = system.dispatchers().lookup(settings.dispatcherId());
    StateSequencer sequencer = StoreSequencers.get(system).state(store);
    Config query = system.settings().config().getConfig(StrataReadJournal.IDENTIFIER);
    this.javadsl = new StrataDurableStateStore(store, new PayloadSerialization(system), blocking, sequencer,
        new PagedQuery(store, blocking, sequencer.signal(), query.getDuration("refresh-interval"),
            query.getInt("page-size")));
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
