package dev.strata.engine;

import dev.strata.CompactionBeginInfo;
import dev.strata.CompactionInfo;
import dev.strata.FlushBeginInfo;
import dev.strata.FlushInfo;
import dev.strata.StrataStats;
import dev.strata.TableFileInfo;
import dev.strata.WalInfo;
import dev.strata.WriteStallCause;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a store tells the world of its background work: each happening becomes a log line and an
 * event for its listeners ({@link ListenerEvents}, which delivers them off the calling thread).
 * INFO is for what an operator reads: one line per flush and per compaction as it is installed,
 * write stalls as they begin and end, and the periodic stats line; the begin of each job and the
 * creation and deletion of each file are at DEBUG. Nothing is formatted when its level is off
 * (SLF4J's placeholders, and an {@code isInfoEnabled} guard where an argument costs work), so
 * that the writer's hot paths pay nothing for a quiet log.
 *
 * <p>Thread-safety: every method may be called from any thread (the writer's, or the closing
 * thread that releases the store once the writer has stopped); it logs and queues, never blocks.
 */
final class StoreEvents {
  private static final Logger log = LoggerFactory.getLogger(StoreEvents.class);

  private final Object store;
  private final ListenerEvents listeners;

  StoreEvents(Object store, ListenerEvents listeners) {
    this.store = store;
    this.listeners = listeners;
  }

  void flushBegin(FlushBeginInfo info) {
    log.debug("store {}: flushing memtable {} ({} entries, {} B)", store, info.memtableNumber(), info.entries(),
        info.memtableBytes());
    listeners.emit("onFlushBegin", l -> l.onFlushBegin(info));
  }

  void flushCompleted(FlushInfo info) {
    if (log.isInfoEnabled()) {
      log.info("store {}: flushed {} entries into {} at L{}: {} B in {} ms", store, info.entries(),
          sstName(info.fileNumber()), info.level(), info.bytesWritten(), info.duration().toMillis());
    }
    listeners.emit("onFlushCompleted", l -> l.onFlushCompleted(info));
  }

  void compactionBegin(CompactionBeginInfo info) {
    if (log.isDebugEnabled()) {
      log.debug("store {}: compaction of {} -> L{} begins ({}; {} B{})", store,
          files(info.inputLevels(), info.inputFileNumbers()), info.outputLevel(), info.reason(), info.inputBytes(),
          info.trivialMove() ? ", trivial move" : "");
    }
    listeners.emit("onCompactionBegin", l -> l.onCompactionBegin(info));
  }

  /** {@code reason} is the one its begin gave, for the log line. */
  void compactionCompleted(CompactionInfo info, String reason) {
    if (log.isInfoEnabled()) {
      if (info.trivialMove()) {
        log.info("store {}: moved {} to L{} (trivial move; {}) in {} ms", store,
            files(info.inputLevels(), info.inputFileNumbers()), info.outputLevel(), reason, info.duration().toMillis());
      } else {
        log.info("store {}: compacted {} into L{}{} ({}): read {} B, wrote {} B in {} ms", store,
            files(info.inputLevels(), info.inputFileNumbers()), info.outputLevel(), info.outputFileNumbers(), reason,
            info.bytesRead(), info.bytesWritten(), info.duration().toMillis());
      }
    }
    listeners.emit("onCompactionCompleted", l -> l.onCompactionCompleted(info));
  }

  void writeStallBegin(WriteStallCause cause) {
    log.info("store {}: write stall begins: {}", store, cause);
    listeners.emit("onWriteStallBegin", l -> l.onWriteStallBegin(cause));
  }

  void writeStallEnd(WriteStallCause cause, long nanos) {
    Duration duration = Duration.ofNanos(nanos);
    log.info("store {}: write stall ends: {} after {} ms", store, cause, duration.toMillis());
    listeners.emit("onWriteStallEnd", l -> l.onWriteStallEnd(cause, duration));
  }

  void tableFileCreated(TableFileInfo info) {
    if (log.isDebugEnabled()) {
      log.debug("store {}: created {} ({} B, {})", store, sstName(info.fileNumber()), info.sizeBytes(), info.reason());
    }
    listeners.emit("onTableFileCreated", l -> l.onTableFileCreated(info));
  }

  void tableFileDeleted(TableFileInfo info) {
    if (log.isDebugEnabled()) {
      log.debug("store {}: deleted {} ({} B, {})", store, sstName(info.fileNumber()), info.sizeBytes(), info.reason());
    }
    listeners.emit("onTableFileDeleted", l -> l.onTableFileDeleted(info));
  }

  void walCreated(WalInfo info) {
    log.debug("store {}: created WAL {}", store, info.walNumber());
    listeners.emit("onWalCreated", l -> l.onWalCreated(info));
  }

  void walDeleted(WalInfo info) {
    log.debug("store {}: deleted WAL {} ({} B written)", store, info.walNumber(), info.bytesWritten());
    listeners.emit("onWalDeleted", l -> l.onWalDeleted(info));
  }

  /** The periodic one-line summary of the store ({@code strata.stats-log-interval}). */
  void logStats(StrataStats s) {
    if (!log.isInfoEnabled()) {
      return;
    }
    StringBuilder levels = new StringBuilder();
    for (int i = 0; i < s.levelFileCounts().length; i++) {
      if (i == 0 || s.levelFileCounts()[i] > 0) {
        levels.append(levels.length() == 0 ? "" : " ").append('L').append(i).append('=')
            .append(s.levelFileCounts()[i]).append('/').append(s.levelBytes()[i]).append('B');
      }
    }
    log.info("store {} stats: memtable {} B + {} frozen ({} B); levels (files/bytes) {}; written user {} B, "
        + "wal {} B, flush {} B, compaction {} B (write amplification {}); compactions {}; write stalls {} ms "
        + "(longest {} ms); last sequence {}", store, s.memtableBytes(), s.immutableMemtables(),
        s.immutableMemtableBytes(), levels, s.userBytesWritten(), s.walBytesWritten(), s.flushBytesWritten(),
        s.compactionBytesWritten(), String.format(java.util.Locale.ROOT, "%.2f", s.writeAmplification()),
        s.compactions(), s.writeStallNanos() / 1_000_000, s.longestWriteStallNanos() / 1_000_000, s.lastSequence());
  }

  private static String sstName(long number) {
    return FileNames.sst(java.nio.file.Path.of(""), number).toString();
  }

  /** {@code L0[12,11] L1[7]}: the files of a compaction by level, as CompactionTask#summary prints them. */
  private static String files(java.util.List<Integer> levels, java.util.List<Long> numbers) {
    StringBuilder sb = new StringBuilder();
    int previous = -1;
    for (int i = 0; i < numbers.size(); i++) {
      int level = levels.get(i);
      if (level != previous) {
        sb.append(previous < 0 ? "" : "] ").append('L').append(level).append('[');
        previous = level;
      } else {
        sb.append(',');
      }
      sb.append(numbers.get(i));
    }
    return sb.append(previous < 0 ? "" : "]").toString();
  }
}
