package dev.strata.akka.persistence;

import akka.dispatch.Futures;
import akka.persistence.AtomicWrite;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.Tagged;
import akka.persistence.journal.japi.AsyncWriteJournal;
import com.typesafe.config.Config;
import dev.strata.Bound;
import dev.strata.Limits;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import scala.concurrent.ExecutionContextExecutor;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Akka Persistence journal on a Strata store; enable it with
 * {@code akka.persistence.journal.plugin = "strata.persistence.journal"}.
 *
 * <p>Each {@code asyncWriteMessages} call is one Strata {@link WriteBatch} (one fsync with
 * {@code sync-writes}), or part of one: {@link JournalCommitter} numbers the events with the
 * store-wide ordering and commits the calls that queued meanwhile together. The batch holds each
 * event, its ordering log entry, a tag index entry per tag ({@code Tagged} payloads, as an
 * {@code EventSourcedBehavior} with a tagger writes them; the event is stored without the wrapper,
 * its tags beside it) and each persistence id's new highest sequence number, recovered all or
 * nothing. An AtomicWrite whose events cannot be serialized (or whose id, tags or values pass
 * Strata's limits) is rejected alone, before anything of it is written; a storage failure fails the
 * whole call, as Akka asks. A replay reads forward in pages of a short-lived iterator each; a delete
 * removes the events with their ordering and tag entries (tombstones) but keeps the highest sequence
 * number. Keys: {@link PersistenceKeys}; values: {@link JournalRecords}; queries: {@link StrataReadJournal}.
 *
 * <p>Every store call runs on the plugin's {@code plugin-dispatcher}, never on Akka's default
 * dispatcher nor on {@code strata.blocking-dispatcher} (a write waiting for a flush must not hold a
 * thread that the flush needs); the journal actor runs there too, and encodes the events itself.
 * Akka calls {@code asyncWriteMessages} in the order a persistent actor persists, and the committer
 * keeps that order.
 *
 * <p>An actor: its state is confined to it; the futures it starts share only the thread-safe store.
 */
public final class StrataJournal extends AsyncWriteJournal {
  /** Events deleted per write batch by a delete: bounds the batch, and the memory of its keys. */
  private static final int DELETE_BATCH = 4096;
  /** Events a replay reads per iterator. */
  private static final int REPLAY_PAGE = 1024;

  private final Strata store;
  private final PayloadSerialization serialization;
  /** Encodes events as their PersistentRepr's fields (format 3); used on the journal actor only. */
  private final PersistentReprFields fields;
  private final ExecutionContextExecutor blocking;
  private final JournalCommitter committer;

  public StrataJournal(Config config, String configPath) {
    PluginSettings settings = PluginSettings.fromConfig(config, configPath);
    this.store = settings.openStore(context().system());
    this.serialization = new PayloadSerialization(context().system());
    this.fields = new PersistentReprFields(serialization);
    this.blocking = context().system().dispatchers().lookup(settings.dispatcherId());
    this.committer = StoreSequencers.get(context().system()).journal(store, blocking);
  }

  /**
   * Encodes the AtomicWrites here, on the journal actor, so that they reach the committer in the
   * order Akka called: a persistent actor's pipelined writes ({@code persistAsync}) are numbered in
   * sequence number order.
   */
  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    List<Optional<Exception>> results = new ArrayList<>();
    List<JournalCommitter.PreparedWrite> prepared = new ArrayList<>();
    for (AtomicWrite write : messages) {
      try {
        prepared.add(prepare(write));
        results.add(Optional.empty());
      } catch (Exception e) {
        results.add(Optional.of(e));
      }
    }
    return FutureConverters.asScala(committer.commit(prepared).thenApply(done -> results));
  }

  /**
   * Encodes one AtomicWrite: its events without their {@code Tagged} wrapper, their tags beside
   * them. Throws, so that it is rejected alone, when an event cannot be serialized or a key or value
   * passes Strata's limits.
   */
  private JournalCommitter.PreparedWrite prepare(AtomicWrite write) throws Exception {
    String persistenceId = write.persistenceId();
    byte[] id = PersistenceKeys.persistenceIdBytes(persistenceId); // checks its length
    byte[] highestKey = PersistenceKeys.highestSequenceNr(persistenceId);
    List<JournalCommitter.EventWrite> events = new ArrayList<>(write.size());
    for (PersistentRepr event : CollectionConverters.asJava(write.payload())) {
      PersistentRepr untagged = event;
      List<byte[]> tagKeys = List.of();
      List<byte[]> tagBytes = List.of();
      if (event.payload() instanceof Tagged tagged) {
        untagged = event.withPayload(tagged.payload());
        List<String> tags = tagged.tags().size() == 1 ? List.of(tagged.tags().head())
            : List.copyOf(new TreeSet<>(CollectionConverters.asJava(tagged.tags())));
        tagKeys = new ArrayList<>(tags.size());
        tagBytes = new ArrayList<>(tags.size());
        for (String tag : tags) {
          tagKeys.add(PersistenceKeys.tag(tag, 0)); // checks its length; the drain numbers it
          tagBytes.add(Payload.shortStringBytes(tag, "tag"));
        }
      }
      byte[] key = PersistenceKeys.event(id, event.sequenceNr()); // checks the sequence number
      byte[] value = fields.encodes(untagged) ? JournalRecords.event(fields.encode(untagged, id), tagBytes)
          : JournalRecords.event(serialization.serialize(untagged), tagBytes);
      if (value.length > Limits.MAX_VALUE_BYTES) {
        throw new IllegalArgumentException("event " + event.sequenceNr() + " of '" + persistenceId + "' is "
            + value.length + " bytes serialized; Strata's value limit is " + Limits.MAX_VALUE_BYTES);
      }
      events.add(new JournalCommitter.EventWrite(event.sequenceNr(), key, value, tagKeys));
    }
    return new JournalCommitter.PreparedWrite(persistenceId, id, highestKey, write.highestSequenceNr(), events,
        store.get(highestKey) == null);
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return Futures.future(() -> {
      long to = Math.min(toSequenceNr, highestSequenceNr(persistenceId));
      if (to < 1) {
        return null;
      }
      try (StrataIterator it = store.scan(Bound.included(PersistenceKeys.event(persistenceId, 1)),
          Bound.included(PersistenceKeys.event(persistenceId, to)))) {
        WriteBatch batch = new WriteBatch();
        for (; it.isValid(); it.next()) {
          batch.delete(it.key());
          JournalRecords.Header header = JournalRecords.readHeader(it.value());
          if (header.ordering() > 0) {
            batch.delete(PersistenceKeys.ordering(header.ordering()));
            for (String tag : header.tags()) {
              batch.delete(PersistenceKeys.tag(tag, header.ordering()));
            }
          }
          if (batch.count() >= DELETE_BATCH) {
            store.write(batch); // oldest first: a crash part-way leaves a shorter prefix deleted
            batch = new WriteBatch();
          }
        }
        store.write(batch);
      }
      return null;
    }, blocking);
  }

  @Override
  public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
      Consumer<PersistentRepr> replayCallback) {
    return Futures.future(() -> {
      long from = Math.max(fromSequenceNr, 0);
      if (max <= 0 || toSequenceNr < from) {
        return null;
      }
      long replayed = 0;
      PersistentReprFields.WriterCache writers = new PersistentReprFields.WriterCache();
      Bound lower = Bound.included(PersistenceKeys.event(persistenceId, from));
      Bound upper = Bound.included(PersistenceKeys.event(persistenceId, toSequenceNr));
      while (replayed < max) {
        // A page per iterator: a long replay pins the store's files for one page at a time only.
        byte[] last = null;
        int page = 0;
        try (StrataIterator it = store.scan(lower, upper)) {
          for (; it.isValid() && replayed < max && page < REPLAY_PAGE; it.next()) {
            replayCallback.accept(JournalRecords.readEvent(it.value(), serialization, persistenceId, writers));
            last = it.key();
            replayed++;
            page++;
          }
        }
        if (page < REPLAY_PAGE) {
          break;
        }
        lower = Bound.excluded(last);
      }
      return null;
    }, blocking);
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return Futures.future(() -> highestSequenceNr(persistenceId), blocking);
  }

  private long highestSequenceNr(String persistenceId) {
    byte[] value = store.get(PersistenceKeys.highestSequenceNr(persistenceId));
    return value == null ? 0L : JournalRecords.readHighestSequenceNr(value);
  }
}
