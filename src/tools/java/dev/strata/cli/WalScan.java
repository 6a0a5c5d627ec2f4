package dev.strata.cli;

import dev.strata.CorruptionException;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.log.LogFormat;
import dev.strata.log.LogReader;
import dev.strata.wal.WalBatchCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a WAL for the inspection commands, read-only: every record with its offset and
 * operations, every damaged region (reading resumes at the next 32 KiB log block, as salvage
 * does), and how the log ends. Framing and payloads are the library's (LogReader,
 * WalBatchCodec). Stateless.
 */
final class WalScan {
  private WalScan() {}

  /** One operation of a record: a put, or a delete when {@code value} is null (as the codec hands it over). */
  record Op(long sequence, byte[] key, byte[] value) {}

  /** One whole record: where it starts and ends in the file, and its operations. */
  record Record(long offset, long end, List<Op> ops) {}

  /** A damaged region: where it starts, and the message that names file and offset. */
  record Damage(long offset, String problem) {}

  /** Everything in the file, in order, and how the log ended after the last record read. */
  record Result(String name, long fileSize, List<Record> records, List<Damage> damage, StoreFiles.Ending ending) {

    long operations() {
      return records.stream().mapToLong(r -> r.ops().size()).sum();
    }
  }

  static Result scan(Path path) throws IOException {
    String name = path.getFileName().toString();
    List<Record> records = new ArrayList<>();
    List<Damage> damage = new ArrayList<>();
    try (ReadableFile in = DiskFileSystem.INSTANCE.openReadable(path)) {
      long size = in.size();
      long dataEnd = LogReader.dataEnd(in);
      LogReader reader;
      try {
        reader = new LogReader(in, name, LogFormat.KIND_WAL);
      } catch (CorruptionException e) {
        damage.add(new Damage(0, e.getMessage()));
        return new Result(name, size, records, damage,
            new StoreFiles.Ending(StoreFiles.Ending.Kind.DAMAGE, 0, size, dataEnd, e.getMessage()));
      }
      while (true) {
        byte[] payload;
        try {
          payload = reader.next();
        } catch (CorruptionException e) {
          damage.add(new Damage(reader.position(), e.getMessage()));
          reader.skipDamage();
          continue;
        }
        if (payload == null) {
          break;
        }
        long at = reader.lastRecordStart();
        List<Op> ops = new ArrayList<>();
        try {
          WalBatchCodec.decode(payload, name + " at offset " + at,
              (key, sequence, kind, value) -> ops.add(new Op(sequence, key, value)));
        } catch (CorruptionException e) {
          damage.add(new Damage(at, e.getMessage()));
          continue;
        }
        records.add(new Record(at, reader.validEnd(), List.copyOf(ops)));
      }
      StoreFiles.Ending ending;
      if (!damage.isEmpty()) {
        Damage first = damage.get(0);
        ending = new StoreFiles.Ending(StoreFiles.Ending.Kind.DAMAGE, first.offset(), size, dataEnd, first.problem());
      } else {
        ending = new StoreFiles.Ending(reader.tornTail() ? StoreFiles.Ending.Kind.TORN : StoreFiles.Ending.Kind.CLEAN,
            reader.validEnd(), size, dataEnd, null);
      }
      return new Result(name, size, List.copyOf(records), List.copyOf(damage), ending);
    }
  }
}
