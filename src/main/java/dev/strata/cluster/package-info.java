/**
 * A Strata keyspace spread over an Akka Cluster: {@link dev.strata.cluster.StrataCluster} and
 * {@link dev.strata.cluster.Keyspace}. Needs the optional {@code akka-cluster-sharding-typed}.
 */
package dev.strata.cluster;
