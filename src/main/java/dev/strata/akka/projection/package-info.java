/**
 * Akka Projections on a Strata store: {@link dev.strata.akka.projection.StrataProjection} builds
 * exactly-once, at-least-once and grouped projections whose handlers return a {@link
 * dev.strata.WriteBatch} for the read model, and keeps each projection's offset and management
 * state (paused or not) in the same store ({@link dev.strata.akka.projection.StrataOffsetStore}).
 * An exactly-once projection commits the read model's batch and the new offset in one atomic
 * write, so a crash can never leave one without the other.
 *
 * <p>Needs {@code akka-projection-core} 1.4.x (an optional dependency of Strata). Key layout:
 * {@link dev.strata.akka.projection.OffsetKeys}; value format: {@link
 * dev.strata.akka.projection.OffsetRecords}. Only {@code StrataProjection}, {@code StrataHandler}
 * and {@code StrataOffsetStore} are meant for users.
 */
package dev.strata.akka.projection;
