/**
 * Internal: the actor layer. The writer actor owns every state transition of a store; the
 * engine below it knows how to perform them and nothing of actors.
 */
package dev.strata.actor;
