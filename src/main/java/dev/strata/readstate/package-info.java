/**
 * Internal: the immutable, reference-counted picture of the store that reads consult without
 * ever touching the writer actor, and the cell through which the actor publishes it.
 */
package dev.strata.readstate;
