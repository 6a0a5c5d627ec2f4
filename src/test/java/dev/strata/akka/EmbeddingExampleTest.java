package dev.strata.akka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.pattern.StatusReply;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import dev.strata.Bound;
import dev.strata.Strata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's example of Strata embedded in an Akka application through the extension, compiled
 * and run: a store configured under {@code strata.stores.sessions}, opened by name, and used by an
 * application actor ({@link Sessions}) through the actor protocol.
 */
class EmbeddingExampleTest {
  @TempDir Path dir;
  private ActorTestKit testKit;

  @AfterEach
  void shutdown() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  /** The application's config: in a real application, application.conf. */
  private ActorTestKit application() {
    testKit = ActorTestKit.create(ConfigFactory.parseString("""
        strata.stores.sessions {
          directory = %s
          memtable-size = 8 MiB
        }
        """.formatted(ConfigUtil.quoteString(dir.resolve("sessions").toString())))
        .withFallback(ConfigFactory.load()));
    return testKit;
  }

  /** An application actor keeping each user's session token in Strata, by message. */
  public static final class Sessions extends AbstractBehavior<Sessions.Command> {
    public sealed interface Command {}

    /** Remembers {@code token} for {@code user}; replies once the store acknowledged it. */
    public record Login(String user, String token, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** The token of {@code user}, empty when they never logged in. */
    public record Lookup(String user, ActorRef<StatusReply<Optional<String>>> replyTo) implements Command {}

    private record Answer(ActorRef<StatusReply<Optional<String>>> replyTo, StatusReply<Optional<String>> answer)
        implements Command {}

    private final ActorRef<StrataCommand> store;

    public static Behavior<Command> create(ActorRef<StrataCommand> store) {
      return Behaviors.setup(context -> new Sessions(context, store));
    }

    private Sessions(ActorContext<Command> context, ActorRef<StrataCommand> store) {
      super(context);
      this.store = store;
    }

    @Override
    public Receive<Command> createReceive() {
      return newReceiveBuilder()
          .onMessage(Login.class, this::onLogin)
          .onMessage(Lookup.class, this::onLookup)
          .onMessage(Answer.class, answer -> {
            answer.replyTo().tell(answer.answer());
            return this;
          })
          .build();
    }

    private Behavior<Command> onLogin(Login login) {
      // The store's acknowledgement is the answer: it goes straight to the caller.
      store.tell(new StrataCommand.Put(login.user().getBytes(UTF_8), login.token().getBytes(UTF_8), login.replyTo()));
      return this;
    }

    private Behavior<Command> onLookup(Lookup lookup) {
      getContext().askWithStatus(StrataCommand.GetResult.class, store, Duration.ofSeconds(3),
          replyTo -> new StrataCommand.Get(lookup.user().getBytes(UTF_8), replyTo),
          (result, failure) -> new Answer(lookup.replyTo(), failure != null
              ? StatusReply.error(failure)
              : StatusReply.success(result.value().map(token -> new String(token, UTF_8)))));
      return this;
    }
  }

  @Test
  void anApplicationActorKeepsItsStateInANamedStoreThroughTheActorProtocol() {
    ActorSystem<Void> system = application().system();

    Strata sessions = StrataExtension.get(system).open("sessions"); // one instance per name in the system
    ActorRef<StrataCommand> store = testKit.spawn(StrataActor.create(sessions), "sessions-store");
    ActorRef<Sessions.Command> app = testKit.spawn(Sessions.create(store), "sessions");

    TestProbe<StatusReply<Done>> loggedIn = testKit.createTestProbe();
    app.tell(new Sessions.Login("alice", "t0k3n", loggedIn.ref()));
    loggedIn.expectMessage(StatusReply.ack());

    TestProbe<StatusReply<Optional<String>>> found = testKit.createTestProbe();
    app.tell(new Sessions.Lookup("alice", found.ref()));
    found.expectMessage(StatusReply.success(Optional.of("t0k3n")));
    app.tell(new Sessions.Lookup("bob", found.ref()));
    found.expectMessage(StatusReply.success(Optional.empty()));

    testKit.shutdownTestKit(); // CoordinatedShutdown closes every store opened in the system
    assertTrue(sessions.isClosed());
  }

  @Test
  void codeOutsideActorsAsksTheNamedStoresActorAndPagesThroughARange() throws Exception {
    ActorSystem<Void> system = application().system();
    ActorRef<StrataCommand> store = StrataExtension.get(system).actorRef("sessions"); // opens it too
    Duration timeout = Duration.ofSeconds(3);
    for (String user : List.of("alice", "bob", "carol", "dave", "erin")) {
      AskPattern.<StrataCommand, Done>askWithStatus(store,
          replyTo -> new StrataCommand.Put(user.getBytes(UTF_8), "t0k3n".getBytes(UTF_8), replyTo),
          timeout, system.scheduler()).toCompletableFuture().get();
    }

    List<String> users = new ArrayList<>();
    CompletionStage<StrataCommand.Page> reply = AskPattern.askWithStatus(store,
        replyTo -> new StrataCommand.Scan(Bound.included("b".getBytes(UTF_8)), Bound.unbounded(), 2, replyTo),
        timeout, system.scheduler());
    StrataCommand.Page page = reply.toCompletableFuture().get();
    page.entries().forEach(entry -> users.add(new String(entry.key(), UTF_8)));
    while (!page.isLast()) {
      StrataCommand.Scan next = page.next().get(); // the continuation: send it with this ask's replyTo
      reply = AskPattern.askWithStatus(store, next::withReplyTo, timeout, system.scheduler());
      page = reply.toCompletableFuture().get();
      page.entries().forEach(entry -> users.add(new String(entry.key(), UTF_8)));
    }
    assertEquals(List.of("bob", "carol", "dave", "erin"), users);
  }
}
