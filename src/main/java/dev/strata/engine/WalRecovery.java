package dev.strata.engine;

import dev.strata.CorruptionException;
import dev.strata.WalRecoveryMode;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import dev.strata.log.LogFormat;
import dev.strata.log.LogReader;
import dev.strata.manifest.ManifestState;
import dev.strata.memtable.Memtable;
import dev.strata.wal.WalReplay;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays the live WALs of a store being opened, oldest first, each into its own memtable, as its
 * {@link WalRecoveryMode} says, and names the WALs that were not replayed to their end, which
 * {@link #keepAside} copies into the {@code lost} directory before recovery lets go of them.
 *
 * <p>What counts as a loss, oldest WAL first: damage the reader reports (a bad record, a hole of
 * zeros followed by data, a bad file header, a record that does not decode); a torn last record;
 * a WAL whose first sequence does not follow the last one of the WAL before it (the earlier one
 * lost its tail cleanly: WALs are synced lazily, and the kernel may write back a newer one's pages
 * first); a retired WAL that ends before the last sequence the manifest recorded when its memtable
 * froze (which catches an older WAL that lost every write); a WAL whose valid prefix ends before
 * the synced length the manifest recorded for it. A loss before a recorded synced point is
 * corruption in every mode but salvage.
 *
 * <p>Not thread-safe: one recovery runs it once.
 */
final class WalRecovery {
  private static final Logger log = LoggerFactory.getLogger(WalRecovery.class);

  /**
   * What replay recovered: a memtable per WAL that held writes (oldest first, empty ones and the
   * kept one left out), the last sequence, the WALs to keep in {@code lost/}, the newest WAL when it
   * may stay live (null otherwise; see {@link #run(ManifestState, boolean)}); for the open's
   * summary, the WALs read and the bytes of log data not replayed (torn, damaged, or after where
   * replay stopped).
   */
  record Outcome(List<Memtable> memtables, long lastSequence, List<Long> keepAside, Kept kept, int walsReplayed,
      long bytesDropped) {}

  /**
   * The newest WAL, replayed whole, that the open may keep live and append to instead of flushing
   * it: its number, the memtable it replayed into (possibly empty), {@code end} the offset just
   * past its last record, where appends continue, and the synced length the manifest recorded for
   * it (-1 when none), which the new manifest must keep.
   */
  record Kept(long wal, Memtable memtable, long end, long syncedBytes) {}

  private final Path dir;
  private final FileSystem fs;
  private final WalRecoveryMode mode;
  private final long memtableSizeBytes;

  WalRecovery(Path dir, FileSystem fs, WalRecoveryMode mode, long memtableSizeBytes) {
    this.dir = dir;
    this.fs = fs;
    this.mode = mode;
    this.memtableSizeBytes = memtableSizeBytes;
  }

  /** Replays every live WAL; none is kept live (a read-only open, or a read-write one that flushes them all). */
  Outcome run(ManifestState state) throws IOException {
    return run(state, false);
  }

  /**
   * Replays every live WAL; with {@code mayKeepNewest}, the newest one is {@link Kept} rather than
   * handed back among the memtables to flush when keeping it live loses nothing and changes
   * nothing a later recovery relies on: it replayed to its end, with no damage, no torn or dropped
   * bytes, no gap before it, nothing stopped before it, and every byte recorded as synced; it is
   * not retired (its memtable never froze); its memtable is below the memtable size (else it would
   * freeze at the first write). A WAL that lost anything must not stay live: it would still be
   * damaged at the next recovery, whose rules would then drop the WALs written after it.
   */
  Outcome run(ManifestState state, boolean mayKeepNewest) throws IOException {
    boolean salvage = mode == WalRecoveryMode.SKIP_ANY_CORRUPTED_RECORDS;
    List<Memtable> memtables = new ArrayList<>();
    List<Long> keepAside = new ArrayList<>();
    long lastSequence = 0;
    String stoppedAt = null; // point-in-time: where replay stopped; every newer WAL is after the gap
    long previousLast = 0; // last sequence of the newest WAL replayed that held writes; 0: none yet
    int replayedWals = 0;
    long dropped = 0;
    Kept kept = null;
    List<Long> live = state.liveWals();
    for (long wal : live) {
      Path path = FileNames.wal(dir, wal);
      String name = path.getFileName().toString();
      long synced = state.walSyncedBytes(wal);
      if (!fs.exists(path)) {
        throw new CorruptionException("WAL " + path + " is listed as live in the manifest but missing");
      }
      if (stoppedAt != null) {
        long dataEnd = dataEnd(path);
        if (synced > LogFormat.FILE_HEADER_SIZE) {
          throw new CorruptionException(name + ": " + synced + " bytes of it were recorded as synced, but replay "
              + "stopped in an older WAL (" + stoppedAt + "), and these writes come after that gap");
        }
        if (dataEnd > LogFormat.FILE_HEADER_SIZE) {
          dropped += dataEnd - LogFormat.FILE_HEADER_SIZE;
          log.warn("{}: not replayed, dropped {} bytes from offset {}: they come after the gap where replay "
              + "stopped ({}); kept as {}", name, dataEnd - LogFormat.FILE_HEADER_SIZE, LogFormat.FILE_HEADER_SIZE,
              stoppedAt, keptName(wal));
          keepAside.add(wal);
        }
        continue;
      }
      Memtable m = new Memtable(wal, memtableSizeBytes);
      WalReplay.Result r = WalReplay.replay(fs, path, salvage, m::add);
      replayedWals++;

      boolean afterGap = r.records() > 0 && previousLast != 0 && r.firstSequence() != previousLast + 1;
      if (afterGap) {
        String gap = name + ": its first write has sequence " + r.firstSequence() + ", but the WAL before it ends at "
            + previousLast + ": that WAL lost its tail (power loss before it was synced)";
        if (mode == WalRecoveryMode.ABSOLUTE_CONSISTENCY) {
          throw new CorruptionException(gap);
        }
        if (!salvage && synced > LogFormat.FILE_HEADER_SIZE) {
          throw new CorruptionException(gap + ", and " + synced + " bytes of this one were recorded as synced");
        }
        if (!salvage) {
          dropped += r.dataEnd() - LogFormat.FILE_HEADER_SIZE;
          log.warn("{}; not replayed, dropped {} bytes from offset {}, kept as {}", gap,
              r.dataEnd() - LogFormat.FILE_HEADER_SIZE, LogFormat.FILE_HEADER_SIZE, keptName(wal));
          keepAside.add(wal);
          stoppedAt = name + " at offset " + LogFormat.FILE_HEADER_SIZE;
          continue;
        }
        log.warn("{}; salvaging it anyway", gap);
      }

      for (WalReplay.Damage d : r.damage()) {
        boolean beforeSyncPoint = d.offset() < synced;
        String where = d.problem() + (beforeSyncPoint ? " (before the " + synced + " bytes of " + name
            + " recorded as synced)" : "");
        if (mode == WalRecoveryMode.ABSOLUTE_CONSISTENCY || (beforeSyncPoint && !salvage)) {
          throw new CorruptionException(where);
        }
        if (salvage) {
          long end = d.resumedAt() < 0 ? r.dataEnd() : d.resumedAt();
          dropped += end - d.offset();
          String message = "{}: skipped {} bytes from offset {} to salvage what follows; kept as {}";
          if (beforeSyncPoint) {
            log.error(message, where, end - d.offset(), d.offset(), keptName(wal));
          } else {
            log.warn(message, where, end - d.offset(), d.offset(), keptName(wal));
          }
        } else {
          dropped += Math.max(0, r.dataEnd() - d.offset());
          log.warn("{}: replay stopped; dropped {} bytes from offset {} (and every newer WAL); kept as {}", where,
              Math.max(0, r.dataEnd() - d.offset()), d.offset(), keptName(wal));
          stoppedAt = name + " at offset " + d.offset();
        }
      }
      if (!r.complete()) {
        keepAside.add(wal);
      }

      if (r.tornTail()) {
        String torn = r.replayedEnd() < synced
            ? name + ": a cut-short record at offset " + r.replayedEnd() + ", before the " + synced
                + " bytes recorded as synced: synced writes are lost"
            : name + ": torn last record at offset " + r.replayedEnd() + " (" + (r.dataEnd() - r.replayedEnd())
                + " bytes; a write the crash interrupted)";
        if (mode == WalRecoveryMode.ABSOLUTE_CONSISTENCY || (r.replayedEnd() < synced && !salvage)) {
          throw new CorruptionException(torn + (r.replayedEnd() < synced ? "" : "; ABSOLUTE_CONSISTENCY does not drop it"));
        }
        dropped += r.dataEnd() - r.replayedEnd();
        if (r.replayedEnd() < synced) {
          log.error("{}; salvaging what precedes it", torn);
        } else {
          log.warn("{}: dropped", torn);
        }
        if (!salvage) {
          stoppedAt = name + " at offset " + r.replayedEnd();
        }
      } else if (r.complete() && r.replayedEnd() < synced) {
        // Cut short at a record boundary, before what was synced.
        String cut = name + ": ends at offset " + r.replayedEnd() + ", before the " + synced
            + " bytes recorded as synced";
        if (!salvage) {
          throw new CorruptionException(cut);
        }
        log.error("{}: synced writes are lost", cut);
      }

      long retiredEnd = state.retiredWalEnd(wal);
      if (retiredEnd >= 0 && r.lastSequence() < retiredEnd && r.complete() && !r.tornTail()) {
        // Not a torn record but a clean end before the last write: the unsynced tail never reached
        // the disk. What it held is lost; what came after must go too.
        String lost = name + ": ends at sequence " + r.lastSequence() + ", but held writes up to " + retiredEnd
            + " when its memtable froze: its tail was lost (power loss before it was synced)";
        if (mode == WalRecoveryMode.ABSOLUTE_CONSISTENCY) {
          throw new CorruptionException(lost);
        }
        log.warn("{}", lost);
        if (!salvage) {
          stoppedAt = name + " at offset " + r.replayedEnd();
        }
      }
      if (r.records() > 0) {
        previousLast = r.lastSequence();
      }
      lastSequence = Math.max(lastSequence, r.lastSequence());
      boolean newest = wal == live.get(live.size() - 1);
      if (mayKeepNewest && newest && stoppedAt == null && !afterGap && replayedWhole(r, synced) && retiredEnd < 0
          && m.approximateBytes() < memtableSizeBytes) {
        kept = new Kept(wal, m, r.replayedEnd(), synced);
      } else if (!m.isEmpty()) {
        memtables.add(m);
      }
    }
    return new Outcome(memtables, lastSequence, keepAside, kept, replayedWals, dropped);
  }

  /**
   * Whether replay read every byte of the WAL's data as whole records: a trustworthy file header,
   * no damage, no torn record, nothing but zeros after the last record (the zero-filled tail of a
   * mapped file), and at least what the manifest recorded as synced.
   */
  private static boolean replayedWhole(WalReplay.Result r, long synced) {
    return r.complete() && !r.tornTail() && r.replayedEnd() >= LogFormat.FILE_HEADER_SIZE
        && r.dataEnd() <= r.replayedEnd() && r.replayedEnd() >= synced;
  }

  /**
   * Copies the WALs in {@code wals} into the {@code lost} directory, synced, before recovery
   * commits a manifest that no longer lists them (after which the originals are deleted as
   * obsolete): a copy, not a rename, so that a crash at any point leaves either the original
   * listed as live (and the next open does the same again) or the copy safe.
   */
  void keepAside(List<Long> wals) throws IOException {
    if (wals.isEmpty()) {
      return;
    }
    Path lost = dir.resolve(FileNames.LOST_DIR);
    fs.createDirectories(lost);
    for (long wal : wals) {
      Path from = FileNames.wal(dir, wal);
      Path to = lost.resolve(from.getFileName());
      Path temp = FileNames.temp(to);
      fs.delete(temp);
      try (ReadableFile in = fs.openReadable(from); WritableFile out = fs.create(temp)) {
        long end = LogReader.dataEnd(in);
        byte[] buf = new byte[LogFormat.BLOCK_SIZE];
        for (long pos = 0; pos < end; pos += buf.length) {
          int n = (int) Math.min(buf.length, end - pos);
          in.readFully(pos, buf, 0, n);
          out.append(buf, 0, n);
        }
        out.sync();
      }
      fs.rename(temp, to);
    }
    fs.syncDirectory(lost);
    fs.syncDirectory(dir); // the lost directory itself, when it is new
  }

  private String keptName(long wal) {
    return FileNames.LOST_DIR + "/" + FileNames.wal(dir, wal).getFileName();
  }

  private long dataEnd(Path path) throws IOException {
    try (ReadableFile in = fs.openReadable(path)) {
      return LogReader.dataEnd(in);
    }
  }
}
