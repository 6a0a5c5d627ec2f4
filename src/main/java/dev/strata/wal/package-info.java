/**
 * Internal: the write-ahead log. Every committed write is one record in the WAL of the memtable
 * it went to, so a crash loses nothing acknowledged; a WAL is deleted once its memtable is an
 * SST recorded in the manifest. At recovery {@link dev.strata.wal.WalReplay} reads one back and
 * says where and why it stopped; the engine decides by the store's WalRecoveryMode and the WAL's
 * sync point in the manifest, and keeps a WAL it did not replay whole in {@code lost/}.
 */
package dev.strata.wal;
