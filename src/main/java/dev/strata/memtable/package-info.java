/**
 * Internal: the memtable, a skip list of internal entries in byte-array chunks (one writer, any
 * number of lock-free readers) where every write lands first. An entry past the largest one is
 * linked after the last node of each level without a walk, so sequential keys insert in constant
 * time. Not part of the public API.
 */
package dev.strata.memtable;
