/**
 * Internal: the Akka wiring of a cluster keyspace (sharded leader entities, replica hosts, the
 * placement coordinator, the protocol and its serializer). Nothing here imports
 * {@code dev.strata.cluster}.
 */
package dev.strata.cluster.sharding;
