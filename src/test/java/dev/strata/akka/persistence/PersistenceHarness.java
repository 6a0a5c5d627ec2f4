package dev.strata.akka.persistence;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.persistence.AtomicWrite;
import akka.persistence.JournalProtocol;
import akka.persistence.Persistence;
import akka.persistence.PersistentEnvelope;
import akka.persistence.PersistentRepr;
import akka.persistence.PersistentRepr$;
import akka.testkit.javadsl.TestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.strata.TestHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import scala.jdk.javaapi.CollectionConverters;

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

  /**
   * Writes {@code events} (payloads, or {@code Tagged} ones) of {@code persistenceId} at sequence
   * numbers {@code from, from + 1, ...} as one AtomicWrite through the journal at {@code
   * strata.persistence.journal}, and waits for the acknowledgement.
   */
  static void writeEvents(ActorSystem system, String persistenceId, long from, List<?> events) {
    TestKit probe = new TestKit(system);
    List<PersistentRepr> reprs = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      reprs.add(PersistentRepr$.MODULE$.apply(events.get(i), from + i, persistenceId, "", false,
          ActorRef.noSender(), "writer-1"));
    }
    List<PersistentEnvelope> writes = List.of(new AtomicWrite(CollectionConverters.asScala(reprs).toList()));
    Persistence.get(system).journalFor("strata.persistence.journal", ConfigFactory.empty())
        .tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(writes).toList(), probe.getRef(), 1),
            ActorRef.noSender());
    probe.expectMsg(Duration.ofSeconds(30), JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    for (int i = 0; i < events.size(); i++) {
      probe.expectMsgClass(Duration.ofSeconds(30), JournalProtocol.WriteMessageSuccess.class);
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
