package dev.strata.akka;

import akka.Done;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Strata's Akka extension: one per {@code ActorSystem}, it opens the stores the application's
 * config names, hands every caller of a name the same instance, and closes every store opened in
 * the system in a {@code CoordinatedShutdown} task (phase {@code before-actor-system-terminate},
 * while the writers can still answer).
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
 * <p>{@code Strata.open(system, dir, options)} registers its store here too, so it is closed at
 * shutdown like the named ones. The stores close in parallel within the phase's timeout
 * ({@code akka.coordinated-shutdown.phases.before-actor-system-terminate.timeout}, 5 s by
 * default): a store with the WAL off flushes its memtables as it closes, which may need a longer
 * one. Thread-safe.
 */
public final class StrataExtension implements Extension {
  private static final Logger log = LoggerFactory.getLogger(StrataExtension.class);

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
  private final Set<Strata> open = new LinkedHashSet<>();
  private boolean shutDown;

  private StrataExtension(ActorSystem<?> system) {
    this.system = system;
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "strata-close-stores",
        this::closeAll);
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
    if (shutDown) {
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

  /** The open store named {@code name}, for its actor; throws when it is closed. */
  private Strata current(String name) {
    Strata store = named.get(name);
    if (store == null || store.isClosed()) {
      throw new IllegalStateException("store '" + name + "' is closed; StrataExtension.open(\"" + name
          + "\") opens it again");
    }
    return store;
  }

  /**
   * Closes {@code store} when the system shuts down; {@code Strata.open(system, ...)} calls it.
   * Throws when shutdown has begun already.
   */
  public synchronized void closeOnShutdown(Strata store) {
    if (shutDown) {
      throw new IllegalStateException("the actor system is shutting down: no store may open in it now");
    }
    open.add(store);
  }

  /** Forgets a store its owner closed. */
  public synchronized void closed(Strata store) {
    open.remove(store);
    named.values().remove(store);
  }

  /** The stores open in this system now, in opening order. */
  public synchronized List<Strata> openStores() {
    return List.copyOf(open);
  }

  /**
   * Closes every open store, each on a thread of its own, and completes when all are closed.
   * Not on {@code strata.blocking-dispatcher}: a close may flush there (with the WAL off), and a
   * closing thread holding that dispatcher's last thread would wait for itself until the phase
   * times out, leaving the store unflushed and locked. One thread per store, so that the phase's
   * timeout bounds the slowest close rather than the sum of them.
   */
  private CompletionStage<Done> closeAll() {
    List<Strata> toClose;
    synchronized (this) {
      shutDown = true;
      toClose = new ArrayList<>(open);
    }
    List<CompletableFuture<Void>> closes = new ArrayList<>();
    for (Strata store : toClose) {
      closes.add(CompletableFuture.runAsync(() -> closeQuietly(store), job -> {
        Thread thread = new Thread(job, "strata-shutdown-" + store.directory().getFileName());
        thread.setDaemon(true); // a close stuck past the phase's timeout must not keep the JVM alive
        thread.start();
      }));
    }
    return CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).thenApply(v -> Done.getInstance());
  }

  private static void closeQuietly(Strata store) {
    try {
      store.close();
    } catch (RuntimeException e) {
      log.error("closing the Strata store in {} at shutdown failed", store.directory(), e);
    }
  }
}
