package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ActorSystem;
import akka.persistence.journal.Tagged;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.query.Sequence;
import akka.persistence.query.TimeBasedUUID;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.testkit.javadsl.TestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read journal's queries through Akka's public API ({@code PersistenceQuery}), on events the
 * journal wrote. The refresh interval is an hour, so a live query that sees a later event within
 * the test's bound was woken by the journal's commit signal, not by polling; the page size is 7, so
 * every query reads several pages.
 */
class StrataReadJournalTest {
  @TempDir
  Path dir;

  @Test
  void currentEventsByPersistenceIdYieldsTheRangeAsked() throws Exception {
    withSystem(system -> {
      PersistenceHarness.writeEvents(system, "cart-1", 1, names("a", 1, 10));
      PersistenceHarness.writeEvents(system, "cart-2", 1, names("b", 1, 3));
      PersistenceHarness.writeEvents(system, "cart-1", 11, names("a", 11, 20));
      List<EventEnvelope> events = run(system, journal(system).currentEventsByPersistenceId("cart-1", 3, 17));
      assertEquals(names("a", 3, 17), payloads(events));
      assertEquals(LongRange.of(3, 17), events.stream().map(EventEnvelope::sequenceNr).toList());
      assertTrue(events.stream().allMatch(e -> e.persistenceId().equals("cart-1")));
      assertEquals(names("a", 1, 20), payloads(run(system, journal(system).currentEventsByPersistenceId(
          "cart-1", 0, Long.MAX_VALUE))));
      assertEquals(List.of(), run(system, journal(system).currentEventsByPersistenceId("nobody", 0, Long.MAX_VALUE)));
    });
  }

  @Test
  void offsetsFollowCommitOrderAcrossPersistenceIds() throws Exception {
    withSystem(system -> {
      PersistenceHarness.writeEvents(system, "p-1", 1, List.of(tagged("x", "t")));
      PersistenceHarness.writeEvents(system, "p-2", 1, List.of(tagged("y", "t"), tagged("z", "t")));
      PersistenceHarness.writeEvents(system, "p-1", 2, List.of(tagged("w", "t")));
      List<EventEnvelope> events = run(system, journal(system).currentEventsByTag("t", Offset.noOffset()));
      assertEquals(List.of("x", "y", "z", "w"), payloads(events));
      assertEquals(List.of(1L, 2L, 3L, 4L), offsets(events), "the journal's first four events are 1 to 4");
      assertEquals(List.of(1L, 4L), offsets(run(system, journal(system).currentEventsByPersistenceId(
          "p-1", 0, Long.MAX_VALUE))), "by id, the offsets are the same orderings");
    });
  }

  @Test
  void eventsByTagResumesStrictlyAfterTheOffsetGiven() throws Exception {
    withSystem(system -> {
      for (int i = 1; i <= 30; i++) {
        PersistenceHarness.writeEvents(system, "p-" + (i % 4), 1 + (i - 1) / 4,
            List.of(tagged("e" + i, i % 3 == 0 ? "fizz" : "other")));
      }
      List<EventEnvelope> all = run(system, journal(system).currentEventsByTag("fizz", Offset.noOffset()));
      assertEquals(IntStream.rangeClosed(1, 30).filter(i -> i % 3 == 0).mapToObj(i -> "e" + i).toList(),
          payloads(all));
      for (int cut = 0; cut < all.size(); cut++) {
        List<EventEnvelope> rest = run(system, journal(system).currentEventsByTag("fizz", all.get(cut).offset()));
        assertEquals(all.subList(cut + 1, all.size()), rest, "resumed after " + all.get(cut).offset());
      }
      assertEquals(all, run(system, journal(system).currentEventsByTag("fizz", Offset.sequence(0))));
      assertEquals(List.of(), run(system, journal(system).currentEventsByTag("fizz", Offset.sequence(Long.MAX_VALUE))));
      assertEquals(List.of(), run(system, journal(system).currentEventsByTag("nothing", Offset.noOffset())));
    });
  }

  @Test
  void anEventWithSeveralTagsIsFoundUnderEach() throws Exception {
    withSystem(system -> {
      PersistenceHarness.writeEvents(system, "p", 1, List.of(new Tagged("both", Set.of("red", "blue")), "none"));
      assertEquals(List.of("both"), payloads(run(system, journal(system).currentEventsByTag("red", Offset.noOffset()))));
      assertEquals(List.of("both"), payloads(run(system, journal(system).currentEventsByTag("blue", Offset.noOffset()))));
      assertEquals(List.of("both", "none"), payloads(run(system, journal(system).currentEventsByPersistenceId(
          "p", 0, Long.MAX_VALUE))), "by id, the events come without their Tagged wrapper");
    });
  }

  @Test
  void currentPersistenceIdsListsEveryIdOnce() throws Exception {
    withSystem(system -> {
      PersistenceHarness.writeEvents(system, "b", 1, List.of("1", "2"));
      PersistenceHarness.writeEvents(system, "a", 1, List.of("1"));
      PersistenceHarness.writeEvents(system, "b", 3, List.of("3"));
      for (int i = 0; i < 20; i++) {
        PersistenceHarness.writeEvents(system, "id-" + i, 1, List.of("x"));
      }
      List<String> ids = run(system, journal(system).currentPersistenceIds());
      List<String> expected = new ArrayList<>(List.of("a", "b"));
      IntStream.range(0, 20).forEach(i -> expected.add("id-" + i));
      assertEquals(expected.stream().sorted().toList(), ids.stream().sorted().toList());
    });
  }

  @Test
  void aLiveEventsByTagSeesEventsWrittenAfterItStarted() throws Exception {
    withSystem(system -> {
      PersistenceHarness.writeEvents(system, "p", 1, List.of(tagged("before", "t")));
      CompletionStage<List<EventEnvelope>> live = journal(system).eventsByTag("t", Offset.noOffset()).take(3)
          .runWith(Sink.seq(), system);
      PersistenceHarness.writeEvents(system, "p", 2, List.of(tagged("after-1", "t"), "untagged"));
      PersistenceHarness.writeEvents(system, "q", 1, List.of(tagged("after-2", "t")));
      assertEquals(List.of("before", "after-1", "after-2"), payloads(await(live)));
    });
  }

  @Test
  void aLiveEventsByPersistenceIdEndsAtItsUpperSequenceNumber() throws Exception {
    withSystem(system -> {
      PersistenceHarness.writeEvents(system, "p", 1, List.of("1", "2"));
      CompletionStage<List<EventEnvelope>> live = journal(system).eventsByPersistenceId("p", 2, 4)
          .runWith(Sink.seq(), system);
      PersistenceHarness.writeEvents(system, "p", 3, List.of("3"));
      PersistenceHarness.writeEvents(system, "p", 4, List.of("4", "5"));
      assertEquals(List.of("2", "3", "4"), payloads(await(live)), "completes by itself after sequence number 4");
    });
  }

  @Test
  void aLivePersistenceIdsListsIdsCreatedLater() throws Exception {
    withSystem(system -> {
      PersistenceHarness.writeEvents(system, "old", 1, List.of("1"));
      CompletionStage<List<String>> live = journal(system).persistenceIds().take(3).runWith(Sink.seq(), system);
      PersistenceHarness.writeEvents(system, "old", 2, List.of("2"));
      PersistenceHarness.writeEvents(system, "new-1", 1, List.of("1", "2"));
      PersistenceHarness.writeEvents(system, "new-1", 3, List.of("3"));
      PersistenceHarness.writeEvents(system, "new-2", 1, List.of("1"));
      List<String> ids = await(live);
      assertEquals(Set.of("old", "new-1", "new-2"), Set.copyOf(ids));
      assertEquals("old", ids.get(0), "the listing comes first");
    });
  }

  @Test
  void aLivePersistenceIdsListsEachIdOnceWhenIdsAreCreatedDuringTheListing() throws Exception {
    withSystem(system -> {
      Set<String> all = new java.util.HashSet<>();
      for (int i = 0; i < 60; i++) {
        PersistenceHarness.writeEvents(system, "old-" + i, 1, List.of("x"));
        all.add("old-" + i);
      }
      CompletionStage<List<String>> live = journal(system).persistenceIds().take(120).runWith(Sink.seq(), system);
      for (int i = 0; i < 60; i++) { // ids before, among and after the listing's pages of 7, while it runs
        String id = (i % 3 == 0 ? "a-" : i % 3 == 1 ? "old-" : "z-") + "new-" + i;
        PersistenceHarness.writeEvents(system, id, 1, List.of("x"));
        all.add(id);
      }
      List<String> ids = await(live);
      assertEquals(all, Set.copyOf(ids), "every id");
      assertEquals(120, ids.size(), "each once");
    });
  }

  @Test
  void theOrderingIsStableAcrossARestartAndContinuesAfterIt() throws Exception {
    List<EventEnvelope> before = new ArrayList<>();
    withSystem(system -> {
      for (int i = 1; i <= 10; i++) {
        PersistenceHarness.writeEvents(system, "p-" + (i % 3), 1 + (i - 1) / 3, List.of(tagged("e" + i, "t")));
      }
      before.addAll(run(system, journal(system).currentEventsByTag("t", Offset.noOffset())));
    });
    withSystem(system -> {
      assertEquals(before, run(system, journal(system).currentEventsByTag("t", Offset.noOffset())));
      PersistenceHarness.writeEvents(system, "p-1", 5, List.of(tagged("e11", "t")));
      List<EventEnvelope> after = run(system, journal(system).currentEventsByTag("t", before.get(9).offset()));
      assertEquals(List.of("e11"), payloads(after));
      assertTrue(offsets(after).get(0) > offsets(before).get(9), "new events come after the old offsets");
    });
  }

  @Test
  void deletedEventsLeaveTheTagIndexWithThem() throws Exception {
    withSystem(system -> {
      PersistenceHarness.writeEvents(system, "p", 1, List.of(tagged("1", "t"), tagged("2", "t"), tagged("3", "t")));
      PersistenceHarness.writeEvents(system, "q", 1, List.of(tagged("q1", "t")));
      TestKit probe = new TestKit(system);
      akka.persistence.Persistence.get(system).journalFor("strata.persistence.journal", ConfigFactory.empty())
          .tell(new akka.persistence.JournalProtocol.DeleteMessagesTo("p", 2, probe.getRef()), probe.getRef());
      probe.expectMsgClass(java.time.Duration.ofSeconds(10), akka.persistence.DeleteMessagesSuccess.class);
      assertEquals(List.of("3", "q1"), payloads(run(system, journal(system).currentEventsByTag("t", Offset.noOffset()))));
      assertEquals(List.of("3"), payloads(run(system, journal(system).currentEventsByPersistenceId(
          "p", 0, Long.MAX_VALUE))));
    });
  }

  @Test
  void eventsBySlicesSplitAnEntityTypesEventsAcrossSliceRangesWithTheirTags() throws Exception {
    withSystem(system -> {
      for (int i = 1; i <= 20; i++) {
        PersistenceHarness.writeEvents(system, "Cart|" + i, 1, List.of(tagged("c" + i, "carts"), "c" + i + "b"));
        PersistenceHarness.writeEvents(system, "Other|" + i, 1, List.of("o" + i));
      }
      StrataReadJournal journal = journal(system);
      List<akka.persistence.query.typed.EventEnvelope<Object>> all = run(system,
          journal.<Object>currentEventsBySlices("Cart", 0, 1023, Offset.noOffset()));
      assertEquals(40, all.size());
      assertEquals("c1", all.get(0).event());
      assertEquals(Set.of("carts"), all.get(0).getTags());
      assertEquals(Set.of(), all.get(1).getTags());
      assertTrue(all.stream().allMatch(e -> e.entityType().equals("Cart")
          && e.slice() == journal.sliceForPersistenceId(e.persistenceId())));
      List<Object> union = new ArrayList<>();
      for (akka.japi.Pair<Integer, Integer> range : journal.sliceRanges(4)) {
        List<akka.persistence.query.typed.EventEnvelope<Object>> part = run(system,
            journal.<Object>currentEventsBySlices("Cart", range.first(), range.second(), Offset.noOffset()));
        assertTrue(part.stream().allMatch(e -> e.slice() >= range.first() && e.slice() <= range.second()));
        part.forEach(e -> union.add(e.event()));
      }
      assertEquals(Set.copyOf(all.stream().map(e -> e.event()).toList()), Set.copyOf(union));
      assertEquals(40, union.size(), "each event in one range");
      assertEquals(all.subList(11, 40), run(system, journal.<Object>currentEventsBySlices("Cart", 0, 1023,
          all.get(10).offset())), "resumed after an offset");

      CompletionStage<List<akka.persistence.query.typed.EventEnvelope<Object>>> live =
          journal.<Object>eventsBySlices("Cart", 0, 1023, all.get(39).offset()).take(1).runWith(Sink.seq(), system);
      PersistenceHarness.writeEvents(system, "Other|1", 2, List.of("not a cart"));
      PersistenceHarness.writeEvents(system, "Cart|1", 3, List.of("later"));
      assertEquals("later", await(live).get(0).event());
    });
  }

  @Test
  void anOffsetOfAnotherKindIsRefusedWithTheKindNamed() throws Exception {
    withSystem(system -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> journal(system).eventsByTag("t", new TimeBasedUUID(UUID.fromString("49225740-2019-11ea-a752-ffae2393b6e4"))));
      assertTrue(e.getMessage().contains("Sequence"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> journal(system).eventsByTag("t", Offset.sequence(-1)));
      assertTrue(e.getMessage().contains("-1"), e.getMessage());
    });
  }

  @Test
  void aCurrentQueryOverOneHundredThousandEventsYieldsThemAllInOrder() throws Exception {
    withSystem(system -> {
      int writes = 1000;
      int perWrite = 100;
      for (int w = 0; w < writes; w++) {
        List<Object> events = new ArrayList<>(perWrite);
        for (int i = 0; i < perWrite; i++) {
          events.add(new Tagged(w * perWrite + i, Set.of("all")));
        }
        PersistenceHarness.writeEvents(system, "p-" + (w % 10), 1 + (long) (w / 10) * perWrite, events);
      }
      Sequence previous = new Sequence(0);
      List<EventEnvelope> all = run(system, journal(system).currentEventsByTag("all", Offset.noOffset()));
      assertEquals(writes * perWrite, all.size());
      for (int i = 0; i < all.size(); i++) {
        assertEquals(i, all.get(i).event(), "event " + i);
        assertTrue(((Sequence) all.get(i).offset()).value() > previous.value(), "offsets increase");
        previous = (Sequence) all.get(i).offset();
      }
    });
  }

  // ---------------------------------------------------------------- helpers

  private interface Body {
    void run(ActorSystem system) throws Exception;
  }

  private void withSystem(Body body) throws Exception {
    Config config = ConfigFactory.parseString("""
        strata.persistence.query.refresh-interval = 1h
        strata.persistence.query.page-size = 7
        """).withFallback(PersistenceHarness.pluginConfig(dir));
    ActorSystem system = ActorSystem.create("read-journal", ConfigFactory.load(config));
    try {
      body.run(system);
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  private static StrataReadJournal journal(ActorSystem system) {
    return PersistenceQuery.get(system).getReadJournalFor(StrataReadJournal.class, StrataReadJournal.IDENTIFIER);
  }

  private static <T> List<T> run(ActorSystem system, Source<T, ?> source) throws Exception {
    return await(source.runWith(Sink.seq(), system));
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static Tagged tagged(String event, String tag) {
    return new Tagged(event, Set.of(tag));
  }

  private static List<String> names(String prefix, int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> prefix + i).collect(Collectors.toList());
  }

  private static List<Object> payloads(List<EventEnvelope> events) {
    return events.stream().map(EventEnvelope::event).toList();
  }

  private static List<Long> offsets(List<EventEnvelope> events) {
    return events.stream().map(e -> ((Sequence) e.offset()).value()).toList();
  }

  private static final class LongRange {
    static List<Long> of(long from, long to) {
      List<Long> out = new ArrayList<>();
      for (long i = from; i <= to; i++) {
        out.add(i);
      }
      return out;
    }
  }
}
