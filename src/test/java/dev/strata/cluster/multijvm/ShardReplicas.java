package dev.strata.cluster.multijvm;

import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.cluster.replication.ShardStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The user data of every shard store a set of stopped nodes hold on disk
 * ({@code <data-directory>/<keyspace>/<shard>}), read offline and read-only: what each replica of
 * each shard holds (its user data, through the replication layer's {@link ShardStore}), the log
 * index it had applied, and a checksum of its contents.
 */
public final class ShardReplicas {
  /**
   * One replica: the node (a name for messages), the log index it had applied, its entries in key
   * order, and their CRC-32C.
   */
  public record Replica(String node, long appliedIndex, TreeMap<String, String> entries, long checksum) {}

  private ShardReplicas() {}

  /** Shard number -> its replicas on the nodes whose data directories {@code dataDirectories} maps by name. */
  public static Map<Integer, List<Replica>> read(Map<String, Path> dataDirectories, String keyspace, int shards)
      throws IOException {
    Map<Integer, List<Replica>> replicas = new TreeMap<>();
    for (Map.Entry<String, Path> node : dataDirectories.entrySet()) {
      Path keyspaceDir = node.getValue().resolve(keyspace);
      if (!Files.isDirectory(keyspaceDir)) {
        continue;
      }
      List<Path> shardDirs;
      try (Stream<Path> list = Files.list(keyspaceDir)) {
        shardDirs = list.filter(Files::isDirectory).filter(p -> p.getFileName().toString().matches("\\d+")).toList();
      }
      for (Path shardDir : shardDirs) {
        int shard = Integer.parseInt(shardDir.getFileName().toString());
        replicas.computeIfAbsent(shard, s -> new java.util.ArrayList<>()).add(replica(node.getKey(), shardDir,
            new ShardStore.Identity(keyspace, shards, shard)));
      }
    }
    return replicas;
  }

  private static Replica replica(String node, Path shardDir, ShardStore.Identity identity) {
    TreeMap<String, String> entries = new TreeMap<>();
    CRC32C crc = new CRC32C();
    try (Strata store = Strata.openReadOnly(shardDir)) {
      // An existing shard store is only read: its identity is checked, nothing is written.
      ShardStore shard = ShardStore.open(store, identity);
      try (StrataIterator it = shard.scan(Bound.unbounded(), Bound.unbounded())) {
        for (; it.isValid(); it.next()) {
          byte[] key = it.key();
          byte[] value = it.value();
          crc.update(java.nio.ByteBuffer.allocate(4).putInt(key.length).array());
          crc.update(key);
          crc.update(java.nio.ByteBuffer.allocate(4).putInt(value.length).array());
          crc.update(value);
          entries.put(new String(key, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8));
        }
      }
      return new Replica(node, shard.appliedIndex(), entries, crc.getValue());
    }
  }
}
