package dev.strata.akka.persistence;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.state.javadsl.CommandHandler;
import akka.persistence.typed.state.javadsl.DurableStateBehavior;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Akka's typed DurableStateBehavior (which talks to the store's Scala API) on Strata: upserts, a
 * delete, and recovery in a new actor system, the revision carrying on across the delete.
 */
class DurableStateBehaviorTest {

  /** A counter kept as durable state. */
  static final class Counter extends DurableStateBehavior<Counter.Command, Integer> {
    sealed interface Command {}

    record Add(int amount) implements Command {}

    record Reset() implements Command {}

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
    public CommandHandler<Command, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Add.class, (state, add) -> Effect().persist(state + add.amount()))
          .onCommand(Reset.class, (state, reset) -> Effect().delete())
          .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
          .build();
    }
  }

  @TempDir
  Path dir;

  @Test
  void stateWrittenBeforeAndAfterADeleteIsRecoveredInANewSystem() {
    ActorTestKit first = ActorTestKit.create("state", PersistenceHarness.pluginConfig(dir));
    ActorRef<Counter.Command> counter = first.spawn(Counter.create("counter-1"));
    TestProbe<Integer> probe = first.createTestProbe();
    counter.tell(new Counter.Add(5));
    counter.tell(new Counter.Add(6));
    counter.tell(new Counter.Reset()); // revision 3, no value
    counter.tell(new Counter.Add(7)); // revision 4
    counter.tell(new Counter.Get(probe.ref()));
    probe.expectMessage(7);
    first.shutdownTestKit();

    ActorTestKit second = ActorTestKit.create("state", PersistenceHarness.pluginConfig(dir));
    try {
      ActorRef<Counter.Command> recovered = second.spawn(Counter.create("counter-1"));
      TestProbe<Integer> probe2 = second.createTestProbe();
      recovered.tell(new Counter.Add(1)); // revision 5: accepted only if revision 4 was recovered
      recovered.tell(new Counter.Get(probe2.ref()));
      probe2.expectMessage(8);
    } finally {
      second.shutdownTestKit();
    }
  }
}
