package dev.strata.akka.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The read journal's configuration ({@code strata.persistence.query} or a copy under another
 * path): the journal plugin whose store it reads, its dispatcher, the page size and the polling
 * fallback of live queries. Immutable.
 */
record QuerySettings(String configPath, String journalPath, PluginSettings journal, String dispatcherId,
    Duration refreshInterval, int pageSize) {

  static QuerySettings fromConfig(Config systemConfig, Config queryConfig, String configPath) {
    String journalPath = queryConfig.getString("journal");
    if (!systemConfig.hasPath(journalPath + ".store")) {
      throw new IllegalArgumentException(configPath + ".journal = \"" + journalPath
          + "\" names no Strata journal plugin (no " + journalPath + ".store in the configuration)");
    }
    Duration refresh = queryConfig.getDuration("refresh-interval");
    if (refresh.isNegative() || refresh.isZero()) {
      throw new IllegalArgumentException(configPath + ".refresh-interval must be positive, got " + refresh);
    }
    int pageSize = queryConfig.getInt("page-size");
    if (pageSize < 1) {
      throw new IllegalArgumentException(configPath + ".page-size must be at least 1, got " + pageSize);
    }
    return new QuerySettings(configPath, journalPath,
        PluginSettings.fromConfig(systemConfig.getConfig(journalPath), journalPath),
        queryConfig.getString("plugin-dispatcher"), refresh, pageSize);
  }
}
