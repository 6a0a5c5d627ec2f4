package dev.strata.akka.persistence;

import akka.NotUsed;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.scaladsl.CurrentEventsByPersistenceIdQuery;
import akka.persistence.query.scaladsl.CurrentEventsByTagQuery;
import akka.persistence.query.scaladsl.CurrentPersistenceIdsQuery;
import akka.persistence.query.scaladsl.EventsByPersistenceIdQuery;
import akka.persistence.query.scaladsl.EventsByTagQuery;
import akka.persistence.query.scaladsl.PersistenceIdsQuery;
import akka.persistence.query.scaladsl.ReadJournal;
import akka.persistence.Persistence;
import akka.persistence.query.typed.scaladsl.CurrentEventsBySliceQuery;
import akka.persistence.query.typed.scaladsl.EventsBySliceQuery;
import akka.stream.scaladsl.Source;
import scala.collection.immutable.Range;
import scala.collection.immutable.Seq;

/**
 * The Scala API of the read journal ({@code readJournalFor[StrataScalaReadJournal]("strata.persistence.query")});
 * {@link StrataReadJournal}, which does the work, documents the queries. Thread-safe.
 */
public final class StrataScalaReadJournal implements ReadJournal, EventsByPersistenceIdQuery,
    CurrentEventsByPersistenceIdQuery, PersistenceIdsQuery, CurrentPersistenceIdsQuery, EventsByTagQuery,
    CurrentEventsByTagQuery, EventsBySliceQuery, CurrentEventsBySliceQuery {
  private final StrataReadJournal javadsl;
  private final Persistence persistence;

  StrataScalaReadJournal(StrataReadJournal javadsl, Persistence persistence) {
    this.javadsl = javadsl;
    this.persistence = persistence;
  }

  @Override
  public <Event> Source<akka.persistence.query.typed.EventEnvelope<Event>, NotUsed> eventsBySlices(String entityType,
      int minSlice, int maxSlice, Offset offset) {
    return javadsl.<Event>eventsBySlices(entityType, minSlice, maxSlice, offset).asScala();
  }

  @Override
  public <Event> Source<akka.persistence.query.typed.EventEnvelope<Event>, NotUsed> currentEventsBySlices(
      String entityType, int minSlice, int maxSlice, Offset offset) {
    return javadsl.<Event>currentEventsBySlices(entityType, minSlice, maxSlice, offset).asScala();
  }

  @Override
  public int sliceForPersistenceId(String persistenceId) {
    return persistence.sliceForPersistenceId(persistenceId);
  }

  @Override
  public Seq<Range> sliceRanges(int numberOfRanges) {
    return persistence.sliceRanges(numberOfRanges);
  }

  @Override
  public Source<EventEnvelope, NotUsed> eventsByPersistenceId(String persistenceId, long fromSequenceNr,
      long toSequenceNr) {
    return javadsl.eventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr).asScala();
  }

  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long fromSequenceNr,
      long toSequenceNr) {
    return javadsl.currentEventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr).asScala();
  }

  @Override
  public Source<String, NotUsed> persistenceIds() {
    return javadsl.persistenceIds().asScala();
  }

  @Override
  public Source<String, NotUsed> currentPersistenceIds() {
    return javadsl.currentPersistenceIds().asScala();
  }

  @Override
  public Source<EventEnvelope, NotUsed> eventsByTag(String tag, Offset offset) {
    return javadsl.eventsByTag(tag, offset).asScala();
  }

  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByTag(String tag, Offset offset) {
    return javadsl.currentEventsByTag(tag, offset).asScala();
  }
}
