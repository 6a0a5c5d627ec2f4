package dev.strata.akka.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.NotUsed;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.testing.ActorSystemPerClass;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's example, compiled and run: an ingestion pipeline from a Source through StrataFlow,
 * committing each event's offset only once the event is stored, then a range read back with
 * StrataSource.
 */
class IngestionPipelineExampleTest {
  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("stream-test");

  @TempDir
  Path dir;

  /** An event from a log (Kafka, a file, ...): a user's new profile, or null when the user left. */
  record UserEvent(long offset, String user, String profile) {
    KeyValue toKeyValue() {
      byte[] key = ("user/" + user).getBytes(StandardCharsets.UTF_8);
      return profile == null ? KeyValue.delete(key) : KeyValue.put(key, profile.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** 10,000 events over 100 users; every seventh user leaves at the end. */
  private static Source<UserEvent, NotUsed> eventLog() {
    return Source.range(1, 10_000).map(i -> new UserEvent(i, String.format("%03d", i % 100),
        i > 9_900 && i % 100 % 7 == 0 ? null : "profile-" + i));
  }

  @Test
  void anIngestionPipelineFromASourceThroughStrataFlow() throws Exception {
    try (Strata store = Strata.open(SYSTEM.get(), dir, StrataOptions.defaults())) {
      // --- README: begin
      StrataWriteSettings settings = StrataWriteSettings.create(SYSTEM.get()); // strata.stream in the config

      CompletionStage<Long> lastStoredOffset = eventLog()                // Source<UserEvent, ?>
          .via(StrataFlow.write(store, settings, UserEvent::toKeyValue))  // batched, in order per key
          .map(UserEvent::offset)                                         // emitted once acknowledged
          .runWith(Sink.last(), SYSTEM.get());                                  // e.g. commit it to the log
      // --- README: end

      assertEquals(10_000L, lastStoredOffset.toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertEquals("profile-9943", new String(store.get("user/043".getBytes()), StandardCharsets.UTF_8));
      assertNull(store.get("user/042".getBytes()), "user 042 left");

      // --- README: begin
      CompletionStage<List<KeyValue>> users = StrataSource                // from a snapshot, on
          .scan(store, Bound.included("user/".getBytes()), Bound.excluded("user0".getBytes()))
          .runWith(Sink.seq(), SYSTEM.get());                                   // strata.blocking-dispatcher
      // --- README: end

      List<KeyValue> after = users.toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(100 - 15, after.size()); // users 000, 007, ..., 098 left
    }
  }
}
