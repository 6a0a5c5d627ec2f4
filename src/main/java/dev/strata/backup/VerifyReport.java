package dev.strata.backup;

import java.util.List;

/**
 * What {@link StrataBackups#verify} found in one backup.
 *
 * @param id the backup verified
 * @param filesChecked the files read through to recompute their checksum
 * @param bytesChecked the bytes read
 * @param problems one line per problem, each naming the file (its path in the backup directory)
 *     and what is wrong with it: missing, a size or a CRC32C other than the backup recorded, or a
 *     backup meta file that cannot be read; empty when the backup is sound
 */
public record VerifyReport(long id, int filesChecked, long bytesChecked, List<String> problems) {
  public VerifyReport {
    problems = List.copyOf(problems);
  }

  /** Whether every file of the backup is present with the size and checksum it was backed up with. */
  public boolean ok() {
    return problems.isEmpty();
  }

  @Override
  public String toString() {
    return "backup " + id + ": " + (ok() ? "ok" : problems.size() + " problem" + (problems.size() == 1 ? "" : "s"))
        + ", " + filesChecked + " files, " + bytesChecked + " bytes checked";
  }
}
