/**
 * Internal: the memtable, a concurrent skip list of internal entries where every write lands
 * first. Not part of the public API.
 */
package dev.strata.memtable;
