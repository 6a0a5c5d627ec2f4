package dev.strata.cluster.sharding;

import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * One Akka shard per keyspace shard: the entity id is the shard number, and so is the Akka shard
 * id, so that {@code ExternalShardAllocationStrategy} places each keyspace shard on its own.
 * Stateless and thread-safe.
 */
final class ShardNumberExtractor<M> extends ShardingMessageExtractor<ShardingEnvelope<M>, M> {
  @Override
  public String entityId(ShardingEnvelope<M> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return entityId;
  }

  @Override
  public M unwrapMessage(ShardingEnvelope<M> envelope) {
    return envelope.message();
  }
}
