/**
 * Internal: the iterator type every layer extends, and the iterators that compose layers (merge
 * over sources, concatenation over a level, the user-facing view that hides versions and
 * tombstones). Not part of the public API.
 *
 * <p>Shaped for the JIT, because a scan spends its time in these calls. {@link
 * dev.strata.iterator.InternalIterator} is an abstract class, so a merge's calls into its
 * children (three classes) go through the vtable rather than an itable search. Each composing
 * iterator spells out its own accessors: one inherited forwarding body would carry a single
 * type profile for every layer and be inlined into none. The merge keeps each child's key and
 * trailer in arrays and compares a child that moved with the cached runner-up before sifting.
 */
package dev.strata.iterator;
