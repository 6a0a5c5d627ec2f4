package dev.strata.akka.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.strata.Strata;
import dev.strata.akka.StrataActor;
import dev.strata.akka.StrataCommand;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How to test your own code against a real Strata store with Akka's {@code ActorTestKit}: copy
 * this. {@link StrataTestKit} gives each test a store in a fresh temporary directory, inside the
 * test kit's actor system, and deletes it when the test is done.
 */
class StrataTestKitExampleTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  StrataTestKit strata;

  @BeforeEach
  void openStore() {
    strata = StrataTestKit.create(testKit.system());
  }

  @AfterEach
  void closeStore() {
    strata.close(); // closes the store, deletes its directory
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void writesThroughTheActorProtocolAreAcknowledgedThenVisible() {
    ActorRef<StrataCommand> store = testKit.spawn(StrataActor.create(strata.store()));
    TestProbe<StatusReply<Done>> acks = testKit.createTestProbe();
    TestProbe<StatusReply<StrataCommand.GetResult>> values = testKit.createTestProbe();

    store.tell(new StrataCommand.Put("greeting".getBytes(UTF_8), "hello".getBytes(UTF_8), acks.ref()));
    acks.expectMessage(StatusReply.ack());

    store.tell(new StrataCommand.Get("greeting".getBytes(UTF_8), values.ref()));
    Optional<byte[]> value = values.receiveMessage().getValue().value();
    assertEquals("hello", new String(value.orElseThrow(), UTF_8));
    // The test may also look at the store directly.
    assertArrayEquals("hello".getBytes(UTF_8), strata.store().get("greeting".getBytes(UTF_8)));
  }

  @Test
  void acknowledgedWritesSurviveARestartOfTheStore() {
    strata.store().put("greeting".getBytes(UTF_8), "hello".getBytes(UTF_8));

    Strata restarted = strata.reopen(); // close, then recover from the same directory

    assertArrayEquals("hello".getBytes(UTF_8), restarted.get("greeting".getBytes(UTF_8)));
  }
}
