/**
 * Internal: the block cache that SST readers share, bounded by bytes. Not part of the public API.
 */
package dev.strata.cache;
