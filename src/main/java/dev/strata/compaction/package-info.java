/**
 * Internal: the compaction pickers. Each turns a {@link dev.strata.compaction.LevelShape} (which
 * files sit in which level) into at most one {@link dev.strata.compaction.CompactionTask}. Pure
 * functions over immutable values: no I/O, no engine, no Akka, so the pickers can be tested and
 * simulated from text alone.
 */
package dev.strata.compaction;
