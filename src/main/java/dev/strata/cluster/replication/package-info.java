/**
 * Internal: the replication protocol of one shard of a cluster keyspace, in pure Java (no Akka,
 * no threads, no clocks). {@link dev.strata.cluster.replication.Replica} is the state machine of
 * one replica: the host feeds it inputs (client writes and reads, protocol messages, timer ticks)
 * and carries out the {@link dev.strata.cluster.replication.Output}s it returns. Its durable state
 * lives behind {@link dev.strata.cluster.replication.ReplicaStorage}, which
 * {@link dev.strata.cluster.replication.ShardStore} implements inside one Strata store. Nothing
 * here may import Akka or {@code dev.strata.cluster}: the Akka wiring sits above it.
 */
package dev.strata.cluster.replication;
