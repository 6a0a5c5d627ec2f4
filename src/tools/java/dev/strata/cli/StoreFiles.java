package dev.strata.cli;

import dev.strata.CorruptionException;
import dev.strata.engine.FileNames;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.log.LogFormat;
import dev.strata.log.LogReader;
import dev.strata.manifest.FileMeta;
import dev.strata.manifest.ManifestCodec;
import dev.strata.manifest.ManifestRecord;
import dev.strata.manifest.ManifestState;
import dev.strata.util.Crc32c;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only access to a store directory's CURRENT and manifest for the inspection commands
 * (check, lsm, dump-manifest). Opens files for reading only, takes no LOCK, runs no recovery.
 * Stateless.
 */
final class StoreFiles {
  private static final String CURRENT_MAGIC = "strata-current";
  private static final String CURRENT_VERSION = "1";

  private StoreFiles() {}

  /**
   * The manifest name CURRENT names, checked as the engine checks it. CURRENT is one ASCII line,
   * {@code strata-current 1 MANIFEST-NNNNNN crc\n}, crc being the masked CRC32C of the name in 8
   * hex digits; the engine's reader (engine.CurrentFile) is package-private, so this is its
   * read-only twin, with messages that name the offset of the field at fault.
   *
   * @throws CorruptionException naming CURRENT and the offset of what is wrong
   */
  static String readCurrent(Path dir) throws IOException {
    Path current = dir.resolve(FileNames.CURRENT);
    long size = Files.size(current);
    if (size > 256) {
      throw new CorruptionException("CURRENT at offset 256: " + size + " bytes, too long to be a CURRENT file");
    }
    byte[] bytes = Files.readAllBytes(current);
    String text = new String(bytes, StandardCharsets.US_ASCII);
    if (!text.endsWith("\n")) {
      throw new CorruptionException("CURRENT at offset " + bytes.length + ": the line does not end in a newline");
    }
    String[] parts = text.substring(0, text.length() - 1).split(" ", -1);
    int[] starts = new int[parts.length];
    for (int i = 1; i < parts.length; i++) {
      starts[i] = starts[i - 1] + parts[i - 1].length() + 1;
    }
    if (parts.length != 4) {
      throw new CorruptionException("CURRENT at offset 0: not a Strata CURRENT file (" + parts.length
          + " fields, expected 4): '" + text.strip() + "'");
    }
    if (!parts[0].equals(CURRENT_MAGIC)) {
      throw new CorruptionException("CURRENT at offset 0: bad magic word '" + parts[0] + "'");
    }
    if (!parts[1].equals(CURRENT_VERSION)) {
      throw new CorruptionException("CURRENT at offset " + starts[1] + ": format version '" + parts[1]
          + "', this build reads " + CURRENT_VERSION);
    }
    String name = parts[2];
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    String expected = String.format("%08x", Crc32c.mask(Crc32c.compute(nameBytes, 0, nameBytes.length)));
    if (!parts[3].equals(expected)) {
      throw new CorruptionException("CURRENT at offset " + starts[3] + ": checksum '" + parts[3]
          + "' does not match the manifest name '" + name + "' (expected " + expected + ")");
    }
    if (FileNames.parse(name).map(p -> p.kind() != FileNames.Kind.MANIFEST).orElse(true)) {
      throw new CorruptionException("CURRENT at offset " + starts[2] + ": names '" + name + "', which is not a manifest");
    }
    return name;
  }

  /** One manifest record and the offset of its first fragment. */
  record Entry(long offset, ManifestRecord record) {}

  /**
   * How a log ended. {@code offset}: the end of the last whole record for a clean end or torn
   * tail, the bad fragment or record for damage. {@code dataEnd}: past the last byte that is not
   * zero.
   */
  record Ending(Kind kind, long offset, long fileSize, long dataEnd, String problem) {
    enum Kind { CLEAN, TORN, DAMAGE }

    String describe() {
      return switch (kind) {
        case CLEAN -> dataEnd < fileSize && offset < fileSize
            ? "zero tail: records end at offset " + offset + ", zeros from there to the end of the file at " + fileSize
            : "clean end at offset " + offset;
        case TORN -> "torn tail at offset " + offset + " (an unfinished last record, dropped; the file holds data to "
            + dataEnd + " of " + fileSize + " bytes)";
        case DAMAGE -> "damage at offset " + offset + ": " + problem;
      };
    }
  }

  /** Every record of a manifest, how it ended, and the fold of the records read. */
  record Manifest(String name, List<Entry> entries, Ending ending, ManifestState state, String foldProblem) {}

  /**
   * Reads every record of the manifest at {@code path}, stopping at the first damage (a bad log
   * record, or a payload the codec refuses), and folds them; a record the fold refuses (it removes
   * an SST never added, say) is {@code foldProblem}, naming its offset, and ends the fold.
   */
  static Manifest readManifest(Path path) throws IOException {
    String name = path.getFileName().toString();
    List<Entry> entries = new ArrayList<>();
    ManifestState state = new ManifestState();
    String foldProblem = null;
    try (ReadableFile in = DiskFileSystem.INSTANCE.openReadable(path)) {
      long size = in.size();
      LogReader reader;
      try {
        reader = new LogReader(in, name, LogFormat.KIND_MANIFEST);
      } catch (CorruptionException e) {
        return new Manifest(name, entries, new Ending(Ending.Kind.DAMAGE, 0, size, LogReader.dataEnd(in),
            e.getMessage()), state, null);
      }
      Ending ending;
      while (true) {
        byte[] payload;
        try {
          payload = reader.next();
        } catch (CorruptionException e) {
          ending = new Ending(Ending.Kind.DAMAGE, reader.position(), size, LogReader.dataEnd(in), e.getMessage());
          break;
        }
        if (payload == null) {
          ending = new Ending(reader.tornTail() ? Ending.Kind.TORN : Ending.Kind.CLEAN, reader.validEnd(), size,
              LogReader.dataEnd(in), null);
          break;
        }
        long at = reader.lastRecordStart();
        ManifestRecord record;
        try {
          record = ManifestCodec.decode(payload, name + " at offset " + at);
        } catch (CorruptionException e) {
          ending = new Ending(Ending.Kind.DAMAGE, at, size, LogReader.dataEnd(in), e.getMessage());
          break;
        }
        entries.add(new Entry(at, record));
        if (foldProblem == null) {
          if (entries.size() == 1 && !(record instanceof ManifestRecord.Snapshot)) {
            foldProblem = name + " at offset " + at + ": the first record is not a Snapshot";
          } else {
            try {
              state.apply(record);
            } catch (CorruptionException e) {
              foldProblem = name + " at offset " + at + ": " + e.getMessage();
            }
          }
        }
      }
      return new Manifest(name, entries, ending, state, foldProblem);
    }
  }

  /** One line for a manifest record: its kind and fields. */
  static String describe(ManifestRecord record) {
    if (record instanceof ManifestRecord.Snapshot s) {
      StringBuilder sb = new StringBuilder("Snapshot nextFileNumber=" + s.nextFileNumber() + " lastSequence="
          + s.lastSequence() + " liveWals=" + s.liveWals() + " files=" + s.files().size());
      for (FileMeta f : s.files()) {
        sb.append("\n    ").append(describe(f));
      }
      return sb.toString();
    } else if (record instanceof ManifestRecord.WalCreated w) {
      return "WalCreated wal=" + w.walNumber();
    } else if (record instanceof ManifestRecord.WalRetired r) {
      return "WalRetired wal=" + r.walNumber() + " lastSequence=" + r.lastSequence();
    } else if (record instanceof ManifestRecord.WalSynced w) {
      return "WalSynced wal=" + w.walNumber() + " syncedBytes=" + w.syncedBytes();
    } else if (record instanceof ManifestRecord.FlushCompleted f) {
      return "FlushCompleted wal=" + f.walNumber() + " lastSequence=" + f.lastSequence() + " file=" + describe(f.file());
    } else if (record instanceof ManifestRecord.MergedFlushCompleted f) {
      return "MergedFlushCompleted wals=" + f.walNumbers() + " lastSequence=" + f.lastSequence() + " file="
          + describe(f.file());
    } else if (record instanceof ManifestRecord.CompactionCompleted c) {
      StringBuilder sb = new StringBuilder("CompactionCompleted removed=" + c.removed().size() + " added="
          + c.added().size());
      c.removed().forEach(f -> sb.append("\n    - ").append(describe(f)));
      c.added().forEach(f -> sb.append("\n    + ").append(describe(f)));
      return sb.toString();
    } else if (record instanceof ManifestRecord.NextFileNumber n) {
      return "NextFileNumber next=" + n.nextFileNumber();
    }
    return record.toString();
  }

  /** One SST as the manifest records it. */
  static String describe(FileMeta f) {
    return "L" + f.level() + " " + sstName(f.number()) + " " + f.size() + " B keys " + Printable.of(f.smallestKey())
        + ".." + Printable.of(f.largestKey()) + " seq " + f.minSequence() + ".." + f.maxSequence();
  }

  static String sstName(long number) {
    return FileNames.sst(Path.of(""), number).getFileName().toString();
  }

  static String walName(long number) {
    return FileNames.wal(Path.of(""), number).getFileName().toString();
  }
}
