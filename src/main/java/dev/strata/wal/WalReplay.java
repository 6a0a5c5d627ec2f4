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
  /** What one WAL held: its last sequence (0 when empty), whether its tail was torn, its record count. */
  public record Result(long lastSequence, boolean tornTail, long records) {}

  private WalReplay() {}

  public static Result replay(FileSystem fs, Path path, WalBatchCodec.Sink sink) throws IOException {
    String name = path.getFileName().toString();
    try (ReadableFile in = fs.openReadable(path)) {
      LogReader reader = new LogReader(in, name, WalWriter.LOG_KIND);
      long last = 0;
      long records = 0;
      while (true) {
        byte[] payload = reader.next();
        if (payload == null) {
          break;
        }
        long at = reader.lastRecordStart();
        last = Math.max(last, WalBatchCodec.decode(payload, name + " at offset " + at, sink));
        records++;
      }
      return new Result(last, reader.tornTail(), records);
    }
  }
}
