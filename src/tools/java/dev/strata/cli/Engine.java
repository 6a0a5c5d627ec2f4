package dev.strata.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The engines {@code bench --compare} runs the workloads against. Strata is always there; the
 * peers' adapters ({@code src/peers/java}) and libraries are compiled and packaged only by the
 * Maven profile {@code peers}, so the default build neither downloads nor compiles them, and
 * they are found here by class name. Stateless.
 */
enum Engine {
  STRATA("strata", null, null, "Strata (this build)"),
  ROCKSDB("rocksdb", "dev.strata.cli.RocksDbStore", "org.rocksdb.RocksDB",
      "RocksDB through org.rocksdb:rocksdbjni, default options plus create-if-missing; WAL on, no sync"),
  LEVELDB("leveldb", "dev.strata.cli.LevelDbStore", "org.iq80.leveldb.impl.DbImpl",
      "LevelDB through org.iq80.leveldb:leveldb 0.12 (pure Java), default options plus create-if-missing; "
          + "log on, no sync");

  /** Thrown when a peer's adapter or library is not on the classpath. */
  static final class Unavailable extends Exception {
    Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static final String BUILD_WITH_PEERS = "mvn -B -q -Ppeers -DskipTests package";

  private final String cliName;
  private final String adapterClass;
  private final String libraryClass;
  private final String description;

  Engine(String cliName, String adapterClass, String libraryClass, String description) {
    this.cliName = cliName;
    this.adapterClass = adapterClass;
    this.libraryClass = libraryClass;
    this.description = description;
  }

  String cliName() {
    return cliName;
  }

  String description() {
    return description;
  }

  boolean isPeer() {
    return adapterClass != null;
  }

  /** The engine named {@code name} (case-insensitive). */
  static Optional<Engine> fromName(String name) {
    String lower = name.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(e -> e.cliName.equals(lower)).findFirst();
  }

  static String names() {
    return Arrays.stream(values()).map(Engine::cliName).collect(Collectors.joining(", "));
  }

  /**
   * Checks, without loading either, that this peer's adapter and library are on the classpath;
   * throws {@link Unavailable} saying how to build them in when they are not.
   */
  void checkAvailable() throws Unavailable {
    if (!isPeer()) {
      return;
    }
    for (String name : new String[] {adapterClass, libraryClass}) {
      try {
        Class.forName(name, false, Engine.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw unavailable(e);
      }
    }
  }

  private Unavailable unavailable(Throwable cause) {
    return new Unavailable(cliName + " is not on the classpath (no " + cause.getMessage() + "): this strata.jar was built without "
        + "the peers; build it with `" + BUILD_WITH_PEERS + "`", cause);
  }

  /**
   * Opens stores of this peer: its adapter's {@code static KeyValueStore open(Path)}. Throws
   * {@link Unavailable}, saying how to build with the peers, when the adapter or the peer's
   * library is missing (a build without {@code -Ppeers}).
   */
  KeyValueStore.Factory peerFactory() throws Unavailable {
    return peerFactory(false);
  }

  /**
   * As {@link #peerFactory()}; with {@code synced}, stores whose every write is made durable
   * before it returns (the peer's sync write option, for fillsync): the adapter's
   * {@code static KeyValueStore open(Path, boolean)}.
   */
  KeyValueStore.Factory peerFactory(boolean synced) throws Unavailable {
    if (!isPeer()) {
      throw new IllegalStateException(cliName + " is not a peer");
    }
    checkAvailable();
    Method open;
    try {
      Class<?> adapter = Class.forName(adapterClass, true, Engine.class.getClassLoader());
      open = adapter.getDeclaredMethod("open", Path.class, boolean.class);
    } catch (ClassNotFoundException | LinkageError | NoSuchMethodException e) {
      throw unavailable(e);
    }
    return dir -> {
      try {
        return (KeyValueStore) open.invoke(null, dir, synced);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException(cliName + " failed to open " + dir + ": " + e.getCause(), e.getCause());
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    };
  }
}
