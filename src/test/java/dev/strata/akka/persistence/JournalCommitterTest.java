package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit group: writes that queue while no drain runs go out in one batch, which puts its
 * entries range by range (events, ordering entries, tag entries, highest sequence numbers) rather
 * than event by event; the result must be what committing them one by one would leave. The
 * executor here runs nothing until the test says so, so the grouping is certain.
 */
class JournalCommitterTest {
  @TempDir
  Path dir;

  @Test
  void writesOfOneIdInOneGroupLeaveTheLastHighestSequenceNumberAndMarkOnlyItsFirstEvent() throws Exception {
    Deque<Runnable> tasks = new ArrayDeque<>();
    try (Strata store = Strata.open(dir)) {
      JournalCommitter committer = new JournalCommitter(store, tasks::add);
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        done.add(committer.commit(List.of(write("p", 2L * w + 1, 2L * w + 2), write("q", w + 1, w + 1))));
      }
      assertEquals(1, tasks.size(), "one drain for the three calls: they commit as one group");
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
      for (CompletableFuture<Void> d : done) {
        d.get(10, TimeUnit.SECONDS);
      }

      assertEquals(6, JournalRecords.readHighestSequenceNr(store.get(PersistenceKeys.highestSequenceNr("p"))));
      assertEquals(3, JournalRecords.readHighestSequenceNr(store.get(PersistenceKeys.highestSequenceNr("q"))));
      assertEquals(9, JournalCommitter.storedHighestOrdering(store));
      List<String> orderingLog = new ArrayList<>();
      try (StrataIterator it = store.scan(Bound.included(PersistenceKeys.ordering(1)),
          Bound.included(PersistenceKeys.ordering(Long.MAX_VALUE)))) {
        for (; it.isValid(); it.next()) {
          JournalRecords.OrderingEntry entry = JournalRecords.readOrderingEntry(it.value());
          long ordering = PersistenceKeys.orderingOf(it.key());
          orderingLog.add(ordering + ":" + entry.persistenceId() + "/" + entry.sequenceNr() + (entry.firstOfId() ? "*" : ""));
          byte[] event = store.get(PersistenceKeys.event(entry.persistenceId(), entry.sequenceNr()));
          assertEquals(ordering, JournalRecords.readHeader(event).ordering(), "the event carries its ordering");
          assertArrayEquals(event, store.get(PersistenceKeys.tag("t", ordering)), "the tag entry holds the event");
        }
      }
      assertEquals(List.of("1:p/1*", "2:p/2", "3:q/1*", "4:p/3", "5:p/4", "6:q/2", "7:p/5", "8:p/6", "9:q/3"),
          orderingLog, "numbered in commit order; only each id's first event is marked the first of its id");
    }
  }

  /** A write of events {@code from..to} of {@code id}, each tagged "t", as the journal actor prepares it. */
  private static JournalCommitter.PreparedWrite write(String id, long from, long to) {
    List<JournalCommitter.EventWrite> events = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      byte[] value = JournalRecords.event(new Payload(1, "", (id + seq).getBytes(StandardCharsets.UTF_8)),
          List.of("t".getBytes(StandardCharsets.UTF_8)));
      events.add(new JournalCommitter.EventWrite(seq, PersistenceKeys.event(id, seq), value,
          List.of(PersistenceKeys.tag("t", 0))));
    }
    return new JournalCommitter.PreparedWrite(id, PersistenceKeys.persistenceIdBytes(id),
        PersistenceKeys.highestSequenceNr(id), to, events, true);
  }
}
