/**
 * Akka Streams stages for Strata, Java-first ({@code akka.stream.javadsl}); they need
 * {@code akka-stream} on the classpath, an optional dependency of Strata.
 *
 * <ul>
 *   <li>{@link dev.strata.akka.stream.StrataFlow#write} and
 *       {@link dev.strata.akka.stream.StrataSink#write}: elements grouped into write batches,
 *       written with bounded parallelism, in order per key, back-pressured by the store, passed on
 *       (or the sink completed) only once acknowledged.</li>
 *   <li>{@link dev.strata.akka.stream.StrataSource#scan}: a key range streamed from a snapshot,
 *       on the blocking dispatcher, closed on completion, failure and cancellation.</li>
 *   <li>{@link dev.strata.akka.stream.KeyValue}: the element, a put or a delete;
 *       {@link dev.strata.akka.stream.StrataWriteSettings}: batch size, window, bytes and
 *       parallelism, from {@code strata.stream} in the configuration.</li>
 * </ul>
 *
 * Public API, like {@code dev.strata}: add to it, never break it.
 */
package dev.strata.akka.stream;
