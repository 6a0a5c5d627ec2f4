/**
 * Micrometer metrics for Strata: {@link dev.strata.metrics.StrataMetrics} binds one store's
 * {@link dev.strata.StrataStats} to a {@code MeterRegistry}, as gauges and function counters
 * tagged with the store. It needs {@code io.micrometer:micrometer-core} (1.13 or newer) on the
 * classpath, an optional dependency of Strata: nothing outside this package refers to Micrometer,
 * so applications without it never load it.
 *
 * Public API, like {@code dev.strata}: add to it, never break it.
 */
package dev.strata.metrics;
