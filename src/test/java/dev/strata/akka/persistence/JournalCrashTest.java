package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.ActorSystem;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.query.Sequence;
import akka.stream.javadsl.Sink;
import akka.testkit.javadsl.TestKit;
import com.typesafe.config.ConfigFactory;
import dev.strata.Bound;
import dev.strata.KilledChild;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import dev.strata.akka.testkit.StrataTestKit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's events, ordering log, tag index and highest sequence numbers stay consistent
 * across a kill -9 in the middle of {@code persistAll}s. A child JVM ({@link JournalCrashChild})
 * runs persistent actors that persist groups of 10 to 50 events (and single events) back to back
 * with {@code sync-writes} on, printing each group the journal acknowledged; it is killed with
 * SIGKILL a random 50 to 1500 ms after its first acknowledgement, again and again on the same
 * directory, each run with one more actor (up to 6, so that ids are also born after a crash).
 *
 * <p>After each kill the store is opened here and read key by key, both ways: every event has its
 * ordering log entry and one tag index entry per tag, holding its value; every ordering and tag
 * entry belongs to an event; orderings are unique, grow with each id's sequence numbers, are
 * consecutive within a group (one AtomicWrite) and follow commit order across ids (a group sent
 * after others were acknowledged is numbered after them), and the recorded highest ordering is the last one;
 * each id's events are 1 to its recorded highest sequence number without a gap; every group the
 * child saw acknowledged, in any run, is there; no group is there in part. Across kills, what was
 * there stays there with the same orderings, new events are numbered after it, and each actor of
 * the next run recovers exactly the sequence number found here. Then a fresh ActorSystem reads
 * the same through the read journal: {@code currentEventsByTag} returns exactly the tag index (also
 * resumed from an offset), {@code currentEventsByPersistenceId} each id's events, {@code
 * currentPersistenceIds} the ids.
 *
 * <p>The kill delays and the child's group sizes come from a seed printed at the start ({@code
 * -Dstrata.seed=...}); the directory is kept on failure. {@code -Dstrata.journal.crash.cycles} sets
 * the number of kills (default 3).
 */
class JournalCrashTest {
  private static final int MAX_ACTORS = 6;
  static final ActorTestKit testKit = ActorTestKit.create();

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Sequence numbers {@code first} to {@code last} of {@code persistenceId}: one group. */
  private record Group(String persistenceId, long first, long last) {}

  /**
   * A group the child was about to persist when it had seen {@code acknowledgedBefore} groups of this
   * run acknowledged: they committed before it was even sent, so its orderings come after theirs.
   */
  private record Persisted(String persistenceId, long first, int acknowledgedBefore) {}

  /** What a child's lines say: the groups it sent, and those acknowledged, in the order it saw them. */
  private record Run(List<Persisted> persisted, List<Group> acknowledged) {}

  /** An event as found in the store. */
  private record StoredEvent(long sequenceNr, long ordering, long groupStart, int groupSize, String payload) {}

  /** What the store holds after a kill: each id's events in sequence number order, and the highest ordering. */
  private record Journal(Map<String, List<StoredEvent>> events, long highestOrdering) {
    long highestSequenceNr(String persistenceId) {
      List<StoredEvent> of = events.getOrDefault(persistenceId, List.of());
      return of.isEmpty() ? 0 : of.get(of.size() - 1).sequenceNr();
    }
  }

  @Test
  void aKillDuringPersistAllsLeavesTheEventsTheOrderingLogAndTheTagIndexConsistent() throws Exception {
    String name = "aKillDuringPersistAllsLeavesTheEventsTheOrderingLogAndTheTagIndexConsistent";
    long seed = TestHarness.seed(name);
    SplittableRandom rnd = new SplittableRandom(seed);
    int cycles = Integer.getInteger("strata.journal.crash.cycles", 3);
    Path storeDir = dir.resolve("store");
    List<Group> acknowledged = new ArrayList<>();
    Journal previous = new Journal(Map.of(), 0);
    for (int cycle = 0; cycle < cycles; cycle++) {
      long killAfterMs = 50 + rnd.nextInt(1451);
      int actors = Math.min(2 + cycle, MAX_ACTORS);
      String at = name + " seed=" + seed + " cycle=" + cycle + " (killed " + killAfterMs
          + " ms after its first acknowledgement); directory kept: " + dir;
      Path out = dir.resolve("cycle-" + cycle + ".out");
      KilledChild.run(JournalCrashChild.class,
          List.of(storeDir.toString(), Integer.toString(actors), Long.toString(rnd.nextLong())),
          out, dir.resolve("cycle-" + cycle + ".err"), o -> o.contains("ack "), "a group acknowledged",
          killAfterMs, at);
      List<String> lines = KilledChild.wholeLines(out);
      Run run = checkTheRunContinuedFrom(previous, lines, at);
      List<Group> groups = run.acknowledged();
      acknowledged.addAll(groups);
      Journal journal = readStore(storeDir, at);
      checkAcknowledgedGroupsArePresent(journal, acknowledged, at);
      checkOrderingsFollowCommitOrder(journal, run, at);
      checkWhatWasThereStays(previous, journal, at);
      checkTheReadJournal(storeDir, journal, at);
      int events = journal.events().values().stream().mapToInt(List::size).sum();
      long unacknowledged = unacknowledged(previous, journal, groups);
      System.out.println(name + " cycle " + cycle + ": " + events + " events of " + journal.events().size()
          + " ids, highest ordering " + journal.highestOrdering() + ", " + acknowledged.size() + " groups acknowledged, "
          + unacknowledged + " events of this run committed but not acknowledged");
      previous = journal;
    }
    assertTrue(acknowledged.size() > 0, "the child never had a group acknowledged: the test exercised nothing");
  }

  /**
   * Events of this run in the store that the child never saw acknowledged: the kill came between
   * their commit (or its fsync) and the reply. Not checked, only reported: it shows that the kills
   * land in the middle of commits.
   */
  private static long unacknowledged(Journal previous, Journal journal, List<Group> groups) {
    Map<String, Long> seen = new HashMap<>();
    journal.events().keySet().forEach(id -> seen.put(id, previous.highestSequenceNr(id)));
    groups.forEach(g -> seen.merge(g.persistenceId(), g.last(), Math::max));
    return seen.entrySet().stream().mapToLong(e -> journal.highestSequenceNr(e.getKey()) - e.getValue()).sum();
  }

  /**
   * The child's lines: each actor recovered the highest sequence number the store held after the
   * previous kill, and its acknowledged groups follow on from it without a gap. Returns the groups.
   */
  private static Run checkTheRunContinuedFrom(Journal previous, List<String> lines, String at) {
    Map<String, Long> last = new HashMap<>();
    List<Group> groups = new ArrayList<>();
    List<Persisted> persisted = new ArrayList<>();
    for (String line : lines) {
      String[] parts = line.split(" ");
      switch (parts[0]) {
        case "recovered" -> {
          long recovered = Long.parseLong(parts[2]);
          assertEquals(previous.highestSequenceNr(parts[1]), recovered, parts[1] + " recovered at " + at);
          last.put(parts[1], recovered);
        }
        case "persist" -> {
          Persisted group = new Persisted(parts[1], Long.parseLong(parts[2]), groups.size());
          Long before = last.get(group.persistenceId());
          assertNotNull(before, line + " before its actor recovered at " + at);
          assertEquals(before + 1, group.first(), line + " does not follow on from " + before + " at " + at);
          persisted.add(group);
        }
        case "ack" -> {
          Group group = new Group(parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]));
          Long before = last.get(group.persistenceId());
          assertNotNull(before, group + " acknowledged before its actor recovered at " + at);
          assertEquals(before + 1, group.first(), group + " does not follow on from " + before + " at " + at);
          assertTrue(group.last() >= group.first(), group + " at " + at);
          last.put(group.persistenceId(), group.last());
          groups.add(group);
        }
        default -> fail("an unexpected line from the child at " + at + ": " + line);
      }
    }
    return new Run(persisted, groups);
  }

  /**
   * Orderings follow commit order across ids too: a group sent after other groups were
   * acknowledged, if it is in the store, has orderings above all of theirs.
   */
  private static void checkOrderingsFollowCommitOrder(Journal journal, Run run, String at) {
    long[] highestAcknowledged = new long[run.acknowledged().size() + 1]; // the highest ordering of the first i
    for (int i = 0; i < run.acknowledged().size(); i++) {
      Group group = run.acknowledged().get(i);
      long last = journal.events().get(group.persistenceId()).get((int) group.last() - 1).ordering();
      highestAcknowledged[i + 1] = Math.max(highestAcknowledged[i], last);
    }
    for (Persisted group : run.persisted()) {
      List<StoredEvent> events = journal.events().getOrDefault(group.persistenceId(), List.of());
      if (events.size() >= group.first()) {
        long first = events.get((int) group.first() - 1).ordering();
        long before = highestAcknowledged[group.acknowledgedBefore()];
        assertTrue(first > before, "the group from " + group.first() + " of " + group.persistenceId()
            + " has ordering " + first + ", not above " + before + " of a group acknowledged before it was sent, at " + at);
      }
    }
  }

  /**
   * Reads the store alone, key by key, and checks the events against the ordering log, the tag
   * index and the highest sequence numbers both ways, and that the events form whole groups.
   */
  private static Journal readStore(Path storeDir, String at) {
    PayloadSerialization serialization = new PayloadSerialization(Adapter.toClassic(testKit.system()));
    try (Strata store = Strata.open(testKit.system(), storeDir, StrataOptions.defaults())) {
      long highestOrdering = JournalCommitter.storedHighestOrdering(store);
      Map<String, List<StoredEvent>> events = new TreeMap<>();
      Set<Long> orderings = new HashSet<>();
      Set<String> tagEntries = new HashSet<>();
      long maxOrdering = 0;
      try (StrataIterator it = scanKind(store, PersistenceKeys.EVENT)) {
        for (; it.isValid(); it.next()) {
          String id = PersistenceKeys.persistenceIdOf(it.key());
          long sequenceNr = PersistenceKeys.eventSequenceNr(it.key());
          String where = "event " + sequenceNr + " of " + id + " at " + at;
          JournalRecords.StoredEvent stored = JournalRecords.readStoredEvent(it.value(), serialization);
          assertEquals(id, stored.repr().persistenceId(), where);
          assertEquals(sequenceNr, stored.repr().sequenceNr(), where);
          String payload = (String) stored.repr().payload();
          String[] parts = payload.split(":");
          assertEquals(JournalCrashChild.event(id, sequenceNr, Long.parseLong(parts[2]), Integer.parseInt(parts[3])),
              payload, where);
          assertEquals(List.copyOf(new TreeSet<>(JournalCrashChild.tagsFor(sequenceNr))), stored.tags(), "tags of " + where);
          long ordering = stored.ordering();
          assertTrue(ordering > 0 && ordering <= highestOrdering, "ordering " + ordering + " of " + where
              + " with the highest ordering recorded " + highestOrdering);
          assertTrue(orderings.add(ordering), "ordering " + ordering + " taken twice, again by " + where);
          maxOrdering = Math.max(maxOrdering, ordering);

          byte[] entry = store.get(PersistenceKeys.ordering(ordering));
          assertNotNull(entry, "the ordering log entry " + ordering + " of " + where);
          JournalRecords.OrderingEntry orderingEntry = JournalRecords.readOrderingEntry(entry);
          assertEquals(new JournalRecords.OrderingEntry(id, sequenceNr, sequenceNr == 1), orderingEntry,
              "the ordering log entry " + ordering + " of " + where);
          for (String tag : stored.tags()) {
            assertArrayEquals(it.value(), store.get(PersistenceKeys.tag(tag, ordering)),
                "the tag index entry " + tag + " of " + where);
            tagEntries.add(tag + "/" + ordering);
          }
          events.computeIfAbsent(id, k -> new ArrayList<>()).add(new StoredEvent(sequenceNr, ordering,
              Long.parseLong(parts[2]), Integer.parseInt(parts[3]), payload));
        }
      }
      assertEquals(maxOrdering, highestOrdering, "the recorded highest ordering is the last event's at " + at);

      int orderingEntries = 0;
      try (StrataIterator it = scanKind(store, PersistenceKeys.ORDERING)) {
        for (; it.isValid(); it.next(), orderingEntries++) {
          assertTrue(orderings.contains(PersistenceKeys.orderingOf(it.key())),
              "the ordering log entry " + PersistenceKeys.orderingOf(it.key()) + " has no event at " + at);
        }
      }
      assertEquals(orderings.size(), orderingEntries, "ordering log entries at " + at);
      int tagCount = 0;
      try (StrataIterator it = scanKind(store, PersistenceKeys.TAG)) {
        for (; it.isValid(); it.next(), tagCount++) {
          String entry = PersistenceKeys.persistenceIdOf(it.key()) + "/" + PersistenceKeys.orderingOf(it.key());
          assertTrue(tagEntries.contains(entry), "the tag index entry " + entry + " has no event at " + at);
        }
      }
      assertEquals(tagEntries.size(), tagCount, "tag index entries at " + at);

      Map<String, Long> highestSequenceNrs = new TreeMap<>();
      try (StrataIterator it = scanKind(store, PersistenceKeys.HIGHEST_SEQUENCE_NR)) {
        for (; it.isValid(); it.next()) {
          highestSequenceNrs.put(PersistenceKeys.persistenceIdOf(it.key()),
              JournalRecords.readHighestSequenceNr(it.value()));
        }
      }
      assertEquals(highestSequenceNrs.keySet(), events.keySet(), "ids with a highest sequence number at " + at);
      events.forEach((id, of) -> checkWholeGroups(id, of, highestSequenceNrs.get(id), at));
      return new Journal(events, highestOrdering);
    }
  }

  /**
   * {@code events} are 1 to {@code highest} without a gap, in whole groups, each group's orderings
   * consecutive and every ordering above the one of the event before.
   */
  private static void checkWholeGroups(String id, List<StoredEvent> events, long highest, String at) {
    assertEquals(highest, events.size(), id + " has " + events.size() + " events and highest sequence number "
        + highest + " at " + at);
    for (int i = 0; i < events.size(); i++) {
      StoredEvent e = events.get(i);
      String where = "event " + e.sequenceNr() + " of " + id + " at " + at;
      assertEquals(i + 1, e.sequenceNr(), "a gap before " + where);
      if (i > 0) {
        StoredEvent before = events.get(i - 1);
        assertTrue(e.ordering() > before.ordering(), "the ordering of " + where + " is not above the one before");
        if (e.groupStart() == before.groupStart()) {
          assertEquals(before.ordering() + 1, e.ordering(), "the orderings of a group are consecutive: " + where);
        }
      }
      assertTrue(e.groupStart() <= e.sequenceNr() && e.sequenceNr() < e.groupStart() + e.groupSize(),
          "the group of " + where + ": " + e.payload());
      if (e.sequenceNr() == e.groupStart()) {
        if (i > 0) {
          StoredEvent before = events.get(i - 1);
          assertEquals(e.sequenceNr(), before.groupStart() + before.groupSize(), "the group before " + where
              + " ends early: " + before.payload());
        }
        assertTrue(e.groupStart() + e.groupSize() - 1 <= highest, "the group of " + e.groupSize() + " events from "
            + e.groupStart() + " of " + id + " is there in part only (up to " + highest + ") at " + at);
      } else {
        assertEquals(events.get(i - 1).groupStart(), e.groupStart(), "the group of " + where);
        assertEquals(events.get(i - 1).groupSize(), e.groupSize(), "the group of " + where);
      }
    }
  }

  private static void checkAcknowledgedGroupsArePresent(Journal journal, List<Group> acknowledged, String at) {
    for (Group group : acknowledged) {
      List<StoredEvent> events = journal.events().getOrDefault(group.persistenceId(), List.of());
      assertTrue(events.size() >= group.last(), "the acknowledged " + group + " is lost: " + group.persistenceId()
          + " has " + events.size() + " events at " + at);
      StoredEvent first = events.get((int) group.first() - 1);
      assertEquals(group.first(), first.groupStart(), "the acknowledged " + group + " at " + at);
      assertEquals(group.last() - group.first() + 1, first.groupSize(), "the acknowledged " + group + " at " + at);
    }
  }

  /** The events found after the previous kill are still there, with the same orderings; new ones come after them. */
  private static void checkWhatWasThereStays(Journal previous, Journal journal, String at) {
    previous.events().forEach((id, before) -> {
      List<StoredEvent> now = journal.events().getOrDefault(id, List.of());
      assertTrue(now.size() >= before.size(), id + " lost events: " + before.size() + " before, " + now.size()
          + " now at " + at);
      assertEquals(before, now.subList(0, before.size()), "the events of " + id + " found before at " + at);
    });
    journal.events().forEach((id, now) -> {
      for (StoredEvent e : now.subList(previous.events().getOrDefault(id, List.of()).size(), now.size())) {
        assertTrue(e.ordering() > previous.highestOrdering(), "event " + e.sequenceNr() + " of " + id
            + " is new but has ordering " + e.ordering() + ", not above " + previous.highestOrdering() + " at " + at);
      }
    });
  }

  /** In a fresh ActorSystem on the store: the read journal's current queries return what the store holds. */
  private static void checkTheReadJournal(Path storeDir, Journal journal, String at) throws Exception {
    ActorSystem system = ActorSystem.create("journal-crash-check", ConfigFactory.load(
        ConfigFactory.parseString("akka.loglevel = WARNING").withFallback(StrataTestKit.persistenceConfig(storeDir))));
    try {
      StrataReadJournal readJournal = PersistenceQuery.get(system)
          .getReadJournalFor(StrataReadJournal.class, StrataReadJournal.IDENTIFIER);
      assertEquals(journal.events().keySet(), new TreeSet<>(readJournal.currentPersistenceIds().runWith(Sink.seq(), system)
          .toCompletableFuture().get(60, TimeUnit.SECONDS)), "currentPersistenceIds at " + at);
      Map<String, TreeMap<Long, String>> byTag = new TreeMap<>();
      for (String tag : JournalCrashChild.allTags()) {
        byTag.put(tag, new TreeMap<>());
      }
      for (Map.Entry<String, List<StoredEvent>> of : journal.events().entrySet()) {
        String id = of.getKey();
        List<String> expected = new ArrayList<>();
        for (StoredEvent e : of.getValue()) {
          String envelope = describe(id, e.sequenceNr(), e.ordering(), e.payload());
          expected.add(envelope);
          for (String tag : JournalCrashChild.tagsFor(e.sequenceNr())) {
            byTag.get(tag).put(e.ordering(), envelope);
          }
        }
        assertEquals(expected, envelopes(system, readJournal.currentEventsByPersistenceId(id, 0, Long.MAX_VALUE)),
            "currentEventsByPersistenceId(" + id + ") at " + at);
      }
      for (Map.Entry<String, TreeMap<Long, String>> tag : byTag.entrySet()) {
        List<String> expected = List.copyOf(tag.getValue().values());
        assertEquals(expected, envelopes(system, readJournal.currentEventsByTag(tag.getKey(), Offset.noOffset())),
            "currentEventsByTag(" + tag.getKey() + ") at " + at);
        if (!expected.isEmpty()) {
          long middle = List.copyOf(tag.getValue().keySet()).get(expected.size() / 2);
          assertEquals(List.copyOf(tag.getValue().tailMap(middle, false).values()),
              envelopes(system, readJournal.currentEventsByTag(tag.getKey(), Offset.sequence(middle))),
              "currentEventsByTag(" + tag.getKey() + ") after offset " + middle + " at " + at);
        }
      }
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  private static List<String> envelopes(ActorSystem system, akka.stream.javadsl.Source<EventEnvelope, ?> query)
      throws Exception {
    return query.map(e -> describe(e.persistenceId(), e.sequenceNr(), ((Sequence) e.offset()).value(), e.event()))
        .runWith(Sink.seq(), system).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static String describe(String persistenceId, long sequenceNr, long ordering, Object event) {
    return persistenceId + " #" + sequenceNr + " @" + ordering + " " + event;
  }
  private static StrataIterator scanKind(Strata store, byte kind) {
    return store.scan(Bound.included(PersistenceKeys.kindStart(kind)),
        Bound.excluded(PersistenceKeys.kindStart((byte) (kind + 1))));
  }
}
