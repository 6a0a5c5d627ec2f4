/**
 * Internal: the write-ahead log. Every committed write is one record in the WAL of the memtable
 * it went to, so a crash loses nothing acknowledged; a WAL is deleted once its memtable is an
 * SST recorded in the manifest.
 */
package dev.strata.wal;
