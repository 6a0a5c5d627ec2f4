package dev.strata;

import java.time.Duration;

/**
 * A completed flush, as {@link StrataListener#onFlushCompleted} hears of it.
 *
 * @param fileNumber the number of the SST written (its file is {@code <number>.sst})
 * @param level the level it was installed at (0)
 * @param entries the entries (puts and tombstones) it holds
 * @param bytesWritten the size of the SST: what it added to {@link StrataStats#flushBytesWritten()}, which
 *     also counts the SSTs of flushes that failed to install (a failed manifest append)
 * @param duration from the start of writing the SST to its installation
 */
public record FlushInfo(long fileNumber, int level, long entries, long bytesWritten, Duration duration) {}
