package dev.strata.cli;

import akka.actor.ActorSystem;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Creates akka-persistence-jdbc's tables in the bench's H2 database before the first event is
 * written. Reached by reflection from {@link PersistenceJournal}, so that the tools compile
 * without the peers. Stateless.
 */
final class JdbcJournalSchema {
  private JdbcJournalSchema() {}

  static void create(ActorSystem system) throws Exception {
    SchemaUtils.createIfNotExists(system).toCompletableFuture()
        .get(Duration.ofMinutes(1).toMillis(), TimeUnit.MILLISECONDS);
  }
}
