package dev.strata.backup;

import java.time.Instant;

/**
 * One backup, as {@link StrataBackups#create} made it and {@link StrataBackups#list} reads it back.
 *
 * @param id the backup's number in its backup directory; later backups have higher ids
 * @param timestamp when the backup was made (to the millisecond)
 * @param fileCount the files the backup is made of: its SSTs (shared with other backups or not),
 *     and its manifest, CURRENT, OPTIONS and WAL files
 * @param totalBytes the size of those files: what a restore writes
 * @param newBytes the bytes this backup added to the backup directory when it was made: the SSTs
 *     no earlier backup held, plus its own manifest, CURRENT, OPTIONS and WAL files
 * @param lastSequence the sequence number of the newest write the backup holds: a store restored
 *     from it starts at this sequence
 */
public record BackupInfo(long id, Instant timestamp, int fileCount, long totalBytes, long newBytes,
    long lastSequence) {

  @Override
  public String toString() {
    return "backup " + id + ": " + timestamp + ", " + fileCount + " files, " + totalBytes + " bytes ("
        + newBytes + " new), last sequence " + lastSequence;
  }
}
