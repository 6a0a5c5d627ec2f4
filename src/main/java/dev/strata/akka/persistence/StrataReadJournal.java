package dev.strata.akka.persistence;

import akka.NotUsed;
import akka.persistence.PersistentRepr;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.Sequence;
import akka.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import akka.persistence.query.javadsl.CurrentEventsByTagQuery;
import akka.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import akka.persistence.query.javadsl.EventsByPersistenceIdQuery;
import akka.persistence.query.javadsl.EventsByTagQuery;
import akka.persistence.query.javadsl.PersistenceIdsQuery;
import akka.persistence.query.javadsl.ReadJournal;
import akka.japi.Pair;
import akka.persistence.Persistence;
import akka.persistence.query.typed.javadsl.CurrentEventsBySliceQuery;
import akka.persistence.query.typed.javadsl.EventsBySliceQuery;
import akka.persistence.typed.PersistenceId;
import akka.stream.javadsl.Source;
import dev.strata.Bound;
import dev.strata.Strata;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import scala.Option;
import scala.collection.immutable.Range;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The read journal of Strata's journal (Java API), plugin id {@code strata.persistence.query}:
 *
 * <pre>{@code
 * StrataReadJournal queries = PersistenceQuery.get(system)
 *     .getReadJournalFor(StrataReadJournal.class, StrataReadJournal.IDENTIFIER);
 * queries.eventsByTag("orders", Offset.noOffset()).runForeach(...);
 * }</pre>
 *
 * <p>Offsets are {@link Sequence}s of the store-wide ordering the journal gives every event in
 * commit order (stable across restarts, never reused; gaps are possible): an envelope's offset is
 * its event's ordering, and a query from {@code Sequence(n)} yields the events after n ({@code
 * NoOffset}: from the start). Live queries ({@code eventsBy...}, {@code persistenceIds}) hear the
 * journal's commits in this actor system at once, and otherwise read again every {@code
 * refresh-interval}; current ones end with what was committed when they started. Every query reads
 * pages of {@code page-size} entries from short-lived snapshots on the plugin dispatcher, as the
 * stream demands ({@link PagedQuery}).
 *
 * <p>{@code eventsBySlices} (typed {@code EventEnvelope}s, with their tags) reads the ordering log
 * and keeps the events of one entity type in the slices asked; its offsets are the same Sequences.
 *
 * <p>{@code persistenceIds} lists every id with events (deleted or not), then, live, each id whose
 * first event is written later, each id once.
 *
 * <p>Thread-safe; the sources it returns may be materialized any number of times.
 */
public final class StrataReadJournal implements ReadJournal, EventsByPersistenceIdQuery,
    CurrentEventsByPersistenceIdQuery, PersistenceIdsQuery, CurrentPersistenceIdsQuery, EventsByTagQuery,
    CurrentEventsByTagQuery, EventsBySliceQuery, CurrentEventsBySliceQuery {
  /** The plugin id of the read journal in {@code reference.conf}. */
  public static final String IDENTIFIER = "strata.persistence.query";

  private final Strata store;
  private final PayloadSerialization serialization;
  private final PagedQuery pages;
  private final LivePersistenceIds livePersistenceIds;
  private final Persistence persistence;

  StrataReadJournal(Strata store, PayloadSerialization serialization, PagedQuery pages, int pageSize,
      Persistence persistence) {
    this.store = store;
    this.persistence = persistence;
    this.serialization = serialization;
    this.pages = pages;
    this.livePersistenceIds = new LivePersistenceIds(store, pages, pageSize);
  }

  @Override
  public Source<EventEnvelope, NotUsed> eventsByPersistenceId(String persistenceId, long fromSequenceNr,
      long toSequenceNr) {
    return byPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, true);
  }

  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long fromSequenceNr,
      long toSequenceNr) {
    return byPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, false);
  }

  @Override
  public Source<EventEnvelope, NotUsed> eventsByTag(String tag, Offset offset) {
    return byTag(tag, offset, true);
  }

  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByTag(String tag, Offset offset) {
    return byTag(tag, offset, false);
  }

  @Override
  public Source<String, NotUsed> currentPersistenceIds() {
    return pages.source(Bound.included(PersistenceKeys.kindStart(PersistenceKeys.HIGHEST_SEQUENCE_NR)),
        () -> Optional.of(Bound.excluded(PersistenceKeys.kindStart(PersistenceKeys.SNAPSHOT))), false,
        (key, value) -> PersistenceKeys.persistenceIdOf(key));
  }

  /** Every id with events, then each new one, each once ({@link LivePersistenceIds}). */
  @Override
  public Source<String, NotUsed> persistenceIds() {
    return livePersistenceIds.source();
  }

  private Source<EventEnvelope, NotUsed> byPersistenceId(String persistenceId, long fromSequenceNr,
      long toSequenceNr, boolean live) {
    long from = Math.max(fromSequenceNr, 0);
    PersistenceKeys.highestSequenceNr(persistenceId); // checks the id now, not in the stream
    if (toSequenceNr < from) {
      return Source.empty();
    }
    return pages.source(Bound.included(PersistenceKeys.event(persistenceId, from)), () -> {
      long to = toSequenceNr;
      if (!live) {
        byte[] highest = store.get(PersistenceKeys.highestSequenceNr(persistenceId));
        to = Math.min(to, highest == null ? 0 : JournalRecords.readHighestSequenceNr(highest));
        if (to < from) {
          return Optional.empty();
        }
      }
      return Optional.of(Bound.included(PersistenceKeys.event(persistenceId, to)));
    }, live, (key, value) -> envelope(value));
  }

  private Source<EventEnvelope, NotUsed> byTag(String tag, Offset offset, boolean live) {
    long after = afterOffset(offset);
    PersistenceKeys.tag(tag, 0); // checks the tag now, not in the stream
    if (after == Long.MAX_VALUE) {
      return Source.empty();
    }
    return pages.source(Bound.included(PersistenceKeys.tag(tag, after + 1)), () -> {
      long to = live ? Long.MAX_VALUE : JournalCommitter.storedHighestOrdering(store);
      return to <= after ? Optional.empty() : Optional.of(Bound.included(PersistenceKeys.tag(tag, to)));
    }, live, (key, value) -> envelope(value));
  }

  /**
   * The events of {@code entityType} whose persistence id falls in the slices {@code minSlice} to
   * {@code maxSlice}, after {@code offset} in ordering order, live. It reads the ordering log (every
   * event of the store) and keeps those of the slices asked, so several projections splitting the
   * slices each read the whole log: on one node, prefer {@code eventsByTag} where a tag will do.
   */
  @Override
  public <Event> Source<akka.persistence.query.typed.EventEnvelope<Event>, NotUsed> eventsBySlices(
      String entityType, int minSlice, int maxSlice, Offset offset) {
    return bySlices(entityType, minSlice, maxSlice, offset, true);
  }

  @Override
  public <Event> Source<akka.persistence.query.typed.EventEnvelope<Event>, NotUsed> currentEventsBySlices(
      String entityType, int minSlice, int maxSlice, Offset offset) {
    return bySlices(entityType, minSlice, maxSlice, offset, false);
  }

  @Override
  public int sliceForPersistenceId(String persistenceId) {
    return persistence.sliceForPersistenceId(persistenceId);
  }

  @Override
  public List<Pair<Integer, Integer>> sliceRanges(int numberOfRanges) {
    List<Pair<Integer, Integer>> ranges = new ArrayList<>();
    for (Range range : CollectionConverters.asJava(persistence.sliceRanges(numberOfRanges))) {
      ranges.add(Pair.create(range.start(), range.last()));
    }
    return ranges;
  }

  private <Event> Source<akka.persistence.query.typed.EventEnvelope<Event>, NotUsed> bySlices(String entityType,
      int minSlice, int maxSlice, Offset offset, boolean live) {
    long after = afterOffset(offset);
    if (minSlice < 0 || maxSlice >= persistence.numberOfSlices() || minSlice > maxSlice) {
      throw new IllegalArgumentException("slices run from 0 to " + (persistence.numberOfSlices() - 1)
          + "; got " + minSlice + " to " + maxSlice);
    }
    if (after == Long.MAX_VALUE) {
      return Source.empty();
    }
    return pages.source(Bound.included(PersistenceKeys.ordering(after + 1)), () -> {
      long to = live ? Long.MAX_VALUE : JournalCommitter.storedHighestOrdering(store);
      return to <= after ? Optional.empty() : Optional.of(Bound.included(PersistenceKeys.ordering(to)));
    }, live, (key, value) -> {
      JournalRecords.OrderingEntry entry = JournalRecords.readOrderingEntry(value);
      String id = entry.persistenceId();
      if (!PersistenceId.extractEntityType(id).equals(entityType)) {
        return null;
      }
      int slice = persistence.sliceForPersistenceId(id);
      byte[] event = slice < minSlice || slice > maxSlice ? null
          : store.get(PersistenceKeys.event(id, entry.sequenceNr()));
      return event == null ? null : this.<Event>typedEnvelope(event, entityType, slice);
    });
  }

  @SuppressWarnings("unchecked")
  private <Event> akka.persistence.query.typed.EventEnvelope<Event> typedEnvelope(byte[] value, String entityType,
      int slice) {
    JournalRecords.StoredEvent stored = JournalRecords.readStoredEvent(value, serialization);
    PersistentRepr repr = stored.repr();
    return new akka.persistence.query.typed.EventEnvelope<>(Sequence.apply(stored.ordering()),
        repr.persistenceId(), repr.sequenceNr(), Option.apply((Event) repr.payload()), repr.timestamp(),
        repr.metadata(), entityType, slice, false, "", CollectionConverters.asScala(Set.copyOf(stored.tags())).toSet());
  }

  /** The ordering a query starts after. */
  static long afterOffset(Offset offset) {
    if (offset == null || offset.equals(Offset.noOffset())) {
      return 0;
    }
    if (offset instanceof Sequence sequence) {
      if (sequence.value() < 0) {
        throw new IllegalArgumentException("a Sequence offset must not be negative, got " + sequence.value());
      }
      return sequence.value();
    }
    throw new IllegalArgumentException("Strata's read journal takes Sequence offsets (or NoOffset), got "
        + offset.getClass().getName() + ": " + offset);
  }

  private EventEnvelope envelope(byte[] value) {
    JournalRecords.StoredEvent stored = JournalRecords.readStoredEvent(value, serialization);
    PersistentRepr repr = stored.repr();
    return EventEnvelope.apply(Sequence.apply(stored.ordering()), repr.persistenceId(), repr.sequenceNr(),
        repr.payload(), repr.timestamp(), repr.metadata());
  }
}
