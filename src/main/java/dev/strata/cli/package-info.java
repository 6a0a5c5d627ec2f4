/**
 * The {@code strata} command: {@code bench}, {@code shell} and {@code dump-sst}. It talks to the
 * store only through the public API in {@code dev.strata}; {@code dump-sst} is the one knowing
 * exception, since reading a single SST file is an internal concern by nature. Nothing here is
 * part of the public API.
 */
package dev.strata.cli;
