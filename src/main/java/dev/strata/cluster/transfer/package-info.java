/**
 * Internal: streaming a store's checkpoint between nodes, for the cluster's shard replicas
 * (catching up, moving). {@link dev.strata.cluster.transfer.CheckpointTransfer} is the entry
 * point: {@code offer} on the sending node gives a {@link akka.stream.SourceRef} to put in a
 * message, {@code receive} on the other node pulls, verifies and installs it, and hands back a
 * {@link dev.strata.cluster.transfer.TransferReport}. {@link dev.strata.cluster.transfer.CheckpointFrames}
 * documents the format on the wire. Needs akka-stream (and akka-remote across nodes), optional
 * dependencies of Strata.
 */
package dev.strata.cluster.transfer;
