package dev.strata.akka.projection;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.query.Offset;
import akka.persistence.query.Sequence;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.javadsl.ExactlyOnceProjection;
import akka.projection.javadsl.SourceProvider;
import dev.strata.Strata;
import dev.strata.WriteBatch;
import dev.strata.akka.StrataExtension;
import dev.strata.akka.testkit.StrataTestKit;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An event-sourced application's read side on Strata, end to end: counters persist tagged events
 * through Strata's journal, and an exactly-once projection over {@code eventsByTag} of Strata's read
 * journal keeps each counter's total in the same store, committed with its offset.
 */
class EventsByTagProjectionExampleTest {
  static final Duration PATIENCE = Duration.ofSeconds(30);

  /** A counter whose events, the amounts added, are tagged "counters". */
  static final class Counter extends EventSourcedBehavior<Counter.Add, Integer, Integer> {
    record Add(int amount) {}

    static Behavior<Add> create(String id) {
      return new Counter(PersistenceId.ofUniqueId(id));
    }

    private Counter(PersistenceId id) {
      super(id);
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Add, Integer, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState().onCommand(Add.class, (state, add) -> Effect().persist(add.amount()))
          .build();
    }

    @Override
    public EventHandler<Integer, Integer> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, amount) -> state + amount);
    }

    @Override
    public Set<String> tagsFor(Integer event) {
      return Set.of("counters");
    }
  }

  @TempDir
  Path dir;

  static byte[] totalKey(String persistenceId) {
    return ("total/" + persistenceId).getBytes(UTF_8);
  }

  static long total(Strata store, String persistenceId) {
    byte[] value = store.get(totalKey(persistenceId));
    return value == null ? 0 : ByteBuffer.wrap(value).getLong();
  }

  @Test
  void aProjectionOverEventsByTagKeepsEachCounterTotalInTheStore() {
    ActorTestKit testKit = ActorTestKit.create("read-side", StrataTestKit.persistenceConfig(dir));
    try {
      // The read model lives in the journal's own store: "persistence", the store the config names.
      Strata store = StrataExtension.get(testKit.system()).open("persistence");
      for (String id : new String[] {"counter-1", "counter-2"}) {
        ActorRef<Counter.Add> counter = testKit.spawn(Counter.create(id));
        for (int amount = 1; amount <= 10; amount++) {
          counter.tell(new Counter.Add(amount));
        }
      }

      SourceProvider<Offset, EventEnvelope<Integer>> events =
          EventSourcedProvider.eventsByTag(testKit.system(), "strata.persistence.query", "counters");
      ProjectionId id = ProjectionId.of("counter-totals", "counters");
      ExactlyOnceProjection<Offset, EventEnvelope<Integer>> projection = StrataProjection.exactlyOnce(id, events,
          store, () -> envelope -> {
            long total = total(store, envelope.persistenceId()) + envelope.event();
            return new WriteBatch().put(totalKey(envelope.persistenceId()), ByteBuffer.allocate(8).putLong(total).array());
          });
      testKit.spawn(ProjectionBehavior.create(projection));

      TestProbe<Object> probe = testKit.createTestProbe();
      probe.awaitAssert(PATIENCE, () -> {
        assertEquals(55, total(store, "counter-1"));
        assertEquals(55, total(store, "counter-2"));
        return null;
      });
      Optional<Offset> offset = StrataOffsetStore.create(testKit.system(), store).<Offset>readOffset(id)
          .toCompletableFuture().join();
      assertEquals(Optional.of(Sequence.apply(20)), offset); // the store-wide ordering of the 20th event
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
