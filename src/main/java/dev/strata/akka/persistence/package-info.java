/**
 * Akka Persistence plugins on a Strata store: an event journal ({@link
 * dev.strata.akka.persistence.StrataJournal}), a snapshot store ({@link
 * dev.strata.akka.persistence.StrataSnapshotStore}) and a durable state store ({@link
 * dev.strata.akka.persistence.StrataDurableStateStoreProvider}), configured under
 * {@code strata.persistence} in {@code reference.conf}.
 *
 * <p>The plugins open their store by name through {@link dev.strata.akka.StrataExtension}, so the
 * journal, the snapshot store and the state store can share one store, which is closed at
 * {@code CoordinatedShutdown}. Key layout: {@link dev.strata.akka.persistence.PersistenceKeys}; value
 * formats: {@link dev.strata.akka.persistence.JournalRecords}, {@link
 * dev.strata.akka.persistence.SnapshotRecords}, {@link dev.strata.akka.persistence.StateRecords}.
 *
 * <p>A store on local disk is held by one process (its directory lock): these plugins serve one
 * node, not an Akka Cluster in which several nodes write the same persistence ids.
 *
 * <p>The classes are public because Akka instantiates them by name from configuration; only the
 * configuration keys, {@link dev.strata.akka.persistence.RevisionMismatchException} and the store
 * formats are meant for users.
 */
package dev.strata.akka.persistence;
