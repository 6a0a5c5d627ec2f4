/**
 * Internal: the iterator interface every layer implements, and the iterators that compose
 * layers (merge over sources, concatenation over a level, the user-facing view that hides
 * versions and tombstones). Not part of the public API.
 */
package dev.strata.iterator;
