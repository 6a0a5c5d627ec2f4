package dev.strata.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.CorruptionException;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import dev.strata.util.Bytes;
import dev.strata.util.Crc32c;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Shared helpers for the record log tests: payloads, logs on disk, hand-built bytes, outcomes. */
final class LogTestHarness {
  static final String NAME = "test.log";

  private LogTestHarness() {}

  /**
   * A seed for a randomized test: {@code -Dstrata.test.seed=N} replays a failure; otherwise a
   * fresh one, printed so that a failing run can be replayed.
   */
  static long seed(String test) {
    long seed = Long.getLong("strata.test.seed", System.nanoTime());
    System.out.println(test + ": seed " + seed + " (rerun with -Dstrata.test.seed=" + seed + ")");
    return seed;
  }

  /**
   * {@code size} random bytes, none of them zero. The torn-tail and corruption tests rely on this:
   * the reader cannot tell a record that truly ends in zero bytes from one whose write stopped
   * there, so their expectations hold only for payloads without zeros.
   */
  static byte[] payload(Random rnd, int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (1 + rnd.nextInt(255));
    }
    return b;
  }

  /** A log as written to disk: its bytes, and where each record's first fragment starts and it ends. */
  record WrittenLog(Path path, byte[] bytes, long[] starts, long[] ends) {}

  static WrittenLog write(Path path, int kind, List<byte[]> records) throws IOException {
    long[] starts = new long[records.size()];
    long[] ends = new long[records.size()];
    try (WritableFile f = DiskFileSystem.INSTANCE.create(path)) {
      LogWriter w = new LogWriter(f, kind);
      for (int i = 0; i < records.size(); i++) {
        starts[i] = firstFragmentOffset(w.size());
        ends[i] = w.addRecord(records.get(i));
      }
      assertEquals(w.size(), f.size());
    }
    return new WrittenLog(path, Files.readAllBytes(path), starts, ends);
  }

  /** Where a record appended at {@code offset} puts its first fragment: past any trailer. */
  static long firstFragmentOffset(long offset) {
    int left = LogFormat.BLOCK_SIZE - (int) (offset % LogFormat.BLOCK_SIZE);
    return left < LogFormat.FRAGMENT_HEADER_SIZE ? offset + left : offset;
  }

  /** Everything a reader makes of a file: the records it returned, then how it ended or what it threw. */
  record Outcome(List<byte[]> records, boolean tornTail, long validEnd, long position,
      CorruptionException corruption) {
    boolean cleanEnd() {
      return corruption == null && !tornTail;
    }
  }

  static Outcome read(ReadableFile file, String name, int kind) throws IOException {
    List<byte[]> records = new ArrayList<>();
    LogReader r;
    try {
      r = new LogReader(file, name, kind);
    } catch (CorruptionException e) {
      return new Outcome(records, false, 0, 0, e);
    }
    try {
      for (byte[] rec = r.next(); rec != null; rec = r.next()) {
        records.add(rec);
      }
    } catch (CorruptionException e) {
      return new Outcome(records, r.tornTail(), r.validEnd(), r.position(), e);
    }
    return new Outcome(records, r.tornTail(), r.validEnd(), r.position(), null);
  }

  static Outcome read(byte[] bytes) throws IOException {
    return read(new BytesFile(bytes));
  }

  static Outcome read(ReadableFile file) throws IOException {
    return read(file, NAME, LogFormat.KIND_WAL);
  }

  static Outcome read(Path path, int kind) throws IOException {
    try (ReadableFile f = DiskFileSystem.INSTANCE.openReadable(path)) {
      return read(f, path.toString(), kind);
    }
  }

  static void assertRecords(List<byte[]> expected, List<byte[]> actual) {
    assertEquals(expected.size(), actual.size(), "record count");
    for (int i = 0; i < expected.size(); i++) {
      if (!Arrays.equals(expected.get(i), actual.get(i))) {
        fail("record " + i + " differs: expected " + expected.get(i).length + " bytes, got " + actual.get(i).length);
      }
    }
  }

  /** A file header built by hand from the documented layout, not by the writer. */
  static byte[] fileHeader(int version, int kind, int reserved) {
    byte[] h = new byte[16];
    System.arraycopy("STRATLOG".getBytes(StandardCharsets.US_ASCII), 0, h, 0, 8);
    h[8] = (byte) version;
    h[9] = (byte) kind;
    h[10] = (byte) reserved;
    h[11] = (byte) (reserved >>> 8);
    Bytes.putIntLE(h, 12, Crc32c.maskedOf(h, 0, 12));
    return h;
  }

  /** A fragment built by hand from the documented layout, not by the writer. */
  static byte[] fragment(int type, byte[] payload) {
    byte[] f = new byte[7 + payload.length];
    f[4] = (byte) payload.length;
    f[5] = (byte) (payload.length >>> 8);
    f[6] = (byte) type;
    System.arraycopy(payload, 0, f, 7, payload.length);
    Bytes.putIntLE(f, 0, Crc32c.maskedOf(f, 6, 1 + payload.length));
    return f;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** A copy of {@code data} with {@code data[at] ^= mask}. */
  static byte[] flip(byte[] data, long at, int mask) {
    byte[] copy = data.clone();
    copy[(int) at] ^= (byte) mask;
    return copy;
  }

  /** A copy of {@code data} with {@code [from, to)} zeroed. */
  static byte[] zero(byte[] data, long from, long to) {
    byte[] copy = data.clone();
    Arrays.fill(copy, (int) from, (int) to, (byte) 0);
    return copy;
  }

  /**
   * A read-only file over a byte array: the first {@code written} bytes of {@code data}, then zeros
   * up to {@code size} bytes, as a crash can leave a preallocated or memory-mapped file. Cheap
   * enough to read thousands of cut-short variants of one log without copying it.
   */
  static final class BytesFile implements ReadableFile {
    private final byte[] data;
    private final int written;
    private final long size;

    BytesFile(byte[] data) {
      this(data, data.length, data.length);
    }

    BytesFile(byte[] data, int written, long size) {
      this.data = data;
      this.written = written;
      this.size = size;
    }

    @Override
    public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
      if (position < 0 || position + length > size) {
        throw new EOFException("wanted " + length + " bytes at " + position + " of " + size);
      }
      int fromData = (int) Math.max(0, Math.min(length, written - position));
      if (fromData > 0) {
        System.arraycopy(data, (int) position, dst, offset, fromData);
      }
      Arrays.fill(dst, offset + fromData, offset + length, (byte) 0);
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void close() {}
  }

  /** A writable file in memory that counts appends and can be told to fail them. */
  static final class MemoryFile implements WritableFile {
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    int appends;
    boolean failAppends;

    @Override
    public void append(byte[] src, int offset, int length) throws IOException {
      if (failAppends) {
        throw new IOException("injected append failure");
      }
      appends++;
      data.write(src, offset, length);
    }

    @Override
    public void flush() {}

    @Override
    public void sync() {}

    @Override
    public long size() {
      return data.size();
    }

    @Override
    public void close() {}

    byte[] bytes() {
      return data.toByteArray();
    }
  }
}
