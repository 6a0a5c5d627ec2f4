package dev.strata.wal;

import dev.strata.fs.FileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.log.LogReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a WAL back at recovery, handing every write it holds to a sink. A torn last record (a
 * write the crash interrupted, which was never acknowledged) is dropped and reported; a complete
 * record that fails its checksum is a {@link dev.strata.CorruptionException} naming file and
 * offset.
 */
public final class WalReplay {
  /**
   * What one WAL held: the sequences of its first and last writes (both 0 when it held none),
   * whether its tail was torn, its record count.
   */
  public record Result(long firstSequence, long lastSequence, boolean tornTail, long records) {}

  private WalReplay() {}

  public static Result replay(FileSystem fs, Path path, WalBatchCodec.Sink sink) throws IOException {
    String name = path.getFileName().toString();
    try (ReadableFile in = fs.openReadable(path)) {
      LogReader reader = new LogReader(in, name, WalWriter.LOG_KIND);
      long first = 0;
      long last = 0;
      long records = 0;
      while (true) {
        byte[] payload = reader.next();
        if (payload == null) {
          break;
        }
        long at = reader.lastRecordStart();
        long recordLast = WalBatchCodec.decode(payload, name + " at offset " + at, sink);
        if (records == 0) {
          first = WalBatchCodec.firstSequence(payload);
        }
        last = Math.max(last, recordLast);
        records++;
      }
      return new Result(first, last, reader.tornTail(), records);
    }
  }
}
