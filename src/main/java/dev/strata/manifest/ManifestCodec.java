package dev.strata.manifest;

import dev.strata.CorruptionException;
import dev.strata.util.ByteBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Encodes manifest records as log-record payloads (the log format adds length and CRC32C, see
 * dev.strata.log.LogWriter). Integers are varints (LEB128, at most 10 bytes) unless marked uint8.
 *
 * <pre>
 * payload      = version uint8 (2; 3 for tag 8) | tag uint8 | body
 * tag 1 Snapshot          nextFileNumber varint64 | lastSequence varint64
 *                         | walCount varint32 | wal varint64 * walCount
 *                         | fileCount varint32 | file * fileCount
 * tag 2 WalCreated        walNumber varint64
 * tag 3 FlushCompleted    walNumber varint64 | file | lastSequence varint64
 * tag 4 CompactionCompleted removedCount varint32 | file * removedCount | addedCount varint32 | file * addedCount
 * tag 5 NextFileNumber    nextFileNumber varint64
 * tag 6 WalRetired        walNumber varint64 | lastSequence varint64
 * tag 7 WalSynced         walNumber varint64 | syncedBytes varint64       (version 2 and later)
 * tag 8 MergedFlushCompleted walCount varint32 (at least 2) | walNumber varint64 * walCount
 *                         | file | lastSequence varint64                 (version 3 and later)
 * file         = level varint32 | number varint64 | size varint64
 *                | smallestLen varint32 | smallest | largestLen varint32 | largest
 *                | minSequence varint64 | maxSequence varint64
 * </pre>
 *
 * <p>Versions. This code writes version 2, and version 3 for tag 8 alone, and reads versions 1 to 3.
 * Version 2 adds tag 7 and changes nothing else, so a version-1 manifest (written before WAL sync
 * points were tracked) reads as it always did; a version-1 record with tag 7 is corruption. A
 * build that reads only version 1 refuses a version-2 manifest at its first record, rather than
 * open a store whose sync points it would ignore. Version 3 adds tag 8 (several memtables flushed
 * as one SST, {@code memtables-per-flush} above 1) and is written only for it, so a store that
 * never flushes memtables together stays readable by a version-2 build, and one that does is
 * refused by such a build at that record, with the version in the message, rather than read as
 * corrupt.
 *
 * <p>Tag 7, WalSynced, byte by byte (version 2 and later), for WAL 12 synced through 70,000 bytes:
 * <pre>
 * offset  size  value
 *  0      1     0x02                 version
 *  1      1     0x07                 tag WalSynced
 *  2      1-10  0x0C                 walNumber varint64 (12)
 *  3      1-10  0xF0 0xA2 0x04       syncedBytes varint64 (70,000): bytes [0, syncedBytes) of the
 *                                    WAL file, its 16-byte log header included, were synced and end
 *                                    at a record boundary
 * </pre>
 * A WAL may have several; the largest counts (see ManifestState#walSyncedBytes).
 *
 * <p>A version or tag this code does not know, or a body that does not parse exactly, is a
 * {@link CorruptionException}. Thread-safe (stateless).
 */
public final class ManifestCodec {
  static final int VERSION = 2;
  /** The version of tag 8 records, the only ones written with it. */
  static final int MERGED_FLUSH_VERSION = 3;
  /** The newest version this code reads. */
  static final int NEWEST_READABLE_VERSION = 3;
  /** The oldest version this code reads. */
  static final int OLDEST_READABLE_VERSION = 1;
  /** The version that introduced {@link #WAL_SYNCED}. */
  private static final int WAL_SYNCED_SINCE = 2;
  private static final int SNAPSHOT = 1;
  private static final int WAL_CREATED = 2;
  private static final int FLUSH_COMPLETED = 3;
  private static final int COMPACTION_COMPLETED = 4;
  private static final int NEXT_FILE_NUMBER = 5;
  private static final int WAL_RETIRED = 6;
  private static final int WAL_SYNCED = 7;
  private static final int MERGED_FLUSH_COMPLETED = 8;

  private ManifestCodec() {}

  public static byte[] encode(ManifestRecord record) {
    ByteBuilder out = new ByteBuilder(64);
    out.putByte(record instanceof ManifestRecord.MergedFlushCompleted ? MERGED_FLUSH_VERSION : VERSION);
    if (record instanceof ManifestRecord.Snapshot s) {
      out.putByte(SNAPSHOT).putVarint64(s.nextFileNumber()).putVarint64(s.lastSequence());
      putNumbers(out, s.liveWals());
      putFiles(out, s.files());
    } else if (record instanceof ManifestRecord.WalCreated w) {
      out.putByte(WAL_CREATED).putVarint64(w.walNumber());
    } else if (record instanceof ManifestRecord.FlushCompleted f) {
      out.putByte(FLUSH_COMPLETED).putVarint64(f.walNumber());
      putFile(out, f.file());
      out.putVarint64(f.lastSequence());
    } else if (record instanceof ManifestRecord.MergedFlushCompleted f) {
      out.putByte(MERGED_FLUSH_COMPLETED);
      putNumbers(out, f.walNumbers());
      putFile(out, f.file());
      out.putVarint64(f.lastSequence());
    } else if (record instanceof ManifestRecord.CompactionCompleted c) {
      out.putByte(COMPACTION_COMPLETED);
      putFiles(out, c.removed());
      putFiles(out, c.added());
    } else if (record instanceof ManifestRecord.NextFileNumber n) {
      out.putByte(NEXT_FILE_NUMBER).putVarint64(n.nextFileNumber());
    } else if (record instanceof ManifestRecord.WalRetired r) {
      out.putByte(WAL_RETIRED).putVarint64(r.walNumber()).putVarint64(r.lastSequence());
    } else if (record instanceof ManifestRecord.WalSynced w) {
      out.putByte(WAL_SYNCED).putVarint64(w.walNumber()).putVarint64(w.syncedBytes());
    }
    return out.toByteArray();
  }

  /** Decodes one payload; {@code where} names the file and offset for error messages. */
  public static ManifestRecord decode(byte[] payload, String where) {
    Reader in = new Reader(payload, where);
    int version = in.u8();
    if (version < OLDEST_READABLE_VERSION || version > NEWEST_READABLE_VERSION) {
      throw new CorruptionException(where + ": manifest record version " + version + " is not supported (this build "
          + "reads versions " + OLDEST_READABLE_VERSION + " to " + NEWEST_READABLE_VERSION + ")");
    }
    int tag = in.u8();
    ManifestRecord r = switch (tag) {
      case SNAPSHOT -> {
        long next = in.varint64();
        long last = in.varint64();
        yield new ManifestRecord.Snapshot(next, last, in.numbers(), in.files());
      }
      case WAL_CREATED -> new ManifestRecord.WalCreated(in.varint64());
      case FLUSH_COMPLETED -> new ManifestRecord.FlushCompleted(in.varint64(), in.file(), in.varint64());
      case COMPACTION_COMPLETED -> new ManifestRecord.CompactionCompleted(in.files(), in.files());
      case NEXT_FILE_NUMBER -> new ManifestRecord.NextFileNumber(in.varint64());
      case WAL_RETIRED -> new ManifestRecord.WalRetired(in.varint64(), in.varint64());
      case WAL_SYNCED -> {
        if (version < WAL_SYNCED_SINCE) {
          throw new CorruptionException(where + ": manifest record tag " + tag + " (WalSynced) in a version-" + version
              + " record; it needs version " + WAL_SYNCED_SINCE);
        }
        yield new ManifestRecord.WalSynced(in.varint64(), in.varint64());
      }
      case MERGED_FLUSH_COMPLETED -> {
        if (version < MERGED_FLUSH_VERSION) {
          throw new CorruptionException(where + ": manifest record tag " + tag + " (MergedFlushCompleted) in a version-"
              + version + " record; it needs version " + MERGED_FLUSH_VERSION);
        }
        List<Long> wals = in.numbers();
        if (wals.size() < 2) {
          throw new CorruptionException(where + ": a merged flush record names " + wals.size()
              + " WALs; it names two or more");
        }
        yield new ManifestRecord.MergedFlushCompleted(wals, in.file(), in.varint64());
      }
      default -> throw new CorruptionException(where + ": unknown manifest record tag " + tag);
    };
    in.expectEnd();
    return r;
  }

  /** A list of file numbers (WALs): its count, then each number. */
  private static void putNumbers(ByteBuilder out, List<Long> numbers) {
    out.putVarint32(numbers.size());
    for (long n : numbers) {
      out.putVarint64(n);
    }
  }

  private static void putFiles(ByteBuilder out, List<FileMeta> files) {
    out.putVarint32(files.size());
    for (FileMeta f : files) {
      putFile(out, f);
    }
  }

  private static void putFile(ByteBuilder out, FileMeta f) {
    out.putVarint32(f.level()).putVarint64(f.number()).putVarint64(f.size());
    out.putVarint32(f.smallestKey().length).putBytes(f.smallestKey());
    out.putVarint32(f.largestKey().length).putBytes(f.largestKey());
    out.putVarint64(f.minSequence()).putVarint64(f.maxSequence());
  }

  /** A bounds-checked cursor that turns every malformation into a CorruptionException. */
  private static final class Reader {
    private final byte[] buf;
    private final String where;
    private int pos;

    Reader(byte[] buf, String where) {
      this.buf = buf;
      this.where = where;
    }

    int u8() {
      need(1);
      return buf[pos++] & 0xff;
    }

    long varint64() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = u8();
        result |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
      }
      throw bad("varint longer than 10 bytes");
    }

    int count() {
      long n = varint64();
      if (n < 0 || n > buf.length) {
        throw bad("count " + n + " exceeds the record");
      }
      return (int) n;
    }

    byte[] bytes() {
      int n = count();
      need(n);
      byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return out;
    }

    FileMeta file() {
      long level = varint64();
      if (level > 64) {
        throw bad("level " + level + " is out of range");
      }
      return new FileMeta((int) level, varint64(), varint64(), bytes(), bytes(), varint64(), varint64());
    }

    /** As written by {@code putNumbers}. */
    List<Long> numbers() {
      return list(this::varint64);
    }

    List<FileMeta> files() {
      return list(this::file);
    }

    /** A count, then that many elements. */
    private <T> List<T> list(Supplier<T> element) {
      int n = count();
      List<T> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(element.get());
      }
      return list;
    }

    void expectEnd() {
      if (pos != buf.length) {
        throw bad((buf.length - pos) + " unexpected trailing bytes");
      }
    }

    private void need(int n) {
      if (pos + n > buf.length) {
        throw bad("record ends early");
      }
    }

    private CorruptionException bad(String what) {
      return new CorruptionException(where + ": malformed manifest record: " + what);
    }
  }
}
