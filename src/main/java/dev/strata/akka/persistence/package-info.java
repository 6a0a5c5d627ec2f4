/**
 * Akka Persistence plugins on a Strata store: an event journal ({@link
 * dev.strata.akka.persistence.StrataJournal}), a snapshot store ({@link
 * dev.strata.akka.persistence.StrataSnapshotStore}), a durable state store ({@link
 * dev.strata.akka.persistence.StrataDurableStateStoreProvider}, with its queries) and a Persistence
 * Query read journal ({@link dev.strata.akka.persistence.StrataReadJournal}, plugin id
 * {@code strata.persistence.query}), configured under {@code strata.persistence} in
 * {@code reference.conf}.
 *
 * <p>Events and durable state changes carry store-wide orderings, the {@code Sequence} offsets of
 * the queries: {@link dev.strata.akka.persistence.JournalCommitter} and {@link
 * dev.strata.akka.persistence.StateSequencer}, one of each per store ({@link
 * dev.strata.akka.persistence.StoreSequencers}), commit in ordering order and wake the live queries
 * ({@link dev.strata.akka.persistence.CommitSignal}).
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
 * configuration keys, the query APIs ({@link dev.strata.akka.persistence.StrataReadJournal}, {@link
 * dev.strata.akka.persistence.StrataScalaReadJournal}, {@link
 * dev.strata.akka.persistence.StrataDurableStateStore}), {@link
 * dev.strata.akka.persistence.RevisionMismatchException} and the store formats are meant for users.
 */
package dev.strata.akka.persistence;
