package dev.strata.cluster.transfer;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * A checkpoint transfer's settings, from {@code strata.cluster.transfer} in the configuration
 * (reference.conf documents each key). Immutable.
 */
record TransferSettings(int chunkBytes, Duration idleTimeout) {
  static final String PATH = "strata.cluster.transfer";
  /** The dispatcher every blocking step of a transfer runs on. */
  static final String DISPATCHER = PATH + ".dispatcher";
  private static final int MIN_CHUNK = 1 << 10;
  private static final int MAX_CHUNK = 1 << 20;

  TransferSettings {
    if (chunkBytes < MIN_CHUNK || chunkBytes > MAX_CHUNK) {
      throw new IllegalArgumentException(PATH + ".chunk-size is " + chunkBytes + " bytes; it must be between "
          + MIN_CHUNK + " and " + MAX_CHUNK + " (and fit akka.remote.artery.advanced.maximum-frame-size)");
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException(PATH + ".idle-timeout must be positive; it is " + idleTimeout);
    }
  }

  static TransferSettings fromConfig(Config config) {
    Config c = config.getConfig(PATH);
    long chunk = c.getBytes("chunk-size");
    return new TransferSettings((int) Math.min(chunk, Integer.MAX_VALUE), c.getDuration("idle-timeout"));
  }
}
