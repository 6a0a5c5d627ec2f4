package dev.strata.akka.testkit;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A Strata store for one test: opened in a fresh temporary directory inside the test's
 * {@code ActorSystem} (for instance {@code ActorTestKit.system()}), and gone, files and all, after
 * {@link #close()}.
 *
 * <pre>{@code
 * static final ActorTestKit testKit = ActorTestKit.create();
 * StrataTestKit strata;
 *
 * @BeforeEach void openStore()  { strata = StrataTestKit.create(testKit.system()); }
 * @AfterEach  void closeStore() { strata.close(); }
 *
 * @Test void something() {
 *   ActorRef<StrataCommand> store = testKit.spawn(StrataActor.create(strata.store()));
 *   ...
 * }
 * }</pre>
 *
 * <p>It uses no class of Akka's test kits, so it works with any test framework and keeps
 * {@code akka-actor-testkit-typed} out of an application's runtime dependencies. A store left open
 * is still closed when the system shuts down (as every store opened in a system is), but only
 * {@code close()} deletes the directory.
 *
 * <p>Thread-safe: {@link #store()} may be called from any thread, for instance from actors under
 * test; {@link #reopen()} and {@link #close()} are for the test's own thread and are serialized
 * against each other.
 */
public final class StrataTestKit implements AutoCloseable {
  /** The key of the persistence plugins' store directory ({@code strata.stores.persistence}, their default store). */
  private static final String PERSISTENCE_DIRECTORY = "strata.stores.persistence.directory";

  private final ActorSystem<?> system;
  private final StrataOptions options;
  private final Path directory;
  private volatile Strata store;
  private boolean closed;

  private StrataTestKit(ActorSystem<?> system, StrataOptions options, Path directory) {
    this.system = system;
    this.options = options;
    this.directory = directory;
    this.store = Strata.open(system, directory, options);
  }

  /**
   * A store in a fresh temporary directory of {@code system}, with the options of the system's
   * {@code strata} config block (Strata's defaults unless the test's config overrides them), except
   * that the periodic stats line is off: a test's log wants its own lines.
   */
  public static StrataTestKit create(ActorSystem<?> system) {
    Objects.requireNonNull(system, "system must not be null");
    return create(system, StrataOptions.fromConfig(system.settings().config()).toBuilder()
        .statsLogInterval(java.time.Duration.ZERO).build());
  }

  /** A store in a fresh temporary directory of {@code system}, with {@code options}. */
  public static StrataTestKit create(ActorSystem<?> system, StrataOptions options) {
    Objects.requireNonNull(system, "system must not be null");
    Objects.requireNonNull(options, "options must not be null");
    Path directory;
    try {
      directory = Files.createTempDirectory("strata-test-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for a test store", e);
    }
    try {
      return new StrataTestKit(system, options, directory);
    } catch (RuntimeException e) {
      deleteQuietly(directory, e);
      throw e;
    }
  }

  /**
   * A configuration that runs Akka Persistence on Strata: the journal, snapshot store and durable
   * state plugins as the defaults, on one store in {@code directory}, and the read journal
   * ({@code strata.persistence.query}) reading that journal. The analogue of Akka's
   * {@code PersistenceTestKitPlugin.config()}, on a real store: give it to the test's actor system,
   * with the test's own settings in front of it.
   *
   * <pre>{@code
   * @TempDir Path dir;
   * ActorTestKit testKit = ActorTestKit.create(StrataTestKit.persistenceConfig(dir));
   * }</pre>
   *
   * Starting another system on the same directory (after the first has terminated) recovers what the
   * first one persisted. The caller owns the directory (JUnit's {@code @TempDir} deletes it).
   */
  public static Config persistenceConfig(Path directory) {
    Objects.requireNonNull(directory, "directory must not be null");
    return ConfigFactory.parseString("""
        akka.persistence.journal.plugin = "strata.persistence.journal"
        akka.persistence.snapshot-store.plugin = "strata.persistence.snapshot-store"
        akka.persistence.state.plugin = "strata.persistence.state"
        strata.persistence.query.journal = "strata.persistence.journal"
        strata.stores.persistence.stats-log-interval = off
        """).withValue(PERSISTENCE_DIRECTORY, ConfigValueFactory.fromAnyRef(directory.toAbsolutePath().toString()));
  }

  /**
   * {@link #persistenceConfig(Path)} on a fresh temporary directory, which is deleted when the JVM
   * exits ({@link #persistenceDirectory(Config)} tells where it is).
   */
  public static Config persistenceConfig() {
    Path directory;
    try {
      directory = Files.createTempDirectory("strata-persistence-test-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for a test store", e);
    }
    TemporaryDirectories.deleteAtExit(directory);
    return persistenceConfig(directory);
  }

  /** The directory of the persistence store a {@link #persistenceConfig} configures. */
  public static Path persistenceDirectory(Config config) {
    return Path.of(config.getString(PERSISTENCE_DIRECTORY));
  }

  /** The store; after {@link #reopen()}, the reopened one. */
  public Strata store() {
    return store;
  }

  /** The temporary directory the store lives in. */
  public Path directory() {
    return directory;
  }

  /**
   * Closes the store and opens its directory again, as a restart of the application would, and
   * returns the new store. Actors built on the old instance (for instance by
   * {@code StrataActor.create(store())}) keep it and reply errors: spawn new ones.
   */
  public synchronized Strata reopen() {
    checkOpen();
    store.close();
    store = Strata.open(system, directory, options);
    return store;
  }

  /** Closes the store and deletes its directory; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      store.close();
    } finally {
      delete(directory);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this StrataTestKit is closed; its directory " + directory + " is gone");
    }
  }

  static void delete(Path directory) {
    try (Stream<Path> walk = Files.walk(directory)) {
      List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path p : paths) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the test store's directory " + directory, e);
    }
  }

  private static void deleteQuietly(Path directory, RuntimeException cause) {
    try {
      delete(directory);
    } catch (UncheckedIOException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public String toString() {
    return "StrataTestKit(" + directory + (closed ? ", closed)" : ")");
  }
}
