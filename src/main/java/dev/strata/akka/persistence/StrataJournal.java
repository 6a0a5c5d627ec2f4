package dev.strata.akka.persistence;

import akka.dispatch.Futures;
import akka.persistence.AtomicWrite;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.Tagged;
import akka.persistence.journal.japi.AsyncWriteJournal;
import com.typesafe.config.Config;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Akka Persistence journal on a Strata store; enable it with
 * {@code akka.persistence.journal.plugin = "strata.persistence.journal"}.
 *
 * <p>Each {@link AtomicWrite} is one Strata {@link WriteBatch}: its events and the persistence id's
 * new highest sequence number, recovered all or nothing. An AtomicWrite whose events cannot be
 * serialized (or whose id or values pass Strata's limits) is rejected alone, before anything of it is
 * written; a storage failure fails the whole call, as Akka asks. Events are replayed by one forward
 * scan; a delete removes the events (tombstones) but keeps the highest sequence number. Keys:
 * {@link PersistenceKeys}; values: {@link JournalRecords}. Tags ({@code Tagged} payloads, as an
 * {@code EventSourcedBehavior} with tags writes them) are dropped and the bare event is stored: there
 * is no tag index, as there is no Persistence Query read journal.
 *
 * <p>Every store call runs on the plugin's {@code plugin-dispatcher}, never on Akka's default
 * dispatcher nor on {@code strata.blocking-dispatcher} (a write waiting for a flush must not hold a
 * thread that the flush needs). Akka sends one persistent actor's writes one call at a time, so
 * writes of one persistence id never race each other here.
 *
 * <p>An actor: its state is confined to it; the futures it starts share only the thread-safe store.
 */
public final class StrataJournal extends AsyncWriteJournal {
  /** Events deleted per write batch by a delete: bounds the batch, and the memory of its keys. */
  private static final int DELETE_BATCH = 4096;

  private final Strata store;
  private final PayloadSerialization serialization;
  private final ExecutionContext blocking;

  public StrataJournal(Config config, String configPath) {
    PluginSettings settings = PluginSettings.fromConfig(config, configPath);
    this.store = settings.openStore(context().system());
    this.serialization = new PayloadSerialization(context().system());
    this.blocking = context().system().dispatchers().lookup(settings.dispatcherId());
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    return Futures.future(() -> {
      List<Optional<Exception>> results = new ArrayList<>();
      for (AtomicWrite write : messages) {
        results.add(write(write));
      }
      return results;
    }, blocking);
  }

  /** Writes one AtomicWrite as one batch; a rejection when it cannot be encoded, a throw when the store fails. */
  private Optional<Exception> write(AtomicWrite write) {
    WriteBatch batch = new WriteBatch();
    try {
      String persistenceId = write.persistenceId();
      for (PersistentRepr event : CollectionConverters.asJava(write.payload())) {
        PersistentRepr untagged = event.payload() instanceof Tagged tagged ? event.withPayload(tagged.payload()) : event;
        batch.put(PersistenceKeys.event(persistenceId, event.sequenceNr()),
            JournalRecords.event(serialization.serialize(untagged)));
      }
      batch.put(PersistenceKeys.highestSequenceNr(persistenceId),
          JournalRecords.highestSequenceNr(write.highestSequenceNr()));
    } catch (Exception e) {
      return Optional.of(e);
    }
    store.write(batch);
    return Optional.empty();
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
          if (batch.count() == DELETE_BATCH) {
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
      try (StrataIterator it = store.scan(Bound.included(PersistenceKeys.event(persistenceId, from)),
          Bound.included(PersistenceKeys.event(persistenceId, toSequenceNr)))) {
        for (; it.isValid() && replayed < max; it.next()) {
          replayCallback.accept(JournalRecords.readEvent(it.value(), serialization));
          replayed++;
        }
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
