package dev.strata.akka;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.strata.Bound;
import dev.strata.Limits;
import dev.strata.Strata;
import dev.strata.TestHarness;
import dev.strata.WriteBatch;
import dev.strata.akka.StrataCommand.Delete;
import dev.strata.akka.StrataCommand.Get;
import dev.strata.akka.StrataCommand.GetResult;
import dev.strata.akka.StrataCommand.Page;
import dev.strata.akka.StrataCommand.Put;
import dev.strata.akka.StrataCommand.Scan;
import dev.strata.akka.StrataCommand.Write;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The actor protocol's answer to bad input and a closed store: an error reply carrying the
 * exception the matching Strata method would throw, with a message saying what was wrong, and an
 * actor that keeps serving.
 */
class StrataActorErrorRepliesTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @TempDir Path dir;
  private Strata store;
  private ActorRef<StrataCommand> actor;
  private TestProbe<StatusReply<Done>> acks;
  private TestProbe<StatusReply<GetResult>> values;
  private TestProbe<StatusReply<Page>> pages;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void open() {
    store = Strata.open(testKit.system(), dir, TestHarness.smallOptions());
    actor = testKit.spawn(StrataActor.create(store));
    acks = testKit.createTestProbe();
    values = testKit.createTestProbe();
    pages = testKit.createTestProbe();
  }

  @AfterEach
  void close() {
    testKit.stop(actor);
    store.close();
  }

  @Test
  void aNullKeyIsAnErrorReplyForEveryKeyedCommand() {
    actor.tell(new Get(null, values.ref()));
    assertMessage(NullPointerException.class, "key must not be null", values.receiveMessage());
    actor.tell(new Put(null, b("v"), acks.ref()));
    assertMessage(NullPointerException.class, "key must not be null", acks.receiveMessage());
    actor.tell(new Delete(null, acks.ref()));
    assertMessage(NullPointerException.class, "key must not be null", acks.receiveMessage());
  }

  @Test
  void aNullValueIsAnErrorReplyPointingToDelete() {
    actor.tell(new Put(b("k"), null, acks.ref()));
    assertMessage(NullPointerException.class, "use delete", acks.receiveMessage());
  }

  @Test
  void anOversizedKeyIsAnErrorReplyStatingTheLimit() {
    byte[] big = new byte[Limits.MAX_KEY_BYTES + 1];
    actor.tell(new Get(big, values.ref()));
    assertMessage(IllegalArgumentException.class, "the limit is " + Limits.MAX_KEY_BYTES, values.receiveMessage());
    actor.tell(new Put(big, b("v"), acks.ref()));
    assertMessage(IllegalArgumentException.class, "the limit is " + Limits.MAX_KEY_BYTES, acks.receiveMessage());
    actor.tell(new Delete(big, acks.ref()));
    assertMessage(IllegalArgumentException.class, "the limit is " + Limits.MAX_KEY_BYTES, acks.receiveMessage());
  }

  @Test
  void anOversizedValueIsAnErrorReplyStatingTheLimit() {
    actor.tell(new Put(b("k"), new byte[Limits.MAX_VALUE_BYTES + 1], acks.ref()));
    assertMessage(IllegalArgumentException.class, "the limit is " + Limits.MAX_VALUE_BYTES, acks.receiveMessage());
  }

  @Test
  void aNullBatchIsAnErrorReply() {
    actor.tell(new Write(null, acks.ref()));
    assertMessage(NullPointerException.class, "batch must not be null", acks.receiveMessage());
  }

  @Test
  void aPageSizeBelowOneIsAnErrorReplyNamingIt() {
    actor.tell(Scan.all(0, pages.ref()));
    assertMessage(IllegalArgumentException.class, "maxEntries must be at least 1", pages.receiveMessage());
    actor.tell(Scan.all(-5, pages.ref()));
    assertMessage(IllegalArgumentException.class, "got -5", pages.receiveMessage());
  }

  @Test
  void aNullBoundIsAnErrorReplyPointingToUnbounded() {
    actor.tell(new Scan(null, Bound.unbounded(), 10, pages.ref()));
    assertMessage(NullPointerException.class, "Bound.unbounded()", pages.receiveMessage());
    actor.tell(new Scan(Bound.unbounded(), null, 10, pages.ref()));
    assertMessage(NullPointerException.class, "upper bound", pages.receiveMessage());
  }

  @Test
  void aCommandWithoutReplyToFailsWhereItIsBuilt() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> new Get(b("k"), null));
    assertTrue(e.getMessage().contains("replyTo"), e.getMessage());
  }

  @Test
  void aClosedStoreIsAnErrorReplyForEveryCommand() {
    store.close();
    actor.tell(new Get(b("k"), values.ref()));
    assertMessage(IllegalStateException.class, "store is closed", values.receiveMessage());
    actor.tell(new Put(b("k"), b("v"), acks.ref()));
    assertMessage(IllegalStateException.class, "store is closed", acks.receiveMessage());
    actor.tell(new Delete(b("k"), acks.ref()));
    assertMessage(IllegalStateException.class, "store is closed", acks.receiveMessage());
    actor.tell(new Write(new WriteBatch().put(b("k"), b("v")), acks.ref()));
    assertMessage(IllegalStateException.class, "store is closed", acks.receiveMessage());
    actor.tell(Scan.all(10, pages.ref()));
    assertMessage(IllegalStateException.class, "store is closed", pages.receiveMessage());
  }

  @Test
  void theActorKeepsServingAfterBadInput() {
    actor.tell(new Put(null, b("v"), acks.ref()));
    actor.tell(Scan.all(0, pages.ref()));
    actor.tell(new Write(null, acks.ref()));
    assertTrue(acks.receiveMessage().isError());
    assertTrue(pages.receiveMessage().isError());
    assertTrue(acks.receiveMessage().isError());
    actor.tell(new Put(b("k"), b("v"), acks.ref()));
    assertEquals(StatusReply.ack(), acks.receiveMessage());
    actor.tell(new Get(b("k"), values.ref()));
    assertEquals(Optional.of("v"), values.receiveMessage().getValue().value().map(TestHarness::s));
  }

  private static void assertMessage(Class<? extends Throwable> type, String fragment, StatusReply<?> reply) {
    assertTrue(reply.isError(), () -> "expected an error reply, got " + reply);
    Throwable e = reply.getError();
    assertInstanceOf(type, e, () -> "error type of " + reply);
    assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' should say '" + fragment + "'");
  }
}
