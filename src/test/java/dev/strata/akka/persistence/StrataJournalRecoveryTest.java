package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.persistence.AtomicWrite;
import akka.persistence.DeleteMessagesSuccess;
import akka.persistence.JournalProtocol;
import akka.persistence.Persistence;
import akka.persistence.PersistentEnvelope;
import akka.persistence.PersistentRepr;
import akka.persistence.PersistentRepr$;
import akka.persistence.journal.Tagged;
import akka.testkit.javadsl.TestKit;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/** What Akka's journal test kit does not cover: a journal outlives its actor system, and deletes keep the highest sequence number. */
class StrataJournalRecoveryTest {
  private static final String JOURNAL = "strata.persistence.journal";
  private static final String WRITER = "writer-1";

  @TempDir
  Path dir;

  @Test
  void aNewActorSystemOnTheSameDirectoryReplaysTheSameEvents() {
    List<String> written = new ArrayList<>();
    withSystem(system -> {
      for (int from = 1; from <= 100; from += 4) { // AtomicWrites of 4 events, some flushed to SSTs (64 KiB memtables)
        List<String> events = new ArrayList<>();
        for (int seq = from; seq < from + 4; seq++) {
          events.add("event-" + seq + "-" + "x".repeat(1000));
        }
        write(system, "cart-1", from, events);
        written.addAll(events);
      }
      write(system, "cart-2", 1, List.of("other"));
    });
    withSystem(system -> {
      assertEquals(written, replay(system, "cart-1", 1, Long.MAX_VALUE, Long.MAX_VALUE, 100));
      assertEquals(written.subList(9, 20), replay(system, "cart-1", 10, 20, Long.MAX_VALUE, 100));
      assertEquals(List.of("other"), replay(system, "cart-2", 1, Long.MAX_VALUE, Long.MAX_VALUE, 1));
    });
  }

  @Test
  void theHighestSequenceNumberSurvivesDeletingEveryEventAndARestart() {
    withSystem(system -> {
      write(system, "cart-1", 1, List.of("a", "b", "c"));
      write(system, "cart-1", 4, List.of("d", "e"));
      delete(system, "cart-1", 3);
      assertEquals(List.of("d", "e"), replay(system, "cart-1", 1, Long.MAX_VALUE, Long.MAX_VALUE, 5));
      delete(system, "cart-1", Long.MAX_VALUE);
      assertEquals(List.of(), replay(system, "cart-1", 1, Long.MAX_VALUE, Long.MAX_VALUE, 5));
    });
    withSystem(system -> {
      assertEquals(List.of(), replay(system, "cart-1", 0, Long.MAX_VALUE, Long.MAX_VALUE, 5));
      write(system, "cart-1", 6, List.of("f"));
      assertEquals(List.of("f"), replay(system, "cart-1", 1, Long.MAX_VALUE, Long.MAX_VALUE, 6));
    });
  }

  @Test
  void taggedEventsReplayWithoutTheirTaggedWrapper() {
    withSystem(system -> {
      write(system, "cart-1", 1, List.of(new Tagged("a", Set.of("carts")), "b"));
      assertEquals(List.of("a", "b"), replay(system, "cart-1", 1, Long.MAX_VALUE, Long.MAX_VALUE, 2));
    });
  }

  // ---------------------------------------------------------------- helpers

  private interface Body {
    void run(ActorSystem system);
  }

  /** Runs {@code body} in an actor system whose journal is a store in {@link #dir}, then terminates it (closing the store). */
  private void withSystem(Body body) {
    ActorSystem system = ActorSystem.create("journal-recovery", PersistenceHarness.pluginConfig(dir));
    try {
      body.run(system);
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  /** Writes {@code events} at {@code from, from + 1, ...} as one AtomicWrite and waits for the acknowledgement. */
  private static void write(ActorSystem system, String persistenceId, long from, List<?> events) {
    TestKit probe = new TestKit(system);
    List<PersistentRepr> reprs = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      reprs.add(PersistentRepr$.MODULE$.apply(events.get(i), from + i, persistenceId, "", false, ActorRef.noSender(),
          WRITER));
    }
    List<PersistentEnvelope> writes = List.of(new AtomicWrite(CollectionConverters.asScala(reprs).toList()));
    journal(system).tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(writes).toList(),
        probe.getRef(), 1), ActorRef.noSender());
    probe.expectMsg(Duration.ofSeconds(10), JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    for (int i = 0; i < events.size(); i++) {
      probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class);
    }
  }

  private static void delete(ActorSystem system, String persistenceId, long toSequenceNr) {
    TestKit probe = new TestKit(system);
    journal(system).tell(new JournalProtocol.DeleteMessagesTo(persistenceId, toSequenceNr, probe.getRef()),
        ActorRef.noSender());
    probe.expectMsg(Duration.ofSeconds(10), new DeleteMessagesSuccess(toSequenceNr));
  }

  /** The payloads replayed; asserts the highest sequence number reported at the end. */
  private static List<String> replay(ActorSystem system, String persistenceId, long from, long to, long max,
      long expectedHighest) {
    TestKit probe = new TestKit(system);
    journal(system).tell(new JournalProtocol.ReplayMessages(from, to, max, persistenceId, probe.getRef()),
        ActorRef.noSender());
    List<String> payloads = new ArrayList<>();
    while (true) {
      Object msg = probe.receiveOne(Duration.ofSeconds(10));
      if (msg instanceof JournalProtocol.ReplayedMessage replayed) {
        payloads.add((String) replayed.persistent().payload());
      } else if (msg instanceof JournalProtocol.RecoverySuccess done) {
        assertEquals(expectedHighest, done.highestSequenceNr(), "highest sequence number");
        return payloads;
      } else {
        throw new AssertionError("unexpected reply to a replay: " + msg);
      }
    }
  }

  private static ActorRef journal(ActorSystem system) {
    return Persistence.get(system).journalFor(JOURNAL, ConfigFactory.empty());
  }
}
