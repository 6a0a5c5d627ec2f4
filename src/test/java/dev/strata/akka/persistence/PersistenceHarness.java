package dev.strata.akka.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.strata.TestHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Helpers shared by the persistence plugins' tests: a config enabling the plugins on a store in a given directory. */
final class PersistenceHarness {
  /** The config key naming the directory of the plugins' store. */
  static final String DIRECTORY = "strata.stores.persistence.directory";

  private PersistenceHarness() {}

  /**
   * All three plugins enabled on one store in {@code dir}, with a small memtable so that tests
   * flush and read SSTs too. Akka's and Strata's reference.conf come in when the system starts.
   */
  static Config pluginConfig(Path dir) {
    return ConfigFactory.parseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "strata.persistence.journal"
        akka.persistence.snapshot-store.plugin = "strata.persistence.snapshot-store"
        akka.persistence.state.plugin = "strata.persistence.state"
        strata.stores.persistence.memtable-size = 64 KiB
        """).withValue(DIRECTORY, ConfigValueFactory.fromAnyRef(dir.toString()));
  }

  /** A fresh temporary directory for one spec's store. */
  static Path newStoreDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteStoreDir(Config config) {
    try {
      TestHarness.deleteRecursively(Path.of(config.getString(DIRECTORY)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
