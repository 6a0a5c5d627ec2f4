/**
 * Internal: the storage core of one store, with no actor in it. {@link
 * dev.strata.engine.StoreEngine} holds the write path (commit lock, sequence numbers, memtable
 * inserts), the read path over the published read state, MVCC and stats; {@link
 * dev.strata.engine.VersionSet} the store's versions (manifest, file numbers, published state,
 * compaction planning) and {@link dev.strata.engine.WalSet} its WALs. The state transitions
 * (rotation, flush and compaction installation, WAL sync and close) are reachable only through
 * {@link dev.strata.engine.WriterControl}, which the writer actor alone holds. The actor layer
 * decides when; this package knows how. A store opened read-only
 * ({@link dev.strata.engine.StoreEngine#openReadOnly}) has no writer side at all: it reads its
 * directory once ({@link dev.strata.engine.ReadOnlyRecovery}) and never changes a file.
 */
package dev.strata.engine;
