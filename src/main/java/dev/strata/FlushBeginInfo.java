package dev.strata;

/**
 * A flush about to start, as {@link StrataListener#onFlushBegin} hears of it. Flushes run one at a
 * time, so each is followed by its {@link StrataListener#onFlushCompleted} (or, if it fails, by
 * {@link StrataListener#onBackgroundError}) before the next one begins.
 *
 * <p>With {@code memtablesPerFlush} above 1 one flush may write several frozen memtables into one
 * SST: then the number is the oldest one's, and entries and bytes are their sums.
 *
 * @param memtableNumber the number of the frozen memtable to be written, which is also the number
 *     of its WAL ({@code <number>.wal}), deleted once the flush is installed
 * @param entries the entries (puts and tombstones) the memtable holds
 * @param memtableBytes the memtable's approximate size in memory
 */
public record FlushBeginInfo(long memtableNumber, long entries, long memtableBytes) {}
