package dev.strata.akka.projection;

import static java.nio.charset.StandardCharsets.UTF_8;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.testkit.javadsl.TestSourceProvider;
import akka.stream.javadsl.Source;
import com.typesafe.config.ConfigFactory;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The child JVM of {@link ProjectionCrashTest}: runs an exactly-once projection over envelopes 1, 2,
 * 3, ... (each envelope is its own offset) into a store, until it is killed. For envelope {@code n}
 * the handler reads and rewrites two read model records: {@code applied/n}, how many times n was
 * applied, and {@code sum}, the sum of the envelopes applied. Prints {@code first <n>} once the
 * projection processed its first envelope of this run.
 *
 * <p>Usage: {@code ProjectionCrashChild <store directory>}.
 */
public final class ProjectionCrashChild {
  static final ProjectionId ID = ProjectionId.of("crash", "only");
  static final byte[] SUM = "sum".getBytes(UTF_8);

  private ProjectionCrashChild() {}

  static byte[] appliedKey(long n) {
    return ("applied/" + String.format("%012d", n)).getBytes(UTF_8);
  }

  static long readLong(byte[] value) {
    return value == null ? 0 : ByteBuffer.wrap(value).getLong();
  }

  static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  public static void main(String[] args) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "projection-crash-child",
        ConfigFactory.parseString("akka.loglevel = WARNING").withFallback(ConfigFactory.load()));
    Strata store = Strata.open(system, Path.of(args[0]), StrataOptions.builder().memtableSizeBytes(256 * 1024).build());
    TestSourceProvider<Long, Long> envelopes = TestSourceProvider.create(Source.range(1, Integer.MAX_VALUE)
            .map(Integer::longValue), (Long n) -> n)
        .withStartSourceFrom((stored, n) -> n <= stored);
    AtomicBoolean reported = new AtomicBoolean();
    system.systemActorOf(ProjectionBehavior.create(StrataProjection.exactlyOnce(ID, envelopes, store, () -> n -> {
      if (reported.compareAndSet(false, true)) {
        System.out.println("first " + n);
        System.out.flush();
      }
      WriteBatch batch = new WriteBatch();
      batch.put(appliedKey(n), longBytes(readLong(store.get(appliedKey(n))) + 1));
      batch.put(SUM, longBytes(readLong(store.get(SUM)) + n));
      return batch;
    })), "projection", akka.actor.typed.Props.empty());
  }
}
