/**
 * The {@code strata} command: {@code bench}, {@code shell}, {@code dump-sst} and
 * {@code compaction-sim}. It talks to the store only through the public API in
 * {@code dev.strata}; {@code dump-sst} (reading a single SST file) and {@code compaction-sim}
 * (replaying the compaction pickers with no store at all) are the knowing exceptions, since both
 * are about internals by nature. Nothing here is part of the public API, nor of the library
 * artifact: this source root (src/tools/java) builds into target/strata.jar only, with logback as
 * its logging backend (conf/logback.xml).
 */
package dev.strata.cli;
