/**
 * Internal: the manifest, the store's edit log of which SSTs make up each level and which WALs
 * still hold unflushed writes. Records are deltas; the state is their fold. Only the writer
 * actor appends to it.
 */
package dev.strata.manifest;
