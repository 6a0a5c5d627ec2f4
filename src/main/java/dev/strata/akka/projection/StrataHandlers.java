package dev.strata.akka.projection;

import akka.Done;
import akka.projection.ProjectionId;
import akka.projection.javadsl.Handler;
import akka.projection.scaladsl.SourceProvider;
import dev.strata.WriteBatch;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Akka Projections handlers around a {@link StrataHandler}: each runs the user's handler on the
 * offset store's executor (so never on the writer's thread, nor on Akka's default dispatcher, since
 * the write blocks), writes the batch it returns, and, for exactly-once and grouped processing, adds
 * the put of the new offset to that batch first, so the read model and the offset commit together or
 * not at all.
 *
 * <p>Akka Projections calls a handler for one envelope (or group) at a time and waits for its
 * future, so a handler instance is never called concurrently; the handlers hold no mutable state.
 */
final class StrataHandlers {
  private StrataHandlers() {}

  /** A handler of single envelopes; with {@code withOffset}, the envelope's offset commits in its batch. */
  static <Offset, Envelope> Handler<Envelope> single(StrataHandler<Envelope> user, StrataOffsetStore offsets,
      ProjectionId projectionId, SourceProvider<Offset, Envelope> sourceProvider, boolean withOffset) {
    return new Handler<>() {
      @Override
      public CompletionStage<Done> process(Envelope envelope) {
        return offsets.async(() -> {
          WriteBatch batch = call(user, envelope, projectionId);
          if (withOffset) {
            offsets.addOffset(batch, projectionId, sourceProvider.extractOffset(envelope));
          }
          write(offsets, batch);
          return Done.getInstance();
        });
      }
    };
  }

  /** A handler of groups: the batch of the group and the offset of its last envelope commit together. */
  static <Offset, Envelope> Handler<List<Envelope>> grouped(StrataHandler<List<Envelope>> user,
      StrataOffsetStore offsets, ProjectionId projectionId, SourceProvider<Offset, Envelope> sourceProvider) {
    return new Handler<>() {
      @Override
      public CompletionStage<Done> process(List<Envelope> envelopes) {
        return offsets.async(() -> {
          WriteBatch batch = call(user, List.copyOf(envelopes), projectionId);
          offsets.addOffset(batch, projectionId, sourceProvider.extractOffset(envelopes.get(envelopes.size() - 1)));
          write(offsets, batch);
          return Done.getInstance();
        });
      }
    };
  }

  private static <E> WriteBatch call(StrataHandler<E> user, E input, ProjectionId projectionId) {
    WriteBatch batch;
    try {
      batch = user.process(input);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new HandlerException(projectionId, e);
    }
    if (batch == null) {
      throw new NullPointerException("the handler of projection " + projectionId
          + " returned null; return an empty WriteBatch when an envelope writes nothing");
    }
    return batch;
  }

  private static void write(StrataOffsetStore offsets, WriteBatch batch) {
    if (!batch.isEmpty()) {
      offsets.store().write(batch);
    }
  }

  /** A checked exception of the user's handler, carried unchanged as the cause. */
  static final class HandlerException extends RuntimeException {
    HandlerException(ProjectionId projectionId, Exception cause) {
      super("the handler of projection " + projectionId + " failed: " + cause, cause);
    }
  }
}
