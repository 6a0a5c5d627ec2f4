/**
 * Internal: the record log, the one append-only file format behind both the write-ahead log and
 * the manifest. {@link dev.strata.log.LogWriter} documents the format byte by byte;
 * {@link dev.strata.log.LogReader} documents how it tells a clean end from a torn tail (dropped)
 * and from corruption (reported). Not part of the public API.
 */
package dev.strata.log;
