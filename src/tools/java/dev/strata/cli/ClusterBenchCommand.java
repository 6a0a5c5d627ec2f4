package dev.strata.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * {@code strata bench cluster}: the cost of the cluster keyspace per operation. The same
 * closed-loop load ({@link ClusterBenchLoad}: puts, then gets of the keys written) runs against
 * one embedded store in this JVM, then against a keyspace on 1, 3 and 5 local nodes, each a JVM
 * of its own ({@link LocalCluster}), at each replication factor asked for; on a cluster the load
 * runs in node 0, an application node like any other, so that each operation takes the path an
 * application's would (to the shard's leader, on whichever node, and on to its replicas). Prints
 * one table: throughput and p50/p99 latency of puts and of gets per setup.
 *
 * <p>Not thread-safe: one run at a time.
 */
final class ClusterBenchCommand {
  static final String NAME = "cluster";
  private static final Duration NODE_WAIT = Duration.ofMinutes(3);

  /** The parsed command line; {@code dir} may be null (a temporary directory). */
  record Config(List<Integer> nodes, List<Integer> replicationFactors, int ops, int concurrency, int keys,
      int valueBytes, int shards, boolean sync, Path dir) {}

  /** One line of the table. */
  record Row(String setup, ClusterBenchLoad.Result put, ClusterBenchLoad.Result get, String note) {}

  private ClusterBenchCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(Usage.BENCH_CLUSTER);
      return Main.EXIT_OK;
    }
    Config config;
    Path dir = null;
    try {
      config = parse(args);
      dir = BenchCommand.prepareDirectory(config.dir());
    } catch (UsageException e) {
      err.println("strata bench cluster: " + e.getMessage());
      err.println();
      err.print(Usage.BENCH_CLUSTER);
      return Main.EXIT_USAGE;
    } catch (java.io.IOException e) {
      err.println("strata bench cluster: cannot prepare the directory: " + e);
      return Main.EXIT_FAILURE;
    }
    try {
      out.printf(Locale.ROOT, "strata bench cluster: %,d puts then %,d gets per setup, %d clients, %d-byte values, "
              + "%,d keys, %d shards, sync-writes %s%n", config.ops(), config.ops(), config.concurrency(),
          config.valueBytes(), config.keys(), config.shards(), config.sync() ? "on" : "off");
      out.flush();
      List<Row> rows = new ArrayList<>();
      rows.add(embedded(config, dir.resolve("embedded"), out));
      for (int rf : config.replicationFactors()) {
        for (int nodes : config.nodes()) {
          if (rf > nodes) {
            continue;
          }
          rows.add(cluster(config, nodes, rf, dir.resolve("cluster-" + nodes + "-rf" + rf), out));
        }
      }
      out.println();
      out.print(table(rows));
      return rows.stream().anyMatch(r -> r.put() == null) ? Main.EXIT_FAILURE : Main.EXIT_OK;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("strata bench cluster: interrupted");
      return Main.EXIT_FAILURE;
    } catch (Exception e) {
      err.println("strata bench cluster: failed: " + e);
      e.printStackTrace(err);
      return Main.EXIT_FAILURE;
    } finally {
      out.flush();
      if (config.dir() == null) {
        BenchCommand.deleteTemporary(dir, err);
      }
    }
  }

  static Config parse(List<String> args) throws UsageException {
    List<Integer> nodes = List.of(1, 3, 5);
    List<Integer> rfs = List.of(1, 3);
    int ops = 20_000;
    int concurrency = 16;
    int keys = 10_000;
    int valueBytes = 100;
    int shards = 16;
    boolean sync = false;
    Path dir = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int eq = arg.indexOf('=');
      String option = eq >= 0 ? arg.substring(0, eq) : arg;
      switch (option) {
        case "--sync" -> sync = true;
        case "--no-sync" -> sync = false;
        case "--nodes", "--replication", "--ops", "--concurrency", "--keys", "--value-size", "--shards", "--dir" -> {
          String value = ArgParsing.optionValue(args, i, option, eq);
          if (eq < 0) {
            i++;
          }
          switch (option) {
            case "--nodes" -> nodes = intList(option, value, 1, 9);
            case "--replication" -> rfs = intList(option, value, 1, 9);
            case "--ops" -> ops = ArgParsing.parseInt(option, value, 1, 100_000_000);
            case "--concurrency" -> concurrency = ArgParsing.parseInt(option, value, 1, 1024);
            case "--keys" -> keys = ArgParsing.parseInt(option, value, 1, 100_000_000);
            case "--value-size" -> valueBytes = (int) ArgParsing.parseBytes(option, value, 0, 1 << 20);
            case "--shards" -> shards = ArgParsing.parseInt(option, value, 1, 4096);
            default -> dir = Path.of(value);
          }
        }
        default -> throw new UsageException("unknown option " + arg);
      }
    }
    return new Config(nodes, rfs, ops, concurrency, keys, valueBytes, shards, sync, dir);
  }

  private static List<Integer> intList(String option, String text, int min, int max) throws UsageException {
    List<Integer> values = new ArrayList<>();
    for (String part : text.split(",")) {
      int value = ArgParsing.parseInt(option, part, min, max);
      if (values.contains(value)) {
        throw new UsageException(option + ": " + value + " is listed twice in '" + text + "'");
      }
      values.add(value);
    }
    return values;
  }

  /** The load against one store in this JVM, through its asynchronous put and its get. */
  private static Row embedded(Config config, Path dir, PrintStream out) throws Exception {
    out.println("embedded store ...");
    out.flush();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "strata-bench-cluster",
        ConfigFactory.parseString("akka.loglevel = WARNING").withFallback(ConfigFactory.load()));
    try (Strata store = Strata.open(system, dir, StrataOptions.defaults().toBuilder().syncWrites(config.sync()).build())) {
      ClusterBenchLoad.Target target = new ClusterBenchLoad.Target() {
        @Override
        public java.util.concurrent.CompletionStage<?> put(byte[] key, byte[] value) {
          return store.putAsync(key, value);
        }

        @Override
        public java.util.concurrent.CompletionStage<?> get(byte[] key) {
          return CompletableFuture.completedFuture(store.get(key));
        }
      };
      ClusterBenchLoad.Result put = ClusterBenchLoad.run(target, "put", config.ops(), config.concurrency(),
          config.keys(), config.valueBytes(), 1);
      ClusterBenchLoad.Result get = ClusterBenchLoad.run(target, "get", config.ops(), config.concurrency(),
          config.keys(), config.valueBytes(), 2);
      return new Row("embedded store", put, get, "");
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  /** The load from node 0 of a keyspace on {@code nodes} local nodes at replication factor {@code rf}. */
  private static Row cluster(Config config, int nodes, int rf, Path dir, PrintStream out) throws Exception {
    String setup = nodes + (nodes == 1 ? " node, " : " nodes, ") + "RF " + rf;
    out.println(setup + " ...");
    out.flush();
    String nodeConfig = """
        akka.cluster.min-nr-of-members = %d
        strata.cluster.ask-timeout = 30 s
        strata.jmx-enabled = off
        strata.cluster.keyspaces.bench { shards = %d, replication-factor = %d, sync-writes = %s }
        """.formatted(nodes, config.shards(), rf, config.sync() ? "on" : "off");
    try (LocalCluster cluster = new LocalCluster(dir, nodes, nodeConfig,
        List.of("-Xmx512m", "-XX:+UseParallelGC"))) {
      cluster.startAll();
      cluster.awaitAllMembers(false, NODE_WAIT);
      Duration timeout = Duration.ofMinutes(30);
      ClusterBenchLoad.Result put = ClusterBenchLoad.Result.parse(cluster.request(0, command("put", config, 1), timeout));
      ClusterBenchLoad.Result get = ClusterBenchLoad.Result.parse(cluster.request(0, command("get", config, 2), timeout));
      return new Row(setup, put, get, "");
    } catch (IllegalStateException e) {
      out.println(setup + " failed: " + e.getMessage());
      return new Row(setup, null, null, e.getMessage());
    }
  }

  private static String command(String op, Config config, long seed) {
    return "bench " + op + " " + config.ops() + " " + config.concurrency() + " " + config.keys() + " "
        + config.valueBytes() + " " + seed;
  }

  /** The rows as a table: operations per second, p50 and p99 latency of puts and gets. */
  static String table(List<Row> rows) {
    StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-18s %10s %9s %9s %10s %9s %9s %s%n",
        "setup", "put/s", "put p50", "put p99", "get/s", "get p50", "get p99", "failed"));
    for (Row row : rows) {
      if (row.put() == null) {
        text.append(String.format(Locale.ROOT, "%-18s failed: %s%n", row.setup(), row.note()));
        continue;
      }
      text.append(String.format(Locale.ROOT, "%-18s %10.0f %9s %9s %10.0f %9s %9s %d%n", row.setup(),
          row.put().opsPerSecond(), micros(row.put().p50Nanos()), micros(row.put().p99Nanos()),
          row.get().opsPerSecond(), micros(row.get().p50Nanos()), micros(row.get().p99Nanos()),
          row.put().failures() + row.get().failures()));
    }
    return text.toString();
  }

  private static String micros(long nanos) {
    return nanos >= 10_000_000 ? String.format(Locale.ROOT, "%d ms", nanos / 1_000_000)
        : String.format(Locale.ROOT, "%d us", nanos / 1_000);
  }
}
