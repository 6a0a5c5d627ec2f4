package dev.strata.manifest;

import dev.strata.fs.FileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import dev.strata.log.LogReader;
import dev.strata.log.LogWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One manifest file: a log (the shared record format, kind 2) of {@link ManifestRecord}s, the
 * first of which is always a {@link ManifestRecord.Snapshot}. Every append is synced before it
 * returns, because a manifest record is what makes a flush or compaction real.
 *
 * <p>Not thread-safe: only the writer actor appends.
 */
public final class ManifestLog implements Closeable {
  /** The log file kind of a manifest (see LogWriter). */
  public static final int LOG_KIND = dev.strata.log.LogFormat.KIND_MANIFEST;

  private final Path path;
  private final WritableFile file;
  private final LogWriter log;

  private ManifestLog(Path path, WritableFile file) throws IOException {
    this.path = path;
    this.file = file;
    this.log = new LogWriter(file, LOG_KIND);
  }

  /**
   * Creates {@code path} holding {@code snapshot} and then {@code following} (the records a
   * snapshot leaves out, see ManifestState#afterSnapshot), synced. The caller points CURRENT at it.
   */
  public static ManifestLog create(FileSystem fs, Path path, ManifestRecord.Snapshot snapshot,
      List<ManifestRecord> following) throws IOException {
    WritableFile file = fs.create(path);
    try {
      ManifestLog m = new ManifestLog(path, file);
      m.add(snapshot);
      for (ManifestRecord r : following) {
        m.add(r);
      }
      file.sync();
      return m;
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** Appends a record and syncs it. */
  public void append(ManifestRecord record) throws IOException {
    add(record);
    file.sync();
  }

  private void add(ManifestRecord record) throws IOException {
    byte[] payload = ManifestCodec.encode(record);
    log.addRecord(payload, 0, payload.length);
  }

  public long size() {
    return log.size();
  }

  public Path path() {
    return path;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }

  /** What a manifest held, and whether its last record was torn (and dropped). */
  public record Contents(List<ManifestRecord> records, boolean tornTail) {}

  /**
   * Reads every record of a manifest. A torn last record (a crash during an append, never
   * acknowledged) is dropped; any other damage is a CorruptionException naming file and offset.
   */
  public static Contents read(FileSystem fs, Path path) throws IOException {
    String name = path.getFileName().toString();
    List<ManifestRecord> records = new ArrayList<>();
    boolean torn;
    try (ReadableFile in = fs.openReadable(path)) {
      LogReader reader = new LogReader(in, name, LOG_KIND);
      while (true) {
        byte[] payload = reader.next();
        if (payload == null) {
          break;
        }
        long at = reader.lastRecordStart();
        records.add(ManifestCodec.decode(payload, name + " at offset " + at));
      }
      torn = reader.tornTail();
    }
    if (!records.isEmpty() && !(records.get(0) instanceof ManifestRecord.Snapshot)) {
      throw new dev.strata.CorruptionException(name + " does not start with a snapshot record");
    }
    return new Contents(records, torn);
  }
}
