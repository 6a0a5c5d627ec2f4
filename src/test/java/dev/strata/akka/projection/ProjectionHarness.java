package dev.strata.akka.projection;

import static java.nio.charset.StandardCharsets.UTF_8;

import akka.NotUsed;
import akka.projection.ProjectionId;
import akka.projection.testkit.javadsl.TestSourceProvider;
import akka.stream.javadsl.Source;
import dev.strata.Strata;
import dev.strata.WriteBatch;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import java.util.stream.LongStream;

/**
 * Helpers shared by the projection tests: envelopes with {@code Long} offsets from Akka's
 * {@link TestSourceProvider}, and a read model that counts how many times each envelope was applied
 * (a read-modify-write, so that applying an envelope twice shows as a 2).
 */
final class ProjectionHarness {
  private ProjectionHarness() {}

  /** An event at a position of the source. */
  record Envelope(long offset, String event) {}

  static ProjectionId id(String name) {
    return ProjectionId.of(name, "key-1");
  }

  /** Envelopes 1 to {@code count}; the source never completes, as a live query's does not. */
  static TestSourceProvider<Long, Envelope> envelopes(long count) {
    Source<Envelope, NotUsed> events = Source.from(LongStream.rangeClosed(1, count)
        .mapToObj(i -> new Envelope(i, "event-" + i)).toList());
    return TestSourceProvider.create(events, Envelope::offset)
        // A projection restarted from stored offset N starts after N, as a real source provider does.
        .withStartSourceFrom((stored, offset) -> offset <= stored);
  }

  static byte[] appliedKey(long offset) {
    return ("applied/" + String.format("%08d", offset)).getBytes(UTF_8);
  }

  /** The read model's write for {@code envelope}: its applied count, one more than the stored one. */
  static void apply(Strata store, Envelope envelope, WriteBatch batch) {
    byte[] key = appliedKey(envelope.offset());
    byte[] current = store.get(key);
    long count = current == null ? 0 : ByteBuffer.wrap(current).getLong();
    batch.put(key, ByteBuffer.allocate(8).putLong(count + 1).array());
  }

  /** Offset to applied count, for every envelope the read model holds. */
  static Map<Long, Long> appliedCounts(Strata store) {
    Map<Long, Long> counts = new TreeMap<>();
    for (long offset = 1; offset <= 1000; offset++) {
      byte[] value = store.get(appliedKey(offset));
      if (value != null) {
        counts.put(offset, ByteBuffer.wrap(value).getLong());
      }
    }
    return counts;
  }

  /** {@code offset -> 1L} for offsets 1 to {@code count}: each applied exactly once. */
  static Map<Long, Long> eachOnce(long count) {
    Map<Long, Long> counts = new TreeMap<>();
    LongStream.rangeClosed(1, count).forEach(o -> counts.put(o, 1L));
    return counts;
  }

  /**
   * A handler that applies each envelope to the read model and records every call in {@code calls};
   * it throws on the envelopes {@code failOn} picks (tested once per call, so it can fail only once).
   */
  static StrataHandler<Envelope> handler(Strata store, Map<Long, AtomicInteger> calls, LongPredicate failOn) {
    return envelope -> {
      calls.computeIfAbsent(envelope.offset(), o -> new AtomicInteger()).incrementAndGet();
      if (failOn.test(envelope.offset())) {
        throw new IllegalStateException("injected failure at envelope " + envelope.offset());
      }
      WriteBatch batch = new WriteBatch();
      apply(store, envelope, batch);
      return batch;
    };
  }

  /** A grouped handler: one batch for the group; records each group's offsets in {@code groups}. */
  static StrataHandler<List<Envelope>> groupedHandler(Strata store, List<List<Long>> groups) {
    return envelopes -> {
      groups.add(envelopes.stream().map(Envelope::offset).toList());
      WriteBatch batch = new WriteBatch();
      for (Envelope envelope : envelopes) {
        apply(store, envelope, batch);
      }
      return batch;
    };
  }

  static Map<Long, AtomicInteger> newCalls() {
    return new ConcurrentHashMap<>();
  }

  /** Offset to call count, comparable with {@code assertEquals}. */
  static Map<Long, Integer> callCounts(Map<Long, AtomicInteger> calls) {
    Map<Long, Integer> counts = new TreeMap<>();
    calls.forEach((offset, n) -> counts.put(offset, n.get()));
    return counts;
  }
}
