package dev.strata.akka.projection;

import dev.strata.WriteBatch;

/**
 * The handler of a {@link StrataProjection}: turns an envelope (or, for {@code groupedWithin}, a list
 * of envelopes) into the writes of the read model. It does not write them itself: the projection
 * writes the returned batch, and for an exactly-once or grouped projection adds the new offset to it,
 * so that the read model and the offset commit in one atomic write.
 *
 * <p>It may read the store (for instance a read model row it updates): the projection processes one
 * envelope, or group, at a time, and writes the batch before handing it the next, so it always reads
 * its own earlier writes. It runs on {@code strata.projection.dispatcher}, never on the store's writer
 * thread; a handler factory creates one instance per run of the projection, and each is called by one
 * thread at a time.
 *
 * @param <Envelope> what the handler processes: an envelope, or a {@code java.util.List} of them
 */
@FunctionalInterface
public interface StrataHandler<Envelope> {
  /**
   * The writes of {@code envelope} for the read model; an empty batch when there are none. Throwing
   * fails the envelope, which the projection's {@code HandlerRecoveryStrategy} then handles
   * (fail and restart from the stored offset, by default), and writes nothing of it.
   */
  WriteBatch process(Envelope envelope) throws Exception;
}
