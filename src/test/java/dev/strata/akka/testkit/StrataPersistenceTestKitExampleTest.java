package dev.strata.akka.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How to test an event-sourced behavior on Strata: {@link StrataTestKit#persistenceConfig(Path)} is
 * the whole configuration (journal, snapshot store, durable state and read journal on one store in
 * the test's directory). Copy this.
 */
class StrataPersistenceTestKitExampleTest {

  /** A counter whose events, the amounts added, are tagged "counters". */
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
    public Set<String> tagsFor(Integer event) {
      return Set.of("counters");
    }
  }

  @TempDir
  Path dir;

  @Test
  void aCounterPersistedInOneSystemIsRecoveredInTheNext() {
    ActorTestKit first = ActorTestKit.create("example", StrataTestKit.persistenceConfig(dir));
    try {
      ActorRef<Counter.Command> counter = first.spawn(Counter.create("counter-1"));
      counter.tell(new Counter.Add(3));
      counter.tell(new Counter.Add(4));
      TestProbe<Integer> probe = first.createTestProbe();
      counter.tell(new Counter.Get(probe.ref()));
      probe.expectMessage(7);
    } finally {
      first.shutdownTestKit(); // closes the store
    }

    ActorTestKit second = ActorTestKit.create("example", StrataTestKit.persistenceConfig(dir));
    try {
      ActorRef<Counter.Command> recovered = second.spawn(Counter.create("counter-1"));
      TestProbe<Integer> probe = second.createTestProbe();
      recovered.tell(new Counter.Get(probe.ref()));
      probe.expectMessage(7);
    } finally {
      second.shutdownTestKit();
    }
  }

  @Test
  void theTemporaryVariantPutsTheStoreInAFreshDirectory() {
    Config config = StrataTestKit.persistenceConfig();
    Path directory = StrataTestKit.persistenceDirectory(config);
    assertTrue(Files.isDirectory(directory), directory + " exists");
    ActorTestKit testKit = ActorTestKit.create("example", config);
    try {
      ActorRef<Counter.Command> counter = testKit.spawn(Counter.create("counter-1"));
      counter.tell(new Counter.Add(5));
      TestProbe<Integer> probe = testKit.createTestProbe();
      counter.tell(new Counter.Get(probe.ref()));
      probe.expectMessage(5);
      assertTrue(directory.toFile().list().length > 0, "the store lives in " + directory);
    } finally {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void theConfigurationEnablesEveryPluginOnOneStore() {
    Config config = StrataTestKit.persistenceConfig(dir).withFallback(com.typesafe.config.ConfigFactory.load());
    assertEquals("strata.persistence.journal", config.getString("akka.persistence.journal.plugin"));
    assertEquals("strata.persistence.snapshot-store", config.getString("akka.persistence.snapshot-store.plugin"));
    assertEquals("strata.persistence.state", config.getString("akka.persistence.state.plugin"));
    assertEquals("strata.persistence.journal", config.getString("strata.persistence.query.journal"));
    assertEquals(dir.toAbsolutePath().toString(), config.getString("strata.stores.persistence.directory"));
    for (String plugin : new String[] {"journal", "snapshot-store", "state"}) {
      assertEquals("persistence", config.getString("strata.persistence." + plugin + ".store"));
    }
  }
}
