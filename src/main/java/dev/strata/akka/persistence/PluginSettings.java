package dev.strata.akka.persistence;

import akka.actor.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import com.typesafe.config.Config;
import dev.strata.Strata;
import dev.strata.akka.StrataExtension;

/**
 * What every plugin reads from its configuration block ({@code strata.persistence.journal},
 * {@code .snapshot-store}, {@code .state}, or a copy of one under another path): the store to use
 * and the dispatcher for its blocking calls. Immutable.
 */
record PluginSettings(String configPath, String storeName, String dispatcherId) {

  static PluginSettings fromConfig(Config pluginConfig, String configPath) {
    return new PluginSettings(configPath, pluginConfig.getString("store"), pluginConfig.getString("plugin-dispatcher"));
  }

  /**
   * The store named {@code strata.stores.<store>}, opened once per actor system by {@link
   * StrataExtension} (closed at CoordinatedShutdown, as every store opened in the system) and shared by every
   * plugin naming it.
   */
  Strata openStore(ActorSystem system) {
    try {
      return StrataExtension.get(Adapter.toTyped(system)).open(storeName);
    } catch (RuntimeException e) {
      throw new IllegalStateException(configPath + " cannot open its store '" + storeName + "' (" + configPath
          + ".store): " + e.getMessage(), e);
    }
  }
}
