package dev.strata.akka.persistence;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import dev.strata.Strata;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * One {@link JournalCommitter} per store in an actor system, shared by every journal plugin and
 * read journal on that store: the store-wide ordering has one owner, and the read journals hear the
 * journals' commits. An Akka extension so that it lives and dies with the system, as the stores
 * {@code StrataExtension} opens do. Thread-safe.
 */
final class JournalCommitters implements Extension {
  static final class Id extends AbstractExtensionId<JournalCommitters> {
    static final Id INSTANCE = new Id();

    @Override
    public JournalCommitters createExtension(ExtendedActorSystem system) {
      return new JournalCommitters();
    }
  }

  private final Map<Strata, JournalCommitter> committers = new ConcurrentHashMap<>();

  static JournalCommitters get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  /** The store's committer, created (reading, and if need be upgrading, the store) on the first call; blocks then. */
  JournalCommitter forStore(Strata store, Executor executor) {
    return committers.computeIfAbsent(store, s -> new JournalCommitter(s, executor));
  }
}
