package dev.strata.akka.persistence;

import akka.dispatch.Futures;
import akka.persistence.SelectedSnapshot;
import akka.persistence.SnapshotMetadata;
import akka.persistence.SnapshotSelectionCriteria;
import akka.persistence.snapshot.japi.SnapshotStore;
import com.typesafe.config.Config;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.WriteBatch;
import java.util.Optional;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.OptionConverters;

/**
 * Akka Persistence snapshot store on a Strata store; enable it with
 * {@code akka.persistence.snapshot-store.plugin = "strata.persistence.snapshot-store"}.
 *
 * <p>One record per (persistence id, sequence number): saving again at the same sequence number
 * replaces the snapshot. Keys sort newest first ({@link PersistenceKeys}), so loading the latest
 * snapshot that matches a {@link SnapshotSelectionCriteria} is one forward scan over the criteria's
 * sequence range that stops at the first record whose timestamp matches too. The snapshot and its
 * optional metadata are serialized with Akka serialization ({@link SnapshotRecords}), so the
 * serialized snapshot must stay within Strata's 16 MiB value limit.
 *
 * <p>Every store call runs on the plugin's {@code plugin-dispatcher}. An actor: its state is
 * confined to it; the futures it starts share only the thread-safe store.
 */
public final class StrataSnapshotStore extends SnapshotStore {
  private final Strata store;
  private final PayloadSerialization serialization;
  private final ExecutionContext blocking;

  public StrataSnapshotStore(Config config, String configPath) {
    PluginSettings settings = PluginSettings.fromConfig(config, configPath);
    this.store = settings.openStore(context().system());
    this.serialization = new PayloadSerialization(context().system());
    this.blocking = context().system().dispatchers().lookup(settings.dispatcherId());
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return Futures.future(() -> {
      if (criteria.maxSequenceNr() < criteria.minSequenceNr() || criteria.maxSequenceNr() < 0) {
        return Optional.empty();
      }
      try (StrataIterator it = scan(persistenceId, criteria)) {
        for (; it.isValid(); it.next()) {
          if (matchesTimestamp(SnapshotRecords.timestamp(it.value()), criteria)) {
            return Optional.of(select(persistenceId, PersistenceKeys.snapshotSequenceNr(it.key()), it.value()));
          }
        }
      }
      return Optional.empty();
    }, blocking);
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    return Futures.future(() -> {
      Optional<Payload> meta = metadata.metadata().isDefined()
          ? Optional.of(serialization.serialize(metadata.metadata().get()))
          : Optional.empty();
      byte[] value = SnapshotRecords.encode(metadata.timestamp(), meta, serialization.serialize(snapshot));
      store.put(PersistenceKeys.snapshot(metadata.persistenceId(), metadata.sequenceNr()), value);
      return null;
    }, blocking);
  }

  /** Deletes the snapshot at the metadata's persistence id and sequence number, whatever its timestamp. */
  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    return Futures.future(() -> {
      store.delete(PersistenceKeys.snapshot(metadata.persistenceId(), metadata.sequenceNr()));
      return null;
    }, blocking);
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return Futures.future(() -> {
      if (criteria.maxSequenceNr() < criteria.minSequenceNr() || criteria.maxSequenceNr() < 0) {
        return null;
      }
      WriteBatch batch = new WriteBatch();
      try (StrataIterator it = scan(persistenceId, criteria)) {
        for (; it.isValid(); it.next()) {
          if (matchesTimestamp(SnapshotRecords.timestamp(it.value()), criteria)) {
            batch.delete(it.key());
          }
        }
      }
      store.write(batch);
      return null;
    }, blocking);
  }

  /** The id's snapshots within the criteria's sequence numbers, newest first. */
  private StrataIterator scan(String persistenceId, SnapshotSelectionCriteria criteria) {
    return store.scan(Bound.included(PersistenceKeys.snapshot(persistenceId, criteria.maxSequenceNr())),
        Bound.included(PersistenceKeys.snapshot(persistenceId, Math.max(criteria.minSequenceNr(), 0))));
  }

  private static boolean matchesTimestamp(long timestamp, SnapshotSelectionCriteria criteria) {
    return timestamp >= criteria.minTimestamp() && timestamp <= criteria.maxTimestamp();
  }

  private SelectedSnapshot select(String persistenceId, long sequenceNr, byte[] value) {
    SnapshotRecords.Decoded record = SnapshotRecords.decode(value);
    scala.Option<Object> meta = OptionConverters.toScala(record.metadata().map(serialization::deserialize));
    SnapshotMetadata metadata = new SnapshotMetadata(persistenceId, sequenceNr, record.timestamp(), meta);
    return new SelectedSnapshot(metadata, serialization.deserialize(record.snapshot()));
  }
}
