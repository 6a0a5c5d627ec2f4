/**
 * Internal: the sorted string table (SST), Strata's immutable on-disk file. A table is a run of
 * prefix-compressed data blocks followed by a bloom filter, a properties block, an index and a
 * fixed-size footer; each writer class documents its byte layout at its top, and
 * {@link dev.strata.sst.TableBuilder} documents the file as a whole. Not part of the public API.
 */
package dev.strata.sst;
