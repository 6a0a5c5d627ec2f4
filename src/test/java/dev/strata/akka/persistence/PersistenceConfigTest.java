package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ActorSystem;
import akka.testkit.javadsl.TestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plugins' configuration in Strata's reference.conf. */
class PersistenceConfigTest {
  private static final Config REFERENCE = ConfigFactory.parseFile(new File("src/main/resources/reference.conf"));

  @Test
  void everyPluginNamesItsClassDispatcherAndStore() {
    for (String plugin : List.of("journal", "snapshot-store", "state")) {
      Config block = REFERENCE.getConfig("strata.persistence." + plugin);
      for (String key : List.of("class", "plugin-dispatcher", "store")) {
        assertTrue(block.hasPath(key), plugin + " has " + key);
      }
      assertEquals("strata.persistence.dispatcher", block.getString("plugin-dispatcher"));
      assertEquals("persistence", block.getString("store"), "journal, snapshots and state share one store by default");
    }
  }

  @Test
  void theReadJournalReadsTheJournalsStoreByDefault() {
    QuerySettings settings = QuerySettings.fromConfig(ConfigFactory.load(),
        ConfigFactory.load().getConfig("strata.persistence.query"), "strata.persistence.query");
    assertEquals("strata.persistence.journal", settings.journalPath());
    assertEquals("persistence", settings.journal().storeName());
    assertEquals("strata.persistence.dispatcher", settings.dispatcherId());
    assertTrue(settings.pageSize() > 0);
    assertEquals("dev.strata.akka.persistence.StrataReadJournalProvider",
        REFERENCE.getString("strata.persistence.query.class"));
  }

  @Test
  void aReadJournalNamingNoJournalOrABadPageSizeSaysWhatIsWrong() {
    Config query = ConfigFactory.load().getConfig("strata.persistence.query");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuerySettings.fromConfig(
        ConfigFactory.load(), query.withValue("journal", ConfigValueFactory.fromAnyRef("no.such.journal")), "q"));
    assertTrue(e.getMessage().contains("q.journal") && e.getMessage().contains("no.such.journal"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> QuerySettings.fromConfig(
        ConfigFactory.load(), query.withValue("page-size", ConfigValueFactory.fromAnyRef(0)), "q"));
    assertTrue(e.getMessage().contains("q.page-size"), e.getMessage());
  }

  @Test
  void strataOverridesNothingOfAkka() {
    assertFalse(REFERENCE.hasPath("akka"));
  }

  @Test
  void aPluginWhoseStoreIsNotConfiguredSaysWhatIsMissing() {
    ActorSystem system = ActorSystem.create("config", ConfigFactory.load());
    try {
      PluginSettings settings = PluginSettings.fromConfig(
          ConfigFactory.load().getConfig("strata.persistence.journal"), "strata.persistence.journal");
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> settings.openStore(system));
      assertTrue(e.getMessage().contains("strata.persistence.journal.store"), e.getMessage());
      assertTrue(e.getMessage().contains("strata.stores.persistence"), e.getMessage());
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }
}
