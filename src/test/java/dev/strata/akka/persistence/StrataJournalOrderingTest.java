package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ActorSystem;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.PersistentRepr;
import akka.persistence.PersistentRepr$;
import akka.persistence.journal.Tagged;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.query.Sequence;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.stream.javadsl.Sink;
import akka.testkit.javadsl.TestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's store-wide ordering and tag index: commit order under concurrent writers, tags
 * from an {@code EventSourcedBehavior}'s tagger, the index's consistency with the events, and the
 * numbering of a journal written before the ordering existed.
 */
class StrataJournalOrderingTest {
  @TempDir
  Path dir;

  @Test
  void aLiveQueryMissesNoEventOfConcurrentWritersAndSeesOffsetsOnlyGrow() throws Exception {
    int writers = 8;
    int writesEach = 40;
    int eventsPerWrite = 3;
    int total = writers * writesEach * eventsPerWrite;
    ActorSystem system = ActorSystem.create("ordering", config());
    ExecutorService threads = Executors.newFixedThreadPool(writers);
    try {
      CompletionStage<List<EventEnvelope>> live = readJournal(system).eventsByTag("t", Offset.noOffset()).take(total)
          .runWith(Sink.seq(), system);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        String id = "writer-" + w;
        done.add(threads.submit(() -> {
          for (int i = 0; i < writesEach; i++) {
            List<Object> events = new ArrayList<>();
            for (int e = 0; e < eventsPerWrite; e++) {
              events.add(new Tagged(id + ":" + (i * eventsPerWrite + e + 1), Set.of("t")));
            }
            PersistenceHarness.writeEvents(system, id, 1 + (long) i * eventsPerWrite, events);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
      List<EventEnvelope> seen = live.toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertEquals(total, seen.size());
      long previous = 0;
      Map<String, Long> lastSequenceNr = new HashMap<>();
      for (EventEnvelope e : seen) {
        long offset = ((Sequence) e.offset()).value();
        assertTrue(offset > previous, "offset " + offset + " after " + previous);
        previous = offset;
        long last = lastSequenceNr.getOrDefault(e.persistenceId(), 0L);
        assertEquals(last + 1, e.sequenceNr(), "events of " + e.persistenceId() + " in their order, none skipped");
        assertEquals(e.persistenceId() + ":" + e.sequenceNr(), e.event());
        lastSequenceNr.put(e.persistenceId(), e.sequenceNr());
      }
      assertEquals(List.copyOf(seen), readJournal(system).currentEventsByTag("t", Offset.noOffset())
          .runWith(Sink.seq(), system).toCompletableFuture().get(60, TimeUnit.SECONDS),
          "a current query after the fact sees the same events at the same offsets");
    } finally {
      threads.shutdownNow();
      TestKit.shutdownActorSystem(system);
    }
    assertTheIndexMatchesTheEvents();
  }

  @Test
  void pipelinedWritesOfOneIdAreNumberedInSequenceNumberOrder() throws Exception {
    ActorSystem system = ActorSystem.create("ordering", config());
    try {
      TestKit probe = new TestKit(system);
      int writes = 200;
      for (int i = 0; i < writes; i++) { // sent back to back, as persistAsync does, without waiting
        PersistentRepr repr = PersistentRepr$.MODULE$.apply(new Tagged(i + 1, Set.of("t")), i + 1, "p", "", false,
            akka.actor.ActorRef.noSender(), "w");
        List<akka.persistence.PersistentEnvelope> batch = List.of(new akka.persistence.AtomicWrite(
            scala.jdk.javaapi.CollectionConverters.asScala(List.of(repr)).toList()));
        akka.persistence.Persistence.get(system).journalFor("strata.persistence.journal", ConfigFactory.empty())
            .tell(new akka.persistence.JournalProtocol.WriteMessages(
                scala.jdk.javaapi.CollectionConverters.asScala(batch).toList(), probe.getRef(), 1), probe.getRef());
      }
      for (int i = 0; i < 2 * writes; i++) {
        probe.receiveOne(java.time.Duration.ofSeconds(30));
      }
      List<EventEnvelope> events = readJournal(system).currentEventsByTag("t", Offset.noOffset())
          .runWith(Sink.seq(), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(IntStream.rangeClosed(1, writes).boxed().toList(), events.stream().map(EventEnvelope::event).toList());
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  /** Persists the amount given, {@code persistAll} of several, each event tagged by its parity. */
  static final class Tallies extends EventSourcedBehavior<Tallies.Command, Integer, Integer> {
    sealed interface Command {}

    record AddAll(List<Integer> amounts, ActorRef<Integer> replyTo) implements Command {}

    static Behavior<Command> create(String id) {
      return new Tallies(PersistenceId.ofUniqueId(id));
    }

    private Tallies(PersistenceId id) {
      super(id);
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Command, Integer, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(AddAll.class, (state, add) -> Effect().persist(add.amounts()).thenReply(add.replyTo(), s -> s))
          .build();
    }

    @Override
    public EventHandler<Integer, Integer> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, amount) -> state + amount);
    }

    @Override
    public Set<String> tagsFor(Integer amount) {
      return Set.of(amount % 2 == 0 ? "even" : "odd", "tally");
    }
  }

  @Test
  void theTaggerOfAnEventSourcedBehaviorTagsItsEventsAndRecoveryStillSeesThem() throws Exception {
    ActorTestKit first = ActorTestKit.create("tallies", config());
    try {
      ActorRef<Tallies.Command> a = first.spawn(Tallies.create("tally-a"));
      ActorRef<Tallies.Command> b = first.spawn(Tallies.create("tally-b"));
      TestProbe<Integer> probe = first.createTestProbe();
      a.tell(new Tallies.AddAll(List.of(1, 2, 3), probe.ref()));
      probe.expectMessage(6);
      b.tell(new Tallies.AddAll(List.of(10, 11), probe.ref()));
      probe.expectMessage(21);
      ActorSystem classic = Adapter.toClassic(first.system());
      assertEquals(List.of(2, 10), events(classic, "even"));
      assertEquals(List.of(1, 3, 11), events(classic, "odd"));
      assertEquals(List.of(1, 2, 3, 10, 11), events(classic, "tally"));
    } finally {
      first.shutdownTestKit();
    }
    ActorTestKit second = ActorTestKit.create("tallies", config());
    try {
      ActorRef<Tallies.Command> a = second.spawn(Tallies.create("tally-a"));
      TestProbe<Integer> probe = second.createTestProbe();
      a.tell(new Tallies.AddAll(List.of(4), probe.ref()));
      probe.expectMessage(10); // recovered 6, then 4
      assertEquals(List.of(2, 10, 4), events(Adapter.toClassic(second.system()), "even"));
    } finally {
      second.shutdownTestKit();
    }
    assertTheIndexMatchesTheEvents();
  }

  @Test
  void theTagIndexMatchesTheEventsAfterAShutdownInTheMiddleOfPersistAlls() throws Exception {
    ActorTestKit kit = ActorTestKit.create("tallies", config());
    List<ActorRef<Tallies.Command>> actors = new ArrayList<>();
    TestProbe<Integer> probe = kit.createTestProbe();
    for (int i = 0; i < 20; i++) {
      actors.add(kit.spawn(Tallies.create("tally-" + i)));
    }
    for (int round = 0; round < 20; round++) {
      for (ActorRef<Tallies.Command> actor : actors) {
        actor.tell(new Tallies.AddAll(IntStream.range(0, 10).boxed().toList(), probe.ref()));
      }
    }
    probe.receiveMessage(); // some persistAlls done, most still queued or in flight
    kit.shutdownTestKit(); // closes the store under them: each batch is in or out as a whole
    assertTheIndexMatchesTheEvents();
  }

  @Test
  void aJournalWrittenBeforeTheOrderingIsNumberedWhenItStarts() throws Exception {
    ActorSystem plain = ActorSystem.create("format-1", ConfigFactory.parseString("akka.loglevel = WARNING"));
    try (Strata store = Strata.open(dir)) {
      PayloadSerialization serialization = new PayloadSerialization(plain);
      for (String id : List.of("b", "a")) {
        for (long seq = 1; seq <= 3; seq++) {
          PersistentRepr repr = PersistentRepr$.MODULE$.apply(id + seq, seq, id, "", false,
              akka.actor.ActorRef.noSender(), "w");
          Payload payload = serialization.serialize(repr);
          ByteBuffer value = ByteBuffer.allocate(1 + payload.encodedSize(false)).put((byte) 1);
          payload.writeTo(value, false);
          store.put(PersistenceKeys.event(id, seq), value.array());
        }
        store.put(PersistenceKeys.highestSequenceNr(id), JournalRecords.highestSequenceNr(3));
      }
    } finally {
      TestKit.shutdownActorSystem(plain);
    }
    ActorSystem system = ActorSystem.create("format-1", config());
    try {
      PersistenceHarness.writeEvents(system, "a", 4, List.of(new Tagged("a4", Set.of("t"))));
      List<EventEnvelope> a = readJournal(system).currentEventsByPersistenceId("a", 0, Long.MAX_VALUE)
          .runWith(Sink.seq(), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(List.of("a1", "a2", "a3", "a4"), a.stream().map(EventEnvelope::event).toList());
      assertEquals(List.of(1L, 2L, 3L, 7L), a.stream().map(e -> ((Sequence) e.offset()).value()).toList(),
          "old events numbered in key order (a before b), the new one after them");
      assertEquals(List.of("a", "b"), readJournal(system).currentPersistenceIds().runWith(Sink.seq(), system)
          .toCompletableFuture().get(30, TimeUnit.SECONDS));
    } finally {
      TestKit.shutdownActorSystem(system);
    }
    assertTheIndexMatchesTheEvents();
  }

  // ---------------------------------------------------------------- helpers

  private Config config() {
    return ConfigFactory.load(ConfigFactory.parseString("strata.persistence.query.page-size = 16")
        .withFallback(PersistenceHarness.pluginConfig(dir)));
  }

  private static StrataReadJournal readJournal(ActorSystem system) {
    return PersistenceQuery.get(system).getReadJournalFor(StrataReadJournal.class, StrataReadJournal.IDENTIFIER);
  }

  private static List<Object> events(ActorSystem system, String tag) throws Exception {
    return readJournal(system).currentEventsByTag(tag, Offset.noOffset()).runWith(Sink.seq(), system)
        .toCompletableFuture().get(30, TimeUnit.SECONDS).stream().map(EventEnvelope::event).toList();
  }

  /**
   * Opens the store alone and checks that the index and the events agree both ways: every event
   * has its ordering entry and a tag entry per tag, holding its value; every ordering and tag entry
   * belongs to an event; no ordering passes the recorded highest one.
   */
  private void assertTheIndexMatchesTheEvents() {
    try (Strata store = Strata.open(dir)) {
      long highest = JournalCommitter.storedHighestOrdering(store);
      Map<Long, byte[]> eventKeyByOrdering = new HashMap<>();
      Set<String> tagEntries = new HashSet<>();
      try (StrataIterator it = scanKind(store, PersistenceKeys.EVENT)) {
        for (; it.isValid(); it.next()) {
          JournalRecords.Header header = JournalRecords.readHeader(it.value());
          assertTrue(header.ordering() > 0 && header.ordering() <= highest, "ordering " + header.ordering());
          assertEquals(null, eventKeyByOrdering.put(header.ordering(), it.key()), "orderings are unique");
          byte[] entry = store.get(PersistenceKeys.ordering(header.ordering()));
          assertNotNull(entry, "the ordering entry of event " + header.ordering());
          JournalRecords.OrderingEntry ordering = JournalRecords.readOrderingEntry(entry);
          assertArrayEquals(it.key(), PersistenceKeys.event(ordering.persistenceId(), ordering.sequenceNr()));
          for (String tag : header.tags()) {
            assertArrayEquals(it.value(), store.get(PersistenceKeys.tag(tag, header.ordering())),
                "the tag entry " + tag + " of event " + header.ordering());
            tagEntries.add(tag + "/" + header.ordering());
          }
        }
      }
      int orderingEntries = 0;
      try (StrataIterator it = scanKind(store, PersistenceKeys.ORDERING)) {
        for (; it.isValid(); it.next(), orderingEntries++) {
          assertTrue(eventKeyByOrdering.containsKey(PersistenceKeys.orderingOf(it.key())), "an ordering entry's event");
        }
      }
      assertEquals(eventKeyByOrdering.size(), orderingEntries);
      int tagCount = 0;
      try (StrataIterator it = scanKind(store, PersistenceKeys.TAG)) {
        for (; it.isValid(); it.next(), tagCount++) {
          String tag = PersistenceKeys.persistenceIdOf(it.key());
          assertTrue(tagEntries.contains(tag + "/" + PersistenceKeys.orderingOf(it.key())), "a tag entry's event");
        }
      }
      assertEquals(tagEntries.size(), tagCount);
    }
  }

  private static StrataIterator scanKind(Strata store, byte kind) {
    return store.scan(Bound.included(PersistenceKeys.kindStart(kind)),
        Bound.excluded(PersistenceKeys.kindStart((byte) (kind + 1))));
  }
}
