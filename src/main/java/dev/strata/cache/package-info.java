/**
 * Internal: the block cache that SST readers share, bounded by bytes. It holds blocks as opaque
 * values keyed by (file, offset) and knows nothing of the SST format, so that the dependency runs
 * one way: {@code sst} uses {@code cache}. Not part of the public API.
 */
package dev.strata.cache;
