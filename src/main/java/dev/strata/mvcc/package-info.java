/**
 * Multi-version concurrency control: the sequence number in every internal key is the version
 * (timestamp) of the write; a write batch or a transaction commits all its writes in one WAL
 * record at consecutive sequences, published together. Snapshots and transactions read at a
 * fixed sequence and register it in the {@link dev.strata.mvcc.SnapshotRegistry}, whose smallest
 * entry, the watermark, tells compaction which old versions it may drop. Transactions keep their
 * writes private in a {@link dev.strata.mvcc.WriteSet} until commit, where they are validated
 * ({@link dev.strata.mvcc.Validation}) and applied in one step under the commit lock.
 */
package dev.strata.mvcc;
