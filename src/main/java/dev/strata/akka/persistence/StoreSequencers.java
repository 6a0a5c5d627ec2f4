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
 * The owners of a store's two store-wide orderings in an actor system: one {@link
 * JournalCommitter} (events) and one {@link StateSequencer} (durable state changes) per store,
 * shared by every plugin and query on that store, so that each ordering has one owner and the
 * queries hear the commits. An Akka extension so that it lives and dies with the system, as the
 * stores {@code StrataExtension} opens do. Thread-safe.
 */
final class StoreSequencers implements Extension {
  static final class Id extends AbstractExtensionId<StoreSequencers> {
    static final Id INSTANCE = new Id();

    @Override
    public StoreSequencers createExtension(ExtendedActorSystem system) {
      return new StoreSequencers();
    }
  }

  private final Map<Strata, JournalCommitter> journals = new ConcurrentHashMap<>();
  private final Map<Strata, StateSequencer> states = new ConcurrentHashMap<>();

  static StoreSequencers get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  /** The store's journal committer, created (reading, and if need be upgrading, the store) on the first call; blocks then. */
  JournalCommitter journal(Strata store, Executor executor) {
    return journals.computeIfAbsent(store, s -> new JournalCommitter(s, executor));
  }

  /** The store's durable state sequencer, created (reading the store) on the first call; blocks then. */
  StateSequencer state(Strata store) {
    return states.computeIfAbsent(store, StateSequencer::new);
  }
}
