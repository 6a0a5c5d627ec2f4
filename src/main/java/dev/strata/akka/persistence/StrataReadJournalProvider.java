package dev.strata.akka.persistence;

import akka.actor.ExtendedActorSystem;
import akka.persistence.Persistence;
import akka.persistence.query.ReadJournalProvider;
import com.typesafe.config.Config;
import dev.strata.Strata;
import java.util.concurrent.Executor;

/**
 * Akka Persistence Query on a Strata journal: {@code PersistenceQuery.get(system).getReadJournalFor(
 * StrataReadJournal.class, "strata.persistence.query")}. Akka creates one provider per plugin path and
 * actor system; both APIs it hands out read the store of the journal plugin its {@code journal} key
 * names. Thread-safe.
 */
public final class StrataReadJournalProvider implements ReadJournalProvider {
  private final StrataReadJournal javadsl;
  private final StrataScalaReadJournal scaladsl;

  public StrataReadJournalProvider(ExtendedActorSystem system, Config config, String configPath) {
    QuerySettings settings = QuerySettings.fromConfig(system.settings().config(), config, configPath);
    Strata store = settings.journal().openStore(system);
    Executor executor = system.dispatchers().lookup(settings.dispatcherId());
    CommitSignal signal = StoreSequencers.get(system).journal(store, executor).signal();
    this.javadsl = new StrataReadJournal(store, new PayloadSerialization(system),
        new PagedQuery(store, executor, signal, settings.refreshInterval(), settings.pageSize()), settings.pageSize(),
        Persistence.get(system));
    this.scaladsl = new StrataScalaReadJournal(javadsl, Persistence.get(system));
  }

  @Override
  public StrataScalaReadJournal scaladslReadJournal() {
    return scaladsl;
  }

  @Override
  public StrataReadJournal javadslReadJournal() {
    return javadsl;
  }
}
