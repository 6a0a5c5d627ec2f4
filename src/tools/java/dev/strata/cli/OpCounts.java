package dev.strata.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Operations of a mixed workload by kind, summed over its threads: what a YCSB line reports
 * beside its total, and what a test checks the mix against. Immutable.
 *
 * @param reads gets of keys (every read workload's, and the YCSB reads)
 * @param updates puts over keys the store holds (YCSB A and B)
 * @param inserts puts of keys new to the store (YCSB E)
 * @param scans short scans (YCSB E)
 * @param scanEntries entries those scans read
 * @param readModifyWrites a get then a put of the same key (YCSB F)
 */
record OpCounts(long reads, long updates, long inserts, long scans, long scanEntries, long readModifyWrites) {
  static final OpCounts NONE = new OpCounts(0, 0, 0, 0, 0, 0);

  OpCounts plus(OpCounts o) {
    return new OpCounts(reads + o.reads, updates + o.updates, inserts + o.inserts, scans + o.scans,
        scanEntries + o.scanEntries, readModifyWrites + o.readModifyWrites);
  }

  /** "read 475 (found 475), update 25": the kinds that occurred, with the reads' hits. */
  String describe(long found) {
    List<String> parts = new ArrayList<>();
    if (reads > 0) {
      parts.add("read " + reads + " (found " + found + ")");
    }
    if (updates > 0) {
      parts.add("update " + updates);
    }
    if (inserts > 0) {
      parts.add("insert " + inserts);
    }
    if (scans > 0) {
      parts.add("scan " + scans + " (" + scanEntries + " entries)");
    }
    if (readModifyWrites > 0) {
      parts.add("read-modify-write " + readModifyWrites);
    }
    return String.join(", ", parts);
  }
}
