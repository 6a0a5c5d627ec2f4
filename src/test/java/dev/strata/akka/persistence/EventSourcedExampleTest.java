package dev.strata.akka.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's example: an event-sourced behavior persisted in Strata. A counter persists each
 * addition as an event (an Integer, which Akka serializes out of the box; real events need a
 * serializer binding, such as akka-serialization-jackson's), snapshots every 5 events, and after the
 * actor system is restarted on the same directory it recovers its state.
 */
class EventSourcedExampleTest {

  /** A counter whose events are the amounts added and whose state is their sum. */
  static final class Counter extends EventSourcedBehavior<Counter.Command, Integer, Integer> {
    sealed interface Command {}

    record Add(int amount) implements Command {}

    record Get(ActorRef<Integer> replyTo) implements Command {}

    static Behavior<Command> create(String id) {
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
    public CommandHandler<Command, Integer, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Add.class, (state, add) -> Effect().persist(add.amount()))
          .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
          .build();
    }

    @Override
    public EventHandler<Integer, Integer> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, amount) -> state + amount);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return RetentionCriteria.snapshotEvery(5, 2); // the snapshot store keeps the latest 2
    }
  }

  @TempDir
  Path dir;

  @Test
  void theCounterRecoversItsStateAfterARestart() {
    Config config = ConfigFactory.parseString("""
        akka.persistence.journal.plugin = "strata.persistence.journal"
        akka.persistence.snapshot-store.plugin = "strata.persistence.snapshot-store"
        """).withValue("strata.stores.persistence.directory", ConfigValueFactory.fromAnyRef(dir.toString()));

    ActorTestKit first = ActorTestKit.create("shop", config);
    ActorRef<Counter.Command> counter = first.spawn(Counter.create("counter-1"));
    for (int i = 1; i <= 12; i++) {
      counter.tell(new Counter.Add(i));
    }
    TestProbe<Integer> probe = first.createTestProbe();
    counter.tell(new Counter.Get(probe.ref()));
    probe.expectMessage(78);
    first.shutdownTestKit(); // CoordinatedShutdown closes the store

    ActorTestKit second = ActorTestKit.create("shop", config);
    try {
      ActorRef<Counter.Command> recovered = second.spawn(Counter.create("counter-1"));
      TestProbe<Integer> probe2 = second.createTestProbe();
      recovered.tell(new Counter.Get(probe2.ref()));
      assertEquals(78, probe2.receiveMessage());
    } finally {
      second.shutdownTestKit();
    }
  }
}
