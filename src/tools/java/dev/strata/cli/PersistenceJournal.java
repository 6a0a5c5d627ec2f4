package dev.strata.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The journals that {@code strata bench persistence} measures, each with the Akka configuration
 * that selects it, stores it under a directory and sets its fsync behaviour. Immutable.
 */
enum PersistenceJournal {
  STRATA("strata", "Strata's journal (dev.strata.akka.persistence)", null, "strata.persistence.query") {
    @Override
    Config config(Path dir, boolean sync) {
      return ConfigFactory.parseString("""
          akka.persistence.journal.plugin = "strata.persistence.journal"
          strata.stores.persistence.directory = "%s"
          strata.stores.persistence.sync-writes = %s
          """.formatted(escape(dir.resolve("strata")), sync ? "on" : "off"));
    }
  },
  LEVELDB("leveldb", "Akka's LevelDB journal (akka-persistence 2.8.8, iq80 pure-Java LevelDB, native = off)",
      "org.iq80.leveldb.impl.Iq80DBFactory", "akka.persistence.query.journal.leveldb") {
    @Override
    Config config(Path dir, boolean sync) {
      return ConfigFactory.parseString("""
          akka.persistence.journal.plugin = "akka.persistence.journal.leveldb"
          akka.persistence.journal.leveldb.dir = "%s"
          akka.persistence.journal.leveldb.native = off
          akka.persistence.journal.leveldb.fsync = %s
          """.formatted(escape(dir.resolve("leveldb")), sync ? "on" : "off"));
    }
  },
  JDBC("jdbc", "akka-persistence-jdbc 5.2.1 on an embedded H2 2.2 file database",
      "akka.persistence.jdbc.journal.JdbcAsyncWriteJournal", "jdbc-read-journal") {
    @Override
    Config config(Path dir, boolean sync) {
      return ConfigFactory.parseString("""
          akka.persistence.journal.plugin = "jdbc-journal"
          akka-persistence-jdbc.shared-databases.slick {
            profile = "slick.jdbc.H2Profile$"
            db {
              url = "jdbc:h2:file:%s"
              user = "bench"
              password = ""
              driver = "org.h2.Driver"
              numThreads = 5
              maxConnections = 5
              minConnections = 1
            }
          }
          jdbc-journal.use-shared-db = "slick"
          jdbc-snapshot-store.use-shared-db = "slick"
          jdbc-read-journal.use-shared-db = "slick"
          # Its queries read max-buffer-size events per refresh-interval (500 per second by
          # default, current queries included); the bench lets it read as fast as it can.
          jdbc-read-journal.refresh-interval = 10ms
          jdbc-read-journal.max-buffer-size = 10000
          """.formatted(escape(dir.resolve("h2").resolve("journal"))));
    }

    @Override
    String syncLabel(boolean sync) {
      // H2 writes a commit to its file but never fsyncs it: it has no setting that would.
      return "no fsync (H2)";
    }

    @Override
    void prepare(akka.actor.ActorSystem system) throws Exception {
      Class.forName("dev.strata.cli.JdbcJournalSchema", true, PersistenceJournal.class.getClassLoader())
          .getDeclaredMethod("create", akka.actor.ActorSystem.class).invoke(null, system);
    }
  },
  INMEM("inmem", "Akka's in-memory journal (the ceiling: Akka's own cost per event)", null, null) {
    @Override
    Config config(Path dir, boolean sync) {
      return ConfigFactory.parseString("akka.persistence.journal.plugin = \"akka.persistence.journal.inmem\"");
    }

    @Override
    String syncLabel(boolean sync) {
      return "n/a (memory)";
    }

    @Override
    boolean survivesNewSystem() {
      return false;
    }
  };

  private final String cliName;
  private final String description;
  /** A class that must be on the classpath for this journal to run, or null. */
  private final String requiredClass;
  /** Plugin id of its read journal for currentEventsByTag, or null when it has none. */
  private final String readJournalId;

  PersistenceJournal(String cliName, String description, String requiredClass, String readJournalId) {
    this.cliName = cliName;
    this.description = description;
    this.requiredClass = requiredClass;
    this.readJournalId = readJournalId;
  }

  /** The Akka configuration (on top of the bench's own) that makes this journal the default one. */
  abstract Config config(Path dir, boolean sync);

  String cliName() {
    return cliName;
  }

  String description() {
    return description;
  }

  Optional<String> readJournalId() {
    return Optional.ofNullable(readJournalId);
  }

  /** What the table prints for the sync setting. */
  String syncLabel(boolean sync) {
    return sync ? "fsync on" : "fsync off";
  }

  /** Work the journal needs in a new ActorSystem before its first write (a database schema). */
  void prepare(akka.actor.ActorSystem system) throws Exception {}

  /** Whether the journal's events outlive the ActorSystem that wrote them (recovery then runs in a fresh one). */
  boolean survivesNewSystem() {
    return true;
  }

  /** Why this journal cannot run in this JVM, or empty when it can. */
  Optional<String> unavailable() {
    if (requiredClass == null) {
      return Optional.empty();
    }
    try {
      Class.forName(requiredClass, false, PersistenceJournal.class.getClassLoader());
      return Optional.empty();
    } catch (ClassNotFoundException e) {
      return Optional.of(cliName + " is not built into this jar (" + requiredClass + " is missing): build it with "
          + "mvn -B -q -Ppeers -DskipTests package");
    }
  }

  static PersistenceJournal byName(String name) throws UsageException {
    return Arrays.stream(values()).filter(j -> j.cliName.equals(name)).findFirst()
        .orElseThrow(() -> new UsageException("unknown journal '" + name + "'; known: "
            + String.join(", ", Arrays.stream(values()).map(PersistenceJournal::cliName).toList())));
  }

  private static String escape(Path path) {
    return path.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
