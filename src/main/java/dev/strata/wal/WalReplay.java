package dev.strata.wal;

import dev.strata.CorruptionException;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.log.LogReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a WAL back at recovery, handing every write it holds to a sink, and says exactly where it
 * stopped and why; the caller's {@link dev.strata.WalRecoveryMode} decides what that means. A torn
 * last record (a write the crash interrupted) is dropped and reported. Damage (a bad log record, a
 * record whose payload does not decode, a damaged file header) ends the replay, or with
 * {@code salvage} is skipped: the rest of its 32 KiB log block, or the one undecodable record. A
 * record is handed over all or nothing. Thread-safe (stateless).
 */
public final class WalReplay {
  /**
   * One damaged region: it starts at {@code offset} (a fragment or record start, or 0 for a bad
   * file header); replay resumed at {@code resumedAt}, or -1 when it stopped there. {@code problem}
   * is the CorruptionException's message, which names the file and offset.
   */
  public record Damage(long offset, long resumedAt, String problem) {}

  /**
   * What one WAL held and how it ended: the sequences of its first and last writes replayed (both 0
   * when none), their count, {@code replayedEnd} the offset just past the last record replayed (the
   * end of the file header when none was; 0 for an empty file), whether a torn last record was
   * dropped, the damage met in file order, and {@code dataEnd} the offset past the last byte that is
   * not zero (for reports of what was dropped).
   */
  public record Result(long firstSequence, long lastSequence, long records, long replayedEnd, boolean tornTail,
      List<Damage> damage, long dataEnd) {

    /** Whether replay reached every whole record the file holds. */
    public boolean complete() {
      return damage.isEmpty();
    }
  }

  private WalReplay() {}

  /** Replays {@code path} into {@code sink}, stopping at the first damage (or skipping it with {@code salvage}). */
  public static Result replay(FileSystem fs, Path path, boolean salvage, WalBatchCodec.Sink sink) throws IOException {
    String name = path.getFileName().toString();
    try (ReadableFile in = fs.openReadable(path)) {
      LogReader reader;
      try {
        reader = new LogReader(in, name, WalWriter.LOG_KIND);
      } catch (CorruptionException e) {
        // Without a trustworthy header nothing in the file can be told from anything else.
        return new Result(0, 0, 0, 0, false, List.of(new Damage(0, -1, e.getMessage())), in.size());
      }
      List<Damage> damage = new ArrayList<>();
      long first = 0;
      long last = 0;
      long records = 0;
      long replayedEnd = reader.validEnd();
      while (true) {
        byte[] payload;
        try {
          payload = reader.next();
        } catch (CorruptionException e) {
          long at = reader.position();
          if (!salvage) {
            damage.add(new Damage(at, -1, e.getMessage()));
            break;
          }
          damage.add(new Damage(at, reader.skipDamage(), e.getMessage()));
          continue;
        }
        if (payload == null) {
          break;
        }
        long at = reader.lastRecordStart();
        long recordLast;
        try {
          recordLast = WalBatchCodec.decode(payload, name + " at offset " + at, sink);
        } catch (CorruptionException e) {
          // The log framing and checksum are fine, the payload is not: this record alone is bad.
          damage.add(new Damage(at, salvage ? reader.validEnd() : -1, e.getMessage()));
          if (!salvage) {
            break;
          }
          continue;
        }
        if (records == 0) {
          first = WalBatchCodec.firstSequence(payload);
        }
        last = Math.max(last, recordLast);
        records++;
        replayedEnd = reader.validEnd();
      }
      return new Result(first, last, records, replayedEnd, reader.tornTail(), List.copyOf(damage), LogReader.dataEnd(in));
    }
  }
}
