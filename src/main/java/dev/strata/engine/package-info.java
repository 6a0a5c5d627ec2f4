/**
 * Internal: the storage core of one store, with no actor in it. {@link
 * dev.strata.engine.StoreEngine} holds the write path (commit lock, sequence numbers, memtable
 * inserts), the read path over the published read state, and the state transitions (rotation,
 * flush installation) that only the writer actor may call. The actor layer decides when; this
 * package knows how.
 */
package dev.strata.engine;
