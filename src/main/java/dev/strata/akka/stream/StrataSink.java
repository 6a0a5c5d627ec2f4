package dev.strata.akka.stream;

import akka.Done;
import akka.japi.function.Function;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import dev.strata.Strata;
import java.util.concurrent.CompletionStage;

/**
 * Writes a stream's elements into a {@link Strata} store: {@link StrataFlow#write} ending in a
 * sink. Its {@code CompletionStage<Done>} completes once the stream has completed and every
 * element's write was acknowledged, or fails with the store's exception when a write fails
 * (batching, ordering, back-pressure and failure as {@link StrataFlow} describes them).
 *
 * <pre>{@code
 * CompletionStage<Done> done = source.runWith(StrataSink.write(store, StrataWriteSettings.create(system)), system);
 * }</pre>
 *
 * <p>Thread-safe factories; each materialization is independent.
 */
public final class StrataSink {
  private StrataSink() {}

  /** Writes each {@link KeyValue} (a put or a delete). */
  public static Sink<KeyValue, CompletionStage<Done>> write(Strata store, StrataWriteSettings settings) {
    return StrataFlow.batches(store, settings).toMat(Sink.ignore(), Keep.right()).named("strataSink");
  }

  /** Writes the operation {@code toKeyValue} makes of each element. */
  public static <T> Sink<T, CompletionStage<Done>> write(Strata store, StrataWriteSettings settings,
      Function<T, KeyValue> toKeyValue) {
    return StrataFlow.batches(store, settings, toKeyValue).toMat(Sink.ignore(), Keep.right()).named("strataSink");
  }
}
