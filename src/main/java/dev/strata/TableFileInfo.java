package dev.strata;

/**
 * An SST that became part of the store or left it, as {@link StrataListener#onTableFileCreated}
 * and {@link StrataListener#onTableFileDeleted} hear of it. A trivial move creates and deletes
 * nothing: the file only changes level.
 *
 * @param fileNumber the SST's number (its file is {@code <number>.sst} in the store's directory)
 * @param sizeBytes the file's size
 * @param reason why it was created ({@link Reason#FLUSH}, {@link Reason#COMPACTION}) or deleted
 *     ({@link Reason#OBSOLETE})
 */
public record TableFileInfo(long fileNumber, long sizeBytes, Reason reason) {
  public TableFileInfo {
    java.util.Objects.requireNonNull(reason, "reason must not be null");
  }

  /** Why an SST was created or deleted. */
  public enum Reason {
    /** Created by a flush, installed at L0. */
    FLUSH,
    /** Created by a compaction, installed at its output level. */
    COMPACTION,
    /**
     * Deleted: a compaction replaced it, and the last reader (iterator, snapshot's read state) that
     * still held it let it go.
     */
    OBSOLETE
  }
}
