package dev.strata.cli;

import dev.strata.akka.stream.StrataWriteSettings;

/**
 * One {@code strata bench ingest} run. Immutable.
 *
 * @param bench keys, values, seed, directory and store options, as for bench (one thread, fillrandom)
 * @param settings how StrataFlow batches: the configuration's {@code strata.stream}, overridden by flags
 * @param streamFirst run the stream fill before the synchronous one in the first round
 * @param rounds how many times both fills run, alternating which goes first
 */
record IngestConfig(BenchConfig bench, StrataWriteSettings settings, boolean streamFirst, int rounds) {}
