package dev.strata.akka;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Strata's Akka extension: one per {@code ActorSystem}, it opens the stores the application's
 * config names and hands every caller of a name the same instance.
 *
 * <pre>{@code
 * strata.stores.orders {
 *   directory = "data/orders"
 *   memtable-size = 16 MiB          # any key of the strata block; the rest come from it
 * }
 * Strata orders = StrataExtension.get(system).open("orders");
 * ActorRef<StrataCommand> ordersRef = StrataExtension.get(system).actorRef("orders"); // the same store, by message
 * }</pre>
 *
 * <p>A named store is opened with {@code Strata.open(system, dir, options)}, so, like every store
 * opened in the system, it closes itself when the system shuts down: in a
 * {@code CoordinatedShutdown} task of its own in phase {@code before-actor-system-terminate}
 * (while the writers can still answer), on a thread of its own. The stores close in parallel
 * within the phase's timeout
 * ({@code akka.coordinated-shutdown.phases.before-actor-system-terminate.timeout}, 5 s by
 * default): a store with the WAL off flushes its memtables as it closes, which may need a longer
 * one. Thread-safe.
 */
public final class StrataExtension implements Extension {
  /** The extension's id; {@link #getInstance()} lets {@code akka.actor.typed.extensions} load it. */
  public static final class Id extends ExtensionId<StrataExtension> {
    private static final Id INSTANCE = new Id();

    private Id() {}

    public static Id getInstance() {
      return INSTANCE;
    }

    @Override
    public StrataExtension createExtension(ActorSystem<?> system) {
      return new StrataExtension(system);
    }
  }

  private final ActorSystem<?> system;
  /** Written under this object's lock; concurrent because the per-name actors read it on every command. */
  private final Map<String, Strata> named = new ConcurrentHashMap<>();
  private final Map<String, ActorRef<StrataCommand>> actors = new HashMap<>();

  private StrataExtension(ActorSystem<?> system) {
    this.system = system;
  }

  /** The extension of {@code system}, created on first use. */
  public static StrataExtension get(ActorSystem<?> system) {
    return Id.getInstance().apply(system);
  }

  /**
   * The store configured under {@code strata.stores.<name>}: opened on the first call, the same
   * instance on every later one (until it is closed). The block needs {@code directory}; every
   * other key falls back to the system's {@code strata} block.
   */
  public synchronized Strata open(String name) {
    // Checked here, before the store's directory is opened, so that the error names the store.
    if (CoordinatedShutdown.get(system).getShutdownReason().isPresent()) {
      throw new IllegalStateException("the actor system is shutting down: store '" + name + "' cannot be opened");
    }
    Strata existing = named.get(name);
    if (existing != null && !existing.isClosed()) {
      return existing;
    }
    Config config = system.settings().config();
    String path = "strata.stores." + name;
    if (!config.hasPath(path)) {
      throw new IllegalArgumentException("no store named '" + name + "': add a '" + path
          + "' block with at least a directory to the configuration");
    }
    if (config.getValue(path).valueType() != ConfigValueType.OBJECT) {
      throw new IllegalArgumentException(path + " must be a block, e.g. " + path
          + " { directory = \"data/" + name + "\" }; it is a " + config.getValue(path).valueType());
    }
    Config block = config.getConfig(path);
    if (!block.hasPath("directory")) {
      throw new IllegalArgumentException(path + ".directory is missing: it says where the store lives");
    }
    StrataOptions options;
    Path directory;
    try {
      options = StrataOptions.fromConfig(block.withFallback(config.getConfig("strata")));
      directory = Path.of(block.getString("directory"));
    } catch (ConfigException | IllegalArgumentException e) {
      // Name the store: the option's own message says only which key is wrong, not in which block.
      throw new IllegalArgumentException("store '" + name + "' (" + path + ") is misconfigured: " + e.getMessage(), e);
    }
    Strata store = Strata.open(system, directory, options);
    named.put(name, store);
    return store;
  }

  /**
   * The store in {@code directory}, opened with {@code options} on the first call and the same
   * instance on every later one until it is closed: for stores whose directory is computed rather
   * than configured by name, such as the shards of a cluster keyspace
   * ({@code <data-dir>/<keyspace>/<shard>}). Closed at shutdown like every store of the system;
   * listed by {@link #openedStores()} under the directory's absolute path.
   */
  public synchronized Strata open(Path directory, StrataOptions options) {
    if (CoordinatedShutdown.get(system).getShutdownReason().isPresent()) {
      throw new IllegalStateException("the actor system is shutting down: the store in " + directory + " cannot be opened");
    }
    String key = directory.toAbsolutePath().normalize().toString();
    Strata existing = named.get(key);
    if (existing != null && !existing.isClosed()) {
      return existing;
    }
    Strata store = Strata.open(system, directory, options);
    named.put(key, store);
    return store;
  }

  /**
   * The store named {@code name} behind Strata's message protocol: opens it as {@link #open}
   * does, and on the first call spawns a {@link StrataActor} for it (a system actor, stopped with
   * the system); every caller gets the same ref. The actor serves whichever instance
   * {@code open(name)} holds: once that store is closed it replies errors, until {@code open(name)}
   * or this method opens the name again.
   */
  public synchronized ActorRef<StrataCommand> actorRef(String name) {
    open(name);
    return actors.computeIfAbsent(name, n -> system.systemActorOf(
        StrataActor.create(() -> current(n)), "strata-store-" + URLEncoder.encode(n, StandardCharsets.UTF_8),
        Props.empty()));
  }

  /**
   * Every store opened through this extension, by name, as of now (a copy): the instance
   * {@link #open} holds for each name, closed or not. For health checks ({@link StrataReadinessCheck}).
   */
  public Map<String, Strata> openedStores() {
    return Map.copyOf(named);
  }

  /** The open store named {@code name}, for its actor; throws when it is closed. */
  private Strata current(String name) {
    Strata store = named.get(name);
    if (store == null || store.isClosed()) {
      throw new IllegalStateException("store '" + name + "' is closed; StrataExtension.open(\"" + name
          + "\") opens it again");
    }
    return store;
  }
}
