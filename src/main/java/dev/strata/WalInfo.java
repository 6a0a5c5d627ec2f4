package dev.strata;

/**
 * A write-ahead log that was created or deleted, as {@link StrataListener#onWalCreated} and
 * {@link StrataListener#onWalDeleted} hear of it. Each memtable has its WAL, of the same number: one
 * is created when a memtable starts (at open and at every memtable rotation), and deleted once its
 * memtable's flush is installed (later, if a checkpoint is copying it then). With the WAL off
 * ({@code walEnabled(false)}) there are none, and no such events.
 *
 * @param walNumber the WAL's number (its file is {@code <number>.wal} in the store's directory)
 * @param bytesWritten the bytes of records written to it: 0 when created
 */
public record WalInfo(long walNumber, long bytesWritten) {}
