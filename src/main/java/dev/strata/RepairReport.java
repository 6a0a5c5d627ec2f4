package dev.strata;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Strata#repair} did to a store directory: which files it kept, which it rebuilt and
 * what that cost, and which it moved into {@code lostDirectory} (never deleted). File names are
 * relative to the store directory. Immutable.
 *
 * @param directory the store repaired
 * @param manifest the manifest the repair wrote, which CURRENT now names
 * @param placement how the tables were placed in levels: from the old manifest, when one could be
 *     read whole, or all in level 0 when none could
 * @param lastSequence the last sequence number of the repaired store: beyond every write found
 * @param tablesKept the SSTs that were whole and are kept as they are
 * @param tablesSalvaged the damaged SSTs whose readable entries were written into a new SST
 * @param walsReplayed the WALs read and turned into SSTs
 * @param tablesMerged level-0 tables rewritten together because their key and sequence ranges
 *     overlap (so that a read of a key meets its newest version first)
 * @param movedToLost every file the repaired store no longer uses, as moved into {@code lostDirectory}
 * @param lostDirectory where this repair put the files it moved aside; null when it moved none
 * @param notes everything else worth knowing: a file the manifest names that is missing, an
 *     unreadable CURRENT or OPTIONS file, orphan files
 */
public record RepairReport(Path directory, String manifest, String placement, long lastSequence,
    List<String> tablesKept, List<SalvagedTable> tablesSalvaged, List<ReplayedWal> walsReplayed,
    List<MergedTables> tablesMerged, List<String> movedToLost, Path lostDirectory, List<String> notes) {

  /**
   * A damaged SST: {@code replacement} holds its {@code entriesRecovered} readable entries (null
   * when none was readable); {@code blocksDropped} of its data blocks failed their checksum or did
   * not parse (-1 when the table could not be opened at all); {@code problem} says what was wrong.
   */
  public record SalvagedTable(String file, String replacement, long entriesRecovered, long blocksDropped,
      String problem) {}

  /**
   * A WAL replayed, skipping damaged records: {@code recordsRecovered} records went into
   * {@code table} (null when it held none); {@code bytesDropped} bytes were damaged or a torn tail.
   */
  public record ReplayedWal(String file, String table, long recordsRecovered, long bytesDropped) {

    public boolean damaged() {
      return bytesDropped > 0;
    }
  }

  /** Level-0 tables {@code inputs} rewritten as {@code output}, every version of every key kept. */
  public record MergedTables(List<String> inputs, String output, long entries) {}

  public RepairReport {
    tablesKept = List.copyOf(tablesKept);
    tablesSalvaged = List.copyOf(tablesSalvaged);
    walsReplayed = List.copyOf(walsReplayed);
    tablesMerged = List.copyOf(tablesMerged);
    movedToLost = List.copyOf(movedToLost);
    notes = List.copyOf(notes);
  }

  /** Whether the repair found damage: a salvaged table or a WAL with dropped bytes. */
  public boolean foundDamage() {
    return !tablesSalvaged.isEmpty() || walsReplayed.stream().anyMatch(ReplayedWal::damaged);
  }

  /** One line per finding, for people and logs. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("repaired ").append(directory).append(": ").append(manifest)
        .append(", last sequence ").append(lastSequence).append(", tables placed ").append(placement).append('\n');
    tablesKept.forEach(t -> sb.append("kept ").append(t).append('\n'));
    for (SalvagedTable t : tablesSalvaged) {
      sb.append("salvaged ").append(t.file()).append(" -> ").append(t.replacement() == null ? "nothing" : t.replacement())
          .append(": ").append(t.entriesRecovered()).append(" entries recovered, ")
          .append(t.blocksDropped() < 0 ? "unreadable" : t.blocksDropped() + " data blocks dropped")
          .append(" (").append(t.problem()).append(")\n");
    }
    for (ReplayedWal w : walsReplayed) {
      sb.append("replayed ").append(w.file()).append(" -> ").append(w.table() == null ? "nothing" : w.table())
          .append(": ").append(w.recordsRecovered()).append(" records recovered, ").append(w.bytesDropped())
          .append(" bytes dropped\n");
    }
    for (MergedTables m : tablesMerged) {
      sb.append("merged ").append(String.join(" ", m.inputs())).append(" -> ").append(m.output()).append(": ")
          .append(m.entries()).append(" entries\n");
    }
    movedToLost.forEach(f -> sb.append("moved ").append(f).append(" to ").append(directory.relativize(lostDirectory))
        .append('\n'));
    notes.forEach(n -> sb.append("note: ").append(n).append('\n'));
    return sb.toString();
  }
}
