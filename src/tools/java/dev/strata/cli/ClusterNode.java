package dev.strata.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.UniqueAddress;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.cluster.Keyspace;
import dev.strata.cluster.StrataCluster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One cluster node in a JVM of its own, started by {@link LocalCluster}: an ActorSystem that
 * joins the cluster that its configuration file names (port, seed nodes, roles, data directory)
 * starts every keyspace configured under {@code strata.cluster.keyspaces} on this node, and
 * reports its view of the members.
 *
 * <p>It reports on stdout, one flushed line each:
 * <pre>
 * view up=&lt;port&gt;,&lt;port&gt;... unreachable=&lt;port&gt;,...   its view of the members after every change
 * ready                                                 it is Up and serves its keyspaces
 * bench-result ...                                      the answer to a bench command ({@link ClusterBenchLoad.Result})
 * error ...                                             a command it could not run
 * </pre>
 *
 * <p>It reads commands from stdin ({@link #serveCommands}) and exits when stdin ends, so that a
 * parent that dies (a killed test or bench) leaves no node behind; the parent ends it with
 * SIGKILL otherwise.
 *
 * <p>Usage: {@code ClusterNode <actor system name> <configuration file>}.
 */
public final class ClusterNode {
  private ClusterNode() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: ClusterNode <actor system name> <configuration file>");
      System.exit(Main.EXIT_USAGE);
    }
    Config config = ConfigFactory.load(ConfigFactory.parseFile(Path.of(args[1]).toFile()));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(context -> {
      context.spawn(MembershipPrinter.create(ClusterNode::print), "membership-printer");
      return Behaviors.empty();
    }), args[0], config);
    Cluster.get(system).subscriptions().tell(new Subscribe<>(
        system.systemActorOf(Behaviors.<SelfUp>receiveMessage(up -> {
          try {
            startKeyspaces(system);
            print("ready");
          } catch (RuntimeException e) {
            // A keyspace this build cannot serve (say, a replication factor it refuses): say why and stop.
            System.err.println("cannot start the keyspaces: " + e);
            System.err.flush();
            Runtime.getRuntime().halt(Main.EXIT_FAILURE);
          }
          return Behaviors.stopped();
        }), "ready-on-self-up", akka.actor.typed.Props.empty()), SelfUp.class));
    serveCommands(system, System.in);
  }

  /** Starts on this node every keyspace configured under {@code strata.cluster.keyspaces}. */
  private static void startKeyspaces(ActorSystem<?> system) {
    Config keyspaces = system.settings().config().getConfig("strata.cluster.keyspaces");
    for (String name : new java.util.TreeSet<>(keyspaces.root().keySet())) {
      StrataCluster.get(system).keyspace(name);
    }
  }

  /**
   * Serves the parent's commands, one a line, until stdin ends (the parent is gone), then halts:
   * {@code bench <put|get> <ops> <concurrency> <keys> <value bytes> <seed>} runs
   * {@link ClusterBenchLoad} from this node against its first keyspace and prints its
   * {@code bench-result} line.
   */
  private static void serveCommands(ActorSystem<?> system, InputStream in) {
    try (java.io.BufferedReader lines = new java.io.BufferedReader(
        new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String[] f = line.trim().split(" ");
        try {
          if (f.length == 7 && f[0].equals("bench")) {
            print(ClusterBenchLoad.run(keyspaceTarget(system), f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                Integer.parseInt(f[4]), Integer.parseInt(f[5]), Long.parseLong(f[6])).line());
          } else {
            print("error unknown command: " + line);
          }
        } catch (RuntimeException e) {
          print("error " + line + ": " + e);
        }
      }
    } catch (IOException e) {
      // The pipe broke: the parent is gone.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().halt(0);
  }

  private static ClusterBenchLoad.Target keyspaceTarget(ActorSystem<?> system) {
    String first = new java.util.TreeSet<>(
        system.settings().config().getConfig("strata.cluster.keyspaces").root().keySet()).first();
    Keyspace keyspace = StrataCluster.get(system).keyspace(first);
    return new ClusterBenchLoad.Target() {
      @Override
      public java.util.concurrent.CompletionStage<?> put(byte[] key, byte[] value) {
        return keyspace.put(key, value);
      }

      @Override
      public java.util.concurrent.CompletionStage<?> get(byte[] key) {
        return keyspace.get(key);
      }
    };
  }

  private static synchronized void print(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** Prints this node's view of the members ({@code view ...} lines) after every membership or reachability change. */
  static final class MembershipPrinter {
    private MembershipPrinter() {}

    static Behavior<ClusterEvent.ClusterDomainEvent> create(Consumer<String> out) {
      return Behaviors.setup(context -> {
        Cluster.get(context.getSystem()).subscriptions().tell(
            new Subscribe<>(context.getSelf(), ClusterEvent.ClusterDomainEvent.class));
        // By unique address: a restarted node comes back on the same port as another incarnation.
        Set<UniqueAddress> up = new HashSet<>();
        Set<UniqueAddress> unreachable = new HashSet<>();
        return Behaviors.receiveMessage(event -> {
          boolean changed = true;
          if (event instanceof ClusterEvent.MemberUp e) {
            up.add(e.member().uniqueAddress());
          } else if (event instanceof ClusterEvent.MemberRemoved e) {
            up.remove(e.member().uniqueAddress());
            unreachable.remove(e.member().uniqueAddress());
          } else if (event instanceof ClusterEvent.MemberExited e) {
            up.remove(e.member().uniqueAddress());
          } else if (event instanceof ClusterEvent.MemberDowned e) {
            up.remove(e.member().uniqueAddress());
          } else if (event instanceof ClusterEvent.UnreachableMember e) {
            unreachable.add(e.member().uniqueAddress());
          } else if (event instanceof ClusterEvent.ReachableMember e) {
            unreachable.remove(e.member().uniqueAddress());
          } else {
            changed = false;
          }
          if (changed) {
            out.accept("view up=" + join(up) + " unreachable=" + join(unreachable));
          }
          return Behaviors.same();
        });
      });
    }

    private static String join(Set<UniqueAddress> members) {
      StringBuilder s = new StringBuilder();
      members.stream().map(m -> (Integer) m.address().port().get()).sorted()
          .forEach(port -> s.append(s.length() == 0 ? "" : ",").append(port));
      return s.toString();
    }
  }
}
